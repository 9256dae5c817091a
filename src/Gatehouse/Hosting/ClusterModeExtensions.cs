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
        services.AddHostedService<ClusterConnectionStarter>();
        return services;
    }

    /// <summary>Starts connecting with the host, without waiting: a node serves at once, alone until Redis answers.</summary>
    private sealed class ClusterConnectionStarter(ClusterConnection connection) : IHostedService
    {
        public Task StartAsync(CancellationToken cancellationToken)
        {
            connection.Start();
            return Task.CompletedTask;
        }

        public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    }
}
