using Gatehouse.Cluster;
using Gatehouse.Runtime;

namespace Gatehouse.Hosting;

/// <summary>
/// Cluster mode: drained and disabled destinations (<see cref="DestinationControls"/>) are one state for all nodes
/// (docs/cluster.md, "Drain and disable across nodes"). An operator's change on any node is written to the Redis hash
/// <c>destinations</c> and announced on the channel of that name; every node then reads the whole hash and makes it its
/// state. A node reads it again when it connects or reconnects, after each config reload, and every
/// <see cref="ResyncInterval"/> while connected, so a node that starts, or comes back, takes the current state, and one
/// that missed an announcement (published in the moment it reconnected) or whose exchange failed catches up within that
/// interval. A change made while Redis is away applies on that node at once and is written when Redis is back (the last
/// writer wins), or at the next resync if that write failed.
/// </summary>
internal sealed class SharedDestinationControls(ClusterConnection cluster, DestinationControls controls, GenerationHolder generations,
    TimeProvider time) : IHostedService, IDisposable
{
    public const string HashName = "destinations";
    public const string ChannelName = "destinations";

    /// <summary>How often a connected node reads the hash (and writes what it could not write) without being told to.</summary>
    public static readonly TimeSpan ResyncInterval = TimeSpan.FromSeconds(2);

    private readonly SemaphoreSlim exchange = new(1, 1);
    private readonly Lock gate = new();
    private readonly Dictionary<string, (string Cluster, string Destination, DestinationMode Mode)> unsent = new(StringComparer.Ordinal);
    private ITimer? resync;

    public Task StartAsync(CancellationToken cancellationToken)
    {
        controls.SetByOperator += OnOperatorSet;
        cluster.StateChanged += status =>
        {
            if (status.State == ClusterConnectionState.Connected)
            {
                SyncInBackground();
            }
        };
        cluster.Subscribe(ChannelName, _ => SyncInBackground());
        generations.Applied += _ => SyncInBackground();
        SyncInBackground();
        // A tick while an exchange is still under way (Redis slow) adds nothing: that one reads the hash anyway.
        resync = time.CreateTimer(_ =>
        {
            if (exchange.CurrentCount > 0)
            {
                SyncInBackground();
            }
        }, null, ResyncInterval, ResyncInterval);
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken)
    {
        controls.SetByOperator -= OnOperatorSet;
        resync?.Dispose();
        return Task.CompletedTask;
    }

    /// <summary>The hash field of a destination: cluster and destination ids are case-insensitive, as in the config.</summary>
    public static string Field(string clusterId, string destinationId) => $"{clusterId.ToLowerInvariant()}/{destinationId.ToLowerInvariant()}";

    /// <summary>The hash value: mode, cluster and destination, one a line.</summary>
    public static string Value(string clusterId, string destinationId, DestinationMode mode) => $"{mode}\n{clusterId}\n{destinationId}";

    /// <summary>A hash value read back; null for one this version cannot read (never applied).</summary>
    public static (string Cluster, string Destination, DestinationMode Mode)? Parse(string? value)
    {
        var parts = value?.Split('\n');
        return parts is { Length: 3 } && parts[1].Length > 0 && parts[2].Length > 0
            && Enum.TryParse<DestinationMode>(parts[0], ignoreCase: false, out var mode) && Enum.IsDefined(mode)
            ? (parts[1], parts[2], mode)
            : null;
    }

    private void OnOperatorSet(string clusterId, string destinationId, DestinationMode mode)
    {
        lock (gate)
        {
            unsent[Field(clusterId, destinationId)] = (clusterId, destinationId, mode);
        }

        SyncInBackground();
    }

    public void Dispose()
    {
        resync?.Dispose();
        exchange.Dispose();
    }

    private void SyncInBackground() => _ = SyncAsync();

    /// <summary>Writes this node's unsent changes (then tells the others), and makes the hash this node's state. Never throws.</summary>
    private async Task SyncAsync()
    {
        await exchange.WaitAsync().ConfigureAwait(false);
        try
        {
            if (cluster.Database is not { } database)
            {
                return;
            }

            // An operator's change on this node after this point may be missing from what is read below: then this
            // exchange changes nothing, and the one that change started applies it with the hash.
            var operatorSets = controls.OperatorSets;

            List<KeyValuePair<string, (string Cluster, string Destination, DestinationMode Mode)>> toSend;
            lock (gate)
            {
                toSend = [.. unsent];
            }

            var key = cluster.Keys.Key(HashName);
            if (toSend.Count > 0)
            {
                foreach (var (field, change) in toSend)
                {
                    _ = change.Mode == DestinationMode.Active
                        ? await database.HashDeleteAsync(key, field).ConfigureAwait(false)
                        : await database.HashSetAsync(key, field, Value(change.Cluster, change.Destination, change.Mode)).ConfigureAwait(false);
                    lock (gate)
                    {
                        if (unsent.TryGetValue(field, out var now) && now == change)
                        {
                            unsent.Remove(field);
                        }
                    }
                }

                await database.PublishAsync(cluster.Keys.Channel(ChannelName), "changed").ConfigureAwait(false);
            }

            var stored = await database.HashGetAllAsync(key).ConfigureAwait(false);
            var entries = stored.Select(e => Parse(e.Value)).OfType<(string, string, DestinationMode)>().ToList();
            lock (gate)
            {
                // A change made here since the writes above wins over what was read.
                entries = [.. entries.Where(e => !unsent.ContainsKey(Field(e.Item1, e.Item2))), .. unsent.Values];
            }

            controls.ReplaceAll(entries, operatorSets);
        }
        catch (Exception ex)
        {
            cluster.ReportFailure(ex);
        }
        finally
        {
            exchange.Release();
        }
    }
}
