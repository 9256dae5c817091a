using Gatehouse.Cluster;
using Gatehouse.Configuration;

namespace Gatehouse.Hosting;

/// <summary>Cluster mode's wiring (docs/cluster.md): the one shared Redis connection, when the config has a <c>cluster</c> section.</summary>
internal static class ClusterModeExtensions
{
    public static IServiceCollection AddGatehouseCluster(this IServiceCollection services, GatehouseConfig config)
    {
        if (config.Cluster is not { Redis: { } redis } cluster)
        {
            return services;
        }

        services.AddSingleton(new ClusterOptions
        {
            Redis = redis,
            KeyPrefix = cluster.KeyPrefix,
            NodeName = cluster.NodeName ?? ClusterOptions.DefaultNodeName(),
        });
        services.AddSingleton(sp => new ClusterConnection(
            sp.GetRequiredService<ClusterOptions>(), sp.GetRequiredService<ILogger<ClusterConnection>>(), sp.GetService<TimeProvider>()));
        services.AddSingleton<ClusterTelemetry>();
        services.AddHostedService<ClusterConnectionStarter>();
        // Drained and disabled destinations are one state for all nodes.
        services.AddHostedService<SharedDestinationControls>();
        return services;
    }

    /// <summary>Starts connecting with the host, without waiting: a node serves at once, alone until Redis answers.</summary>
    private sealed class ClusterConnectionStarter(ClusterConnection connection, ClusterTelemetry telemetry) : IHostedService
    {
        public Task StartAsync(CancellationToken cancellationToken)
        {
            _ = telemetry;
            connection.Start();
            return Task.CompletedTask;
        }

        public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    }
}
