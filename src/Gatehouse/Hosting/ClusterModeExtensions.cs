using Gatehouse.Acme.Challenges;
using Gatehouse.Acme.Storage;
using Gatehouse.Cluster;
using Gatehouse.Cluster.Acme;
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
