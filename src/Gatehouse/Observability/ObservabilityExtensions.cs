using Gatehouse.Configuration;
using Gatehouse.Observability.Metrics;

namespace Gatehouse.Observability;

/// <summary>Registers and wires metrics and tracing as the config asks (docs/operations.md).</summary>
public static class ObservabilityExtensions
{
    public static IServiceCollection AddGatehouseObservability(this IServiceCollection services, GatehouseConfig config)
    {
        services.AddMetrics();
        if (config.Metrics.Enabled)
        {
            services.AddSingleton<MetricsCollector>();
            services.AddSingleton<RequestMetrics>();
            services.AddSingleton<CacheMetrics>();
        }

        services.AddSingleton(_ => new OtlpExport(config));
        return services;
    }

    /// <summary>
    /// Starts listening (the collector must exist before the first request records) and adds the request step, unless
    /// metrics and tracing are both off.
    /// </summary>
    public static IApplicationBuilder UseGatehouseObservability(this IApplicationBuilder app, GatehouseConfig config)
    {
        _ = app.ApplicationServices.GetService<MetricsCollector>();
        _ = app.ApplicationServices.GetService<CacheMetrics>();
        _ = app.ApplicationServices.GetRequiredService<OtlpExport>();
        if (config.Metrics.Enabled || config.Tracing.Enabled)
        {
            app.UseMiddleware<RequestObservationMiddleware>();
        }

        return app;
    }
}
