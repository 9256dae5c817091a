using Gatehouse.Acme.Challenges;
using Gatehouse.Acme.Storage;
using Gatehouse.Caching.Middleware;
using Gatehouse.Caching.Storage;
using Gatehouse.Cluster;
using Gatehouse.Cluster.Acme;
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
        services.AddSingleton<ClusterTelemetry>();
        services.AddHostedService<ClusterConnectionStarter>();
        if (cluster.Cache.Shared)
        {
            var shared = new SharedCacheOptions { MaxEntryBytes = cluster.Cache.MaxEntryBytes.Value ?? SharedCacheOptions.DefaultMaxEntryBytes };
            services.AddSingleton(sp => new ClusterHttpCacheStore(
                HttpCacheStores.Create(sp.GetRequiredService<IOptions<HttpCacheOptions>>().Value, sp.GetRequiredService<TimeProvider>(), sp.GetService<ILoggerFactory>()),
                sp.GetRequiredService<ClusterConnection>(),
                shared,
                sp.GetRequiredService<ILogger<ClusterHttpCacheStore>>(),
                sp.GetRequiredService<TimeProvider>()));
            services.AddSingleton<IHttpCacheStore>(sp => sp.GetRequiredService<ClusterHttpCacheStore>());
        }

        // Drained and disabled destinations are one state for all nodes.
        services.AddHostedService<SharedDestinationControls>();
        if (config.Tls.Acme.Enabled && cluster.EncryptionKey is { } text && SealedBlobs.ResolveKey(text, out _) is { } key)
        {
            // Before Tls's registration (a TryAdd of the file store): ACME state and challenges go to Redis, sealed.
            services.AddSingleton(new SealedBlobs(key));
            services.AddSingleton<IAcmeStore>(sp => new RedisAcmeStore(sp.GetRequiredService<ClusterConnection>(), sp.GetRequiredService<SealedBlobs>(), sp.GetService<TimeProvider>()));
            services.AddSingleton(sp => new RedisAcmeChallengeShare(sp.GetRequiredService<ClusterConnection>(), sp.GetRequiredService<SealedBlobs>(), sp.GetService<TimeProvider>()));
            services.AddHostedService<AcmeChallengeSharing>();
        }

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

    /// <summary>Hands the challenge share to the node's challenge responses before the ACME source starts.</summary>
    private sealed class AcmeChallengeSharing(AcmeChallengeResponses challenges, RedisAcmeChallengeShare share) : IHostedService
    {
        public Task StartAsync(CancellationToken cancellationToken)
        {
            challenges.Shared = share;
            return Task.CompletedTask;
        }

        public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    }
}
