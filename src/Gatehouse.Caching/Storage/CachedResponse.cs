using System.Collections.Frozen;
using Microsoft.Extensions.Primitives;

namespace Gatehouse.Caching.Storage;

/// <summary>
/// One stored response: one variant (<see cref="VaryKey"/>) of one primary key (<see cref="Key"/>). Immutable and
/// shared between concurrent readers; a validation stores a new instance instead of changing this one.
/// </summary>
public sealed record CachedResponse
{
    /// <summary>The primary key, <see cref="CacheKey.ToString"/>.</summary>
    public required string Key { get; init; }

    /// <summary><see cref="CacheKey.Target"/>: what invalidation, purge by URL and purge by prefix match.</summary>
    public required string Target { get; init; }

    /// <summary>The secondary key from <see cref="Gatehouse.Caching.VaryKey"/>; empty when the response has no Vary.</summary>
    public required string VaryKey { get; init; }

    public required int StatusCode { get; init; }

    /// <summary>The stored header fields (already filtered by <see cref="StoredHeaders.Select"/>), names case-insensitive.</summary>
    public required FrozenDictionary<string, StringValues> Headers { get; init; }

    /// <summary>
    /// The whole body; for a partial entry, the bytes of its <see cref="Parts"/> one after another (<see cref="SparseBody"/>).
    /// Only complete bodies (or complete parts) are stored.
    /// </summary>
    public required ReadOnlyMemory<byte> Body { get; init; }

    /// <summary>
    /// For a partial entry (status 206, RFC 9111 §3.3): the byte ranges of one representation that <see cref="Body"/>
    /// holds, sorted and merged. Null for a complete response. Such an entry only answers ranges it covers; the disk
    /// and Redis tiers never hold one (docs/caching.md).
    /// </summary>
    public IReadOnlyList<ContentPart>? Parts { get; init; }

    /// <summary>Whether this entry holds parts of a representation rather than a whole response.</summary>
    public bool IsPartial => Parts is not null;

    /// <summary>The held parts and their bytes; only for a partial entry.</summary>
    public SparseBody SparseBody => new(Parts ?? throw new InvalidOperationException("not a partial entry"), Body);

    public required Freshness Freshness { get; init; }

    /// <summary>Purge tags, from the route's tag header (such as Cache-Tag or Surrogate-Key).</summary>
    public IReadOnlyList<string> Tags { get; init; } = [];

    /// <summary>
    /// What the cache derives from this response once and reuses on every hit (the header section a hit sends); not part
    /// of the record's value. A copy made with <c>with</c> shares it, so whatever is kept there says which
    /// <see cref="Headers"/> it was derived from.
    /// </summary>
    internal DerivedSlot Derived { get; } = new();

    /// <summary>What the entry costs a store: body, header text and a fixed overhead per entry.</summary>
    public long Size => Body.Length + HeaderBytes() + 256 + (Parts?.Count ?? 0) * 24L;

    public static FrozenDictionary<string, StringValues> FreezeHeaders(IEnumerable<KeyValuePair<string, StringValues>> headers) =>
        headers.ToFrozenDictionary(h => h.Key, h => h.Value, StringComparer.OrdinalIgnoreCase);

    private long HeaderBytes()
    {
        long bytes = Key.Length + Target.Length + VaryKey.Length;
        foreach (var (name, values) in Headers)
        {
            foreach (var value in values)
            {
                bytes += name.Length + (value?.Length ?? 0) + 4;
            }
        }

        return bytes;
    }
}

/// <summary>
/// A place for state derived from a <see cref="CachedResponse"/>. Every slot equals every other, so that the record's
/// value equality stays that of its data.
/// </summary>
internal sealed class DerivedSlot
{
    private object? value;

    public object? Value
    {
        get => Volatile.Read(ref value);
        set => Volatile.Write(ref this.value, value);
    }

    public override bool Equals(object? obj) => obj is DerivedSlot;

    public override int GetHashCode() => 0;
}
