using Gatehouse.Configuration;
using Gatehouse.Forwarding;
using Gatehouse.Health;
using Gatehouse.Lifecycle;
using Gatehouse.LoadBalancing;
using Gatehouse.Protection;
using Gatehouse.Runtime;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Yarp.ReverseProxy.Configuration;
using Yarp.ReverseProxy.Forwarder;
using Yarp.ReverseProxy.Health;
using Yarp.ReverseProxy.LoadBalancing;

namespace Gatehouse.Hosting;

public static class GatehouseServiceCollectionExtensions
{
    /// <summary>
    /// Registers YARP with Gatehouse's extensions: its load-balancing and health policies, the backend response transform,
    /// the HTTP client factory, and the config checker. Used by the server and by <c>gatehouse validate</c> alike, so both
    /// accept exactly the same configs.
    /// </summary>
    public static IServiceCollection AddGatehouseProxy(this IServiceCollection services)
    {
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<GenerationHolder>();
        services.TryAddSingleton<DestinationControls>();
        services.TryAddSingleton<RetryBudgets>();
        // Every feature records on the host's meter factory (docs/operations.md); nothing is paid until something listens.
        services.AddMetrics();
        services.TryAddSingleton<ForwardingTelemetry>();
        services.TryAddSingleton<HealthTelemetry>();
        services.TryAddSingleton<DestinationGauges>();
        services.TryAddSingleton(new InMemoryConfigProvider([], []));
        services.TryAddSingleton<IProxyConfigProvider>(sp => sp.GetRequiredService<InMemoryConfigProvider>());
        services.TryAddSingleton<IForwarderHttpClientFactory, GatehouseHttpClientFactory>();
        services.TryAddSingleton<ConfigChecker>();
        services.TryAddSingleton<TrafficShaping.ShapingTelemetry>();
        services.TryAddSingleton<TrafficShaping.MirrorSender>();
        services.TryAddSingleton<Overload.DestinationGates>();
        services.TryAddSingleton<Overload.OverloadMiddleware>();
        services.TryAddSingleton<SlowStartTracker>();
        services.TryAddSingleton(sp => new SlowStartFilter(sp.GetRequiredService<SlowStartTracker>()));

        services.AddReverseProxy().AddTransforms<ConnectionHeaderTransform>().AddTransforms<ProxyProtocolTransform>().AddTransforms<BackendResponseTransform>().AddTransforms<ViaRequestTransform>()
            .AddTransforms<Protection.ProtectionTransforms>().AddTransforms<Protection.RawPathTransform>();
        // Last of the transform providers: it sees each route's transforms complete (the lean path's direct head, docs/upstream.md).
        services.TryAddSingleton<DirectHeadRoutes>();
        services.AddSingleton<Yarp.ReverseProxy.Transforms.Builder.ITransformProvider>(sp => sp.GetRequiredService<DirectHeadRoutes>());

        UseLeanForwarder(services);
        // Destinations by DNS name (docs/dns.md): YARP's extension point for expanding destinations at run time.
        services.TryAddSingleton<Discovery.DnsDestinationResolver>();
        services.Replace(ServiceDescriptor.Singleton<Yarp.ReverseProxy.ServiceDiscovery.IDestinationResolver>(sp => sp.GetRequiredService<Discovery.DnsDestinationResolver>()));
        UseGrpcHealthProbes(services);

        services.TryAddEnumerable(ServiceDescriptor.Singleton<ILoadBalancingPolicy, WeightedRoundRobinPolicy>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<ILoadBalancingPolicy, ConsistentHashPolicy>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<Yarp.ReverseProxy.SessionAffinity.ISessionAffinityPolicy, CookieAffinityPolicy>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IActiveHealthCheckPolicy, ThresholdActiveHealthPolicy>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IPassiveHealthCheckPolicy, ConsecutiveFailuresPassivePolicy>());
        return services;
    }

    /// <summary>
    /// Puts Gatehouse's forwarder (the lean path, docs/upstream.md) where YARP's ForwarderMiddleware finds its
    /// IHttpForwarder, with YARP's own forwarder inside it for what the lean path does not carry.
    /// </summary>
    private static void UseLeanForwarder(IServiceCollection services)
    {
        var yarp = services.Last(d => d.ServiceType == typeof(IHttpForwarder));
        if (yarp.ImplementationType is not { } yarpType)
        {
            return; // someone registered their own forwarder: theirs stands
        }

        services.Remove(yarp);
        services.TryAddSingleton<UpstreamPools>();
        // FastCGI clusters (docs/fastcgi.md) first, then the lean path, then YARP's forwarder.
        services.AddSingleton<IHttpForwarder>(sp => new FastCgiForwarder(new LeanForwarder(
            (IHttpForwarder)ActivatorUtilities.CreateInstance(sp, yarpType), sp.GetRequiredService<UpstreamPools>(), sp.GetRequiredService<DirectHeadRoutes>()),
            sp.GetRequiredService<ILogger<FastCgiForwarder>>()));
    }

    /// <summary>YARP's probing request factory inside Gatehouse's, which sends gRPC health probes where a cluster asks for them.</summary>
    private static void UseGrpcHealthProbes(IServiceCollection services)
    {
        var yarp = services.LastOrDefault(d => d.ServiceType == typeof(IProbingRequestFactory));
        if (yarp?.ImplementationType is not { } yarpType)
        {
            return;
        }

        services.Remove(yarp);
        services.AddSingleton<IProbingRequestFactory>(sp => new GrpcProbingRequestFactory(
            (IProbingRequestFactory)ActivatorUtilities.CreateInstance(sp, yarpType), sp.GetRequiredService<GenerationHolder>()));
    }

    /// <summary>A container holding only what <see cref="ConfigChecker"/> needs, for <c>gatehouse validate</c>.</summary>
    public static ConfigChecker CreateStandaloneChecker()
    {
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddRouting();
        services.AddGatehouseProxy();
        return services.BuildServiceProvider().GetRequiredService<ConfigChecker>();
    }
}
