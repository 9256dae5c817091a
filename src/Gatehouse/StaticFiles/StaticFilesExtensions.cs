namespace Gatehouse.StaticFiles;

/// <summary>Registration of files routes; the host puts the step right after compression, before the proxy.</summary>
public static class StaticFilesExtensions
{
    public static IApplicationBuilder UseGatehouseStaticFiles(this IApplicationBuilder app) => app.UseMiddleware<StaticFilesMiddleware>();
}
