using Gatehouse.Acme.Storage;
using StackExchange.Redis;

namespace Gatehouse.Cluster.Acme;

/// <summary>
/// Cluster mode's <see cref="IAcmeStore"/> (docs/cluster.md, "ACME across nodes"): every blob under <c>acme:NAME</c>,
/// sealed with the cluster's key (<see cref="SealedBlobs"/>), and locks that one node holds at a time across the cluster
/// (<c>SET NX PX</c> with a random token, renewed while held, released by compare-and-delete). A node waiting for a
/// lock polls it; when it gets it, the certificate manager reads the store again and takes what the holder stored.
/// </summary>
public sealed class RedisAcmeStore(ClusterConnection cluster, SealedBlobs seal, TimeProvider? time = null) : IAcmeStore
{
    /// <summary>A lock whose holder died is free after this long; a live holder renews it every third of it.</summary>
    public static readonly TimeSpan LockLifetime = TimeSpan.FromSeconds(30);

    /// <summary>How often a waiting node tries the lock again.</summary>
    public static readonly TimeSpan LockPoll = TimeSpan.FromMilliseconds(250);

    private const string CompareAndDelete = "if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) else return 0 end";
    private const string CompareAndExtend = "if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('PEXPIRE', KEYS[1], ARGV[2]) else return 0 end";

    private readonly TimeProvider time = time ?? TimeProvider.System;

    /// <summary>The manager treats this like any failed attempt: it keeps what it serves and tries again later.</summary>
    private static InvalidOperationException Unreachable() => new("cluster mode: Redis cannot be reached, so the shared ACME state cannot be read or written");

    /// <summary>At start-up the connection is usually seconds from ready: wait that long for it rather than fail at once.</summary>
    public static readonly TimeSpan ConnectWait = TimeSpan.FromSeconds(5);

    private async Task<IDatabase?> DatabaseAsync(CancellationToken cancellationToken)
    {
        if (cluster.Database is { } database || cluster.Status.State != ClusterConnectionState.Connecting)
        {
            return cluster.Database;
        }

        var connected = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        void OnChanged(ClusterConnectionStatus status)
        {
            if (status.State != ClusterConnectionState.Connecting)
            {
                connected.TrySetResult();
            }
        }

        cluster.StateChanged += OnChanged;
        try
        {
            if (cluster.Status.State == ClusterConnectionState.Connecting)
            {
                await connected.Task.WaitAsync(ConnectWait, time, cancellationToken).ConfigureAwait(false);
            }
        }
        catch (TimeoutException)
        {
        }
        finally
        {
            cluster.StateChanged -= OnChanged;
        }

        return cluster.Database;
    }

    public static RedisKey BlobKey(ClusterKeys keys, string name) => keys.Key("acme:" + name);

    public async Task<byte[]?> ReadAsync(string name, CancellationToken cancellationToken = default)
    {
        // Nothing readable while Redis is away: the manager then goes for the lock, which waits for Redis, and reads again.
        if (await DatabaseAsync(cancellationToken).ConfigureAwait(false) is not { } database)
        {
            return null;
        }

        var stored = (byte[]?)await database.StringGetAsync(BlobKey(cluster.Keys, name)).WaitAsync(cancellationToken).ConfigureAwait(false);
        return seal.Open(name, stored);
    }

    public async Task WriteAsync(string name, byte[] content, CancellationToken cancellationToken = default)
    {
        var database = await DatabaseAsync(cancellationToken).ConfigureAwait(false) ?? throw Unreachable();
        await database.StringSetAsync(BlobKey(cluster.Keys, name), seal.Seal(name, content)).WaitAsync(cancellationToken).ConfigureAwait(false);
    }

    public async Task<IAsyncDisposable> LockAsync(string name, CancellationToken cancellationToken = default)
    {
        var key = cluster.Keys.Key("acme:lock:" + name);
        var token = Guid.NewGuid().ToString("N");
        while (true)
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (cluster.Database is { } database)
            {
                try
                {
                    if (await database.StringSetAsync(key, token, LockLifetime, When.NotExists).ConfigureAwait(false))
                    {
                        return new Held(cluster, key, token, time);
                    }
                }
                catch (Exception ex) when (ex is RedisException or TimeoutException)
                {
                    cluster.ReportFailure(ex);
                }
            }

            await Task.Delay(LockPoll, time, cancellationToken).ConfigureAwait(false);
        }
    }

    private sealed class Held : IAsyncDisposable
    {
        private readonly ClusterConnection cluster;
        private readonly RedisKey key;
        private readonly string token;
        private readonly CancellationTokenSource stop = new();
        private readonly Task renewing;

        public Held(ClusterConnection cluster, RedisKey key, string token, TimeProvider time)
        {
            this.cluster = cluster;
            this.key = key;
            this.token = token;
            renewing = RenewAsync(time);
        }

        private async Task RenewAsync(TimeProvider time)
        {
            try
            {
                while (true)
                {
                    await Task.Delay(LockLifetime / 3, time, stop.Token).ConfigureAwait(false);
                    try
                    {
                        if (cluster.Database is { } database)
                        {
                            await database.ScriptEvaluateAsync(CompareAndExtend, [key], [token, (long)LockLifetime.TotalMilliseconds]).ConfigureAwait(false);
                        }
                    }
                    catch (Exception ex) when (ex is RedisException or TimeoutException)
                    {
                        cluster.ReportFailure(ex);
                    }
                }
            }
            catch (OperationCanceledException)
            {
            }
        }

        public async ValueTask DisposeAsync()
        {
            await stop.CancelAsync().ConfigureAwait(false);
            await renewing.ConfigureAwait(false);
            stop.Dispose();
            try
            {
                if (cluster.Database is { } database)
                {
                    await database.ScriptEvaluateAsync(CompareAndDelete, [key], [token]).ConfigureAwait(false);
                }
            }
            catch (Exception ex) when (ex is RedisException or TimeoutException)
            {
                // Not released: it lapses after LockLifetime.
                cluster.ReportFailure(ex);
            }
        }
    }
}
