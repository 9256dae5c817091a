namespace Gatehouse.Compression;

/// <summary>Registration of response compression; the host puts it right below the HTTP cache.</summary>
public static class CompressionExtensions
{
    public static IServiceCollection AddGatehouseCompression(this IServiceCollection services) => services.AddSingleton<CompressionStats>();

    public static IApplicationBuilder UseGatehouseCompression(this IApplicationBuilder app) => app.UseMiddleware<CompressionMiddleware>();
}
