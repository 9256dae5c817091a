using Microsoft.Extensions.Logging;
using StackExchange.Redis;

namespace Gatehouse.Cluster;

/// <summary>
/// The one Redis connection a node shares between its features (docs/cluster.md, "The connection"). It connects in the
/// background and never makes a caller wait for Redis: while Redis cannot be reached, <see cref="Database"/> is null and
/// commands already sent fail at once (no backlog), so each feature falls back to what it does alone. A lost or regained
/// connection is logged once, not per request, and so is the first failed command of each connected period.
/// </summary>
/// <remarks>
/// Reconnection is tried every second (StackExchange.Redis's heartbeat, with a linear retry policy), so a node shares again
/// within about two seconds of Redis coming back. Channels subscribed through <see cref="Subscribe"/> are subscribed again
/// on every reconnection by the multiplexer itself, and the state turns Connected only after Redis has processed those
/// subscriptions (a ping on the pub/sub connection, behind them).
/// </remarks>
public sealed class ClusterConnection : IAsyncDisposable
{
    private readonly ConfigurationOptions redisOptions;
    private readonly ILogger logger;
    private readonly TimeProvider time;
    private readonly Lock gate = new();
    private readonly List<(RedisChannel Channel, Action<RedisValue> Handler)> subscriptions = [];
    private readonly CancellationTokenSource stopping = new();
    private readonly HashSet<ConnectionType> connectionsDown = [];
    private ConnectionMultiplexer? multiplexer;
    private ClusterConnectionStatus status;
    private Task? connecting;
    private int commandFailureLogged;
    private bool unreachableLogged;

    public ClusterConnection(ClusterOptions options, ILogger<ClusterConnection> logger, TimeProvider? time = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        Options = options;
        Keys = new ClusterKeys(options.KeyPrefix);
        this.logger = logger;
        this.time = time ?? TimeProvider.System;
        redisOptions = RedisConfiguration.Parse(options.Redis, options.NodeName);
        Endpoints = string.Join(",", redisOptions.EndPoints.Select(e => e.ToString()));
        status = new(ClusterConnectionState.Connecting, this.time.GetUtcNow(), null);
    }

    public ClusterOptions Options { get; }

    public string NodeName => Options.NodeName;

    /// <summary>Key and channel names under this cluster's prefix.</summary>
    public ClusterKeys Keys { get; }

    /// <summary>The configured endpoints, for logs and the admin status (no credentials).</summary>
    public string Endpoints { get; }

    public ClusterConnectionStatus Status
    {
        get
        {
            lock (gate)
            {
                return status;
            }
        }
    }

    public bool IsConnected => Status.State == ClusterConnectionState.Connected;

    /// <summary>The database to send commands to; null while Redis cannot be reached. Take it per operation, do not keep it.</summary>
    public IDatabase? Database => IsConnected ? multiplexer?.GetDatabase() : null;

    /// <summary>For publishing; null while Redis cannot be reached. Subscribe through <see cref="Subscribe"/> instead.</summary>
    public ISubscriber? Subscriber => IsConnected ? multiplexer?.GetSubscriber() : null;

    /// <summary>
    /// Raised (on a thread pool thread) each time the state changes: connected for the first time, lost, regained. A
    /// feature that queued work while Redis was away (purges to tell the other nodes) sends it when the state is Connected.
    /// </summary>
    public event Action<ClusterConnectionStatus>? StateChanged;

    /// <summary>Starts connecting in the background and returns at once. Calling it again does nothing.</summary>
    public void Start()
    {
        lock (gate)
        {
            connecting ??= Task.Run(ConnectAsync);
        }
    }

    /// <summary>
    /// Receives every message published on <paramref name="channelName"/> (under the key prefix) from now on, including
    /// across reconnections. Handlers run on StackExchange.Redis's threads: keep them short and never let them throw.
    /// </summary>
    public void Subscribe(string channelName, Action<RedisValue> handler)
    {
        var channel = Keys.Channel(channelName);
        ConnectionMultiplexer? connected;
        lock (gate)
        {
            subscriptions.Add((channel, handler));
            connected = multiplexer;
        }

        if (connected is not null)
        {
            SubscribeOn(connected, channel, handler);
        }
    }

    /// <summary>
    /// Tells the connection that a command failed, after the caller fell back on its own. The first failure of each
    /// connected period is logged; the rest are not (a Redis outage must not produce a log line per request).
    /// </summary>
    public void ReportFailure(Exception exception)
    {
        ArgumentNullException.ThrowIfNull(exception);
        if (Interlocked.Exchange(ref commandFailureLogged, 1) == 0)
        {
            ClusterLog.CommandFailed(logger, exception.Message);
        }
    }

    public async ValueTask DisposeAsync()
    {
        await stopping.CancelAsync().ConfigureAwait(false);
        Task? started;
        ConnectionMultiplexer? connected;
        lock (gate)
        {
            started = connecting;
            connected = multiplexer;
        }

        if (started is not null)
        {
            await started.ConfigureAwait(false);
        }

        lock (gate)
        {
            connected = multiplexer;
        }

        if (connected is not null)
        {
            await connected.CloseAsync(allowCommandsToComplete: false).ConfigureAwait(false);
            await connected.DisposeAsync().ConfigureAwait(false);
        }

        stopping.Dispose();
    }

    private async Task ConnectAsync()
    {
        ConnectionMultiplexer connected;
        try
        {
            // With AbortOnConnectFail off this returns a multiplexer even when Redis is down, and it keeps retrying.
            connected = await ConnectionMultiplexer.ConnectAsync(redisOptions).ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            // Only a configuration the parser accepted but the client cannot use ends up here; the node goes on alone.
            SetState(ClusterConnectionState.Disconnected, ex.Message);
            return;
        }

        if (stopping.IsCancellationRequested)
        {
            await connected.DisposeAsync().ConfigureAwait(false);
            return;
        }

        // Connected means both of the client's connections are up: commands (interactive) and pub/sub (subscription),
        // so that a feature seeing Connected also receives what the other nodes publish.
        connected.ConnectionFailed += (_, e) =>
        {
            lock (gate)
            {
                connectionsDown.Add(e.ConnectionType);
            }

            // The failure type alone ("SocketClosed", "UnableToConnect"): the exception's message is a page of client state.
            SetState(ClusterConnectionState.Disconnected, e.FailureType.ToString());
        };
        connected.ConnectionRestored += (_, e) =>
        {
            bool allUp;
            lock (gate)
            {
                connectionsDown.Remove(e.ConnectionType);
                allUp = connectionsDown.Count == 0;
            }

            if (allUp)
            {
                _ = ReportConnectedOnceSubscribedAsync(connected);
            }
        };

        List<(RedisChannel Channel, Action<RedisValue> Handler)> subscribed;
        lock (gate)
        {
            multiplexer = connected;
            subscribed = [.. subscriptions];
        }

        foreach (var (channel, handler) in subscribed)
        {
            SubscribeOn(connected, channel, handler);
        }

        if (!connected.IsConnected)
        {
            lock (gate)
            {
                connectionsDown.Add(ConnectionType.Interactive);
                connectionsDown.Add(ConnectionType.Subscription);
            }
        }

        if (connected.IsConnected)
        {
            await ReportConnectedOnceSubscribedAsync(connected).ConfigureAwait(false);
        }
        else
        {
            SetState(ClusterConnectionState.Disconnected, "no endpoint answered");
        }
    }

    /// <summary>
    /// Reports Connected only after a round trip on the pub/sub connection, so that the SUBSCRIBE commands sent before it
    /// (ours at start, the multiplexer's own after a reconnection, both queued ahead on that connection) have been
    /// processed by Redis. Without it a feature that sees Connected and publishes at once (a cache removal kept while
    /// Redis was away) could miss what another node publishes in the same milliseconds.
    /// </summary>
    private async Task ReportConnectedOnceSubscribedAsync(ConnectionMultiplexer connected)
    {
        try
        {
            await connected.GetSubscriber().PingAsync().ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is RedisException or TimeoutException or ObjectDisposedException)
        {
            // The connection dropped again (its ConnectionFailed reports that) or Redis is slow: go on as before the
            // round trip existed rather than stay Disconnected while both connections are up.
        }

        bool allUp;
        lock (gate)
        {
            allUp = connectionsDown.Count == 0;
        }

        if (allUp && !stopping.IsCancellationRequested)
        {
            SetState(ClusterConnectionState.Connected, null);
        }
    }

    private static void SubscribeOn(ConnectionMultiplexer connected, RedisChannel channel, Action<RedisValue> handler)
    {
        // Fire and forget: while Redis is down the subscription is made when the connection comes back.
        _ = connected.GetSubscriber().SubscribeAsync(channel, (_, message) => handler(message), CommandFlags.FireAndForget);
    }

    private void SetState(ClusterConnectionState state, string? reason)
    {
        ClusterConnectionStatus changed;
        ClusterConnectionStatus previous;
        lock (gate)
        {
            previous = status;
            if (previous.State == state)
            {
                return;
            }

            status = changed = new(state, time.GetUtcNow(), reason);
        }

        if (state == ClusterConnectionState.Connected)
        {
            Interlocked.Exchange(ref commandFailureLogged, 0);
            if (unreachableLogged)
            {
                ClusterLog.Reconnected(logger, NodeName, Endpoints, changed.Since - previous.Since);
            }
            else
            {
                ClusterLog.Connected(logger, NodeName, Endpoints);
            }
        }
        else if (state == ClusterConnectionState.Disconnected)
        {
            unreachableLogged = true;
            ClusterLog.Unreachable(logger, Endpoints, reason ?? "unknown", NodeName);
        }

        try
        {
            StateChanged?.Invoke(changed);
        }
        catch (Exception ex)
        {
            ReportFailure(ex);
        }
    }
}
