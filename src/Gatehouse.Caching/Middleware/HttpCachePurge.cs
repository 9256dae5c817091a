using Gatehouse.Caching.Storage;

namespace Gatehouse.Caching.Middleware;

/// <summary>
/// Removes stored responses — purges (an admin API) and the cache's own invalidations (RFC 9111 §4.4) — so that a
/// removal wins over the fetches in flight for what it removes: a response whose lookup started before a removal
/// that matches it is not stored after it (the cache asks <see cref="RemovedSince"/> before and after it stores).
/// Removing through <see cref="IHttpCacheStore"/> directly works too, but leaves that race open.
/// </summary>
/// <remarks>
/// The latest removals are remembered, numbered. A fetch older than all of them (more than <see cref="Remembered"/>
/// removals since its lookup) is not stored: it can no longer be told apart from one that a removal matches.
/// </remarks>
public sealed class HttpCachePurge(IHttpCacheStore store)
{
    internal const int Remembered = 1024;

    private readonly Lock gate = new();
    private readonly Queue<Removal> latest = new();
    private long removals;

    /// <summary>Removes every stored response whose target (<see cref="CacheKey.Target"/>) is <paramref name="target"/>. Returns how many.</summary>
    public ValueTask<int> PurgeTargetAsync(string target, CancellationToken cancellationToken = default)
    {
        Record(new(RemovalKind.Target, target));
        return store.RemoveTargetAsync(target, cancellationToken);
    }

    /// <summary>Removes every stored response whose target starts with <paramref name="prefix"/> (ordinal). Returns how many.</summary>
    public ValueTask<int> PurgeTargetPrefixAsync(string prefix, CancellationToken cancellationToken = default)
    {
        Record(new(RemovalKind.TargetPrefix, prefix));
        return store.RemoveTargetPrefixAsync(prefix, cancellationToken);
    }

    /// <summary>Removes every stored response carrying <paramref name="tag"/> (ordinal). Returns how many.</summary>
    public ValueTask<int> PurgeTagAsync(string tag, CancellationToken cancellationToken = default)
    {
        Record(new(RemovalKind.Tag, tag));
        return store.RemoveTagAsync(tag, cancellationToken);
    }

    /// <summary>How many removals there have been: taken before a lookup, it dates what the request goes on to fetch.</summary>
    internal long Mark => Interlocked.Read(ref removals);

    /// <summary>Whether a removal since <paramref name="mark"/> matches <paramref name="entry"/> (or may have: see the remarks).</summary>
    internal bool RemovedSince(long mark, CachedResponse entry)
    {
        // The usual store: nothing was removed since its lookup, and no lock is needed to see that.
        if (Interlocked.Read(ref removals) == mark)
        {
            return false;
        }

        lock (gate)
        {
            var since = removals - mark;
            return since > latest.Count || latest.Skip(latest.Count - (int)since).Any(removal => removal.Matches(entry));
        }
    }

    // Recorded before the store removes anything: a write that looks after its store (StoreAccess.SetAsync) either
    // finds the removal, or stored before it was recorded and so before the store removes what it matches.
    private void Record(Removal removal)
    {
        lock (gate)
        {
            Interlocked.Increment(ref removals);
            latest.Enqueue(removal);
            if (latest.Count > Remembered)
            {
                latest.Dequeue();
            }
        }
    }

    private enum RemovalKind
    {
        Target,
        TargetPrefix,
        Tag,
    }

    private readonly record struct Removal(RemovalKind Kind, string Value)
    {
        public bool Matches(CachedResponse entry) => Kind switch
        {
            RemovalKind.Target => entry.Target == Value,
            RemovalKind.TargetPrefix => entry.Target.StartsWith(Value, StringComparison.Ordinal),
            _ => entry.Tags.Contains(Value, StringComparer.Ordinal),
        };
    }
}
