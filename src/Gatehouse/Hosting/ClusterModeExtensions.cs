using Gatehouse.Caching.Middleware;
using Gatehouse.Caching.Storage;
using Gatehouse.Cluster;
using Gatehouse.Cluster.Caching;
using Gatehouse.Configuration;
using Microsoft.Extensions.Options;

namespace Gatehouse.Hosting;

/// <summary>
/// Cluster mode's wiring (docs/cluster.md), when the config has a <c>cluster</c> section: the one shared Redis connection,
/// and the HTTP cache's store with Redis as its shared second tier (registered before <c>AddHttpCache</c>, whose own store
/// registration then stands aside).
/// </summary>
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
        if (cluster.Cache.Shared)
        {
            var shared = new SharedCacheOptions { MaxEntryBytes = cluster.Cache.MaxEntryBytes.Value ?? SharedCacheOptions.DefaultMaxEntryBytes };
            services.AddSingleton(sp => new ClusterHttpCacheStore(
                HttpCacheStores.Create(sp.GetRequiredService<IOptions<HttpCacheOptions>>().Value, sp.GetRequiredService<TimeProvider>()),
                sp.GetRequiredService<ClusterConnection>(),
                shared,
                sp.GetRequiredService<ILogger<ClusterHttpCacheStore>>(),
                sp.GetRequiredService<TimeProvider>()));
            services.AddSingleton<IHttpCacheStore>(sp => sp.GetRequiredService<ClusterHttpCacheStore>());
        }

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
