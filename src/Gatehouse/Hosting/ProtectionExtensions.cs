using Gatehouse.Protection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Gatehouse.Hosting;

/// <summary>The hooks the host calls: services, the client identity middleware (outermost) and the route checks (after routing).</summary>
public static class ProtectionExtensions
{
    public static IServiceCollection AddGatehouseProtection(this IServiceCollection services)
    {
        services.TryAddSingleton<RateLimiterRegistry>();
        services.TryAddSingleton<BasicAuthChecker>();
        services.TryAddSingleton<ProtectionTelemetry>();
        services.TryAddSingleton<ForwardAuthClient>();
        return services;
    }

    /// <summary>First in the pipeline: the client IP everything else sees (access log included).</summary>
    public static IApplicationBuilder UseGatehouseClientIdentity(this IApplicationBuilder app) => app.UseMiddleware<ClientIdentityMiddleware>();

    /// <summary>Before routing, always: header names with <c>_</c> and untrusted client-address claims dropped or refused.</summary>
    public static IApplicationBuilder UseGatehouseEdgeHeaders(this IApplicationBuilder app) => app.UseMiddleware<EdgeHeadersMiddleware>();

    /// <summary>After routing, before the cache: IP lists, methods, rate limits, basic and forward auth.</summary>
    public static IApplicationBuilder UseGatehouseProtection(this IApplicationBuilder app) => app.UseMiddleware<ProtectionMiddleware>();
}
