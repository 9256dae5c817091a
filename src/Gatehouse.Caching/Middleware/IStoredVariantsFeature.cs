using Gatehouse.Caching.Storage;

namespace Gatehouse.Caching.Middleware;

/// <summary>
/// Set on a request that the cache forwards because no stored variant matches its Vary-nominated fields (Cache-Status
/// <c>fwd=vary-miss</c>), when other variants of the same URI are stored and fresh. A step below the cache that derives
/// one representation from another (a content coding applied to the identity body) can answer from them instead of the
/// origin; whatever it answers is stored as usual. The cache itself does nothing else with them.
/// </summary>
public interface IStoredVariantsFeature
{
    IReadOnlyList<StoredVariant> Fresh { get; }
}

/// <summary>A stored response and its current age (RFC 9111 §4.2.3), for an <c>Age</c> field on what is derived from it.</summary>
public readonly record struct StoredVariant(CachedResponse Response, TimeSpan Age);

internal sealed class StoredVariantsFeature(IReadOnlyList<StoredVariant> fresh) : IStoredVariantsFeature
{
    public IReadOnlyList<StoredVariant> Fresh { get; } = fresh;
}
