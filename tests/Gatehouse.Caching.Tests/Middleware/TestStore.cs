using Gatehouse.Caching.Storage;

namespace Gatehouse.Caching.Tests.Middleware;

/// <summary>
/// A small in-memory <see cref="IHttpCacheStore"/> for the middleware's tests: one lock, no eviction, and a way to
/// await writes (a background refresh stores without any client request to wait for).
/// </summary>
internal sealed class TestStore(long maxEntryBytes = 1024 * 1024) : IHttpCacheStore
{
    private readonly Lock _gate = new();
    private readonly Dictionary<string, List<CachedResponse>> _entries = new(StringComparer.Ordinal);
    private readonly List<(int Count, TaskCompletionSource Reached)> _writeWaiters = [];
    private int _writes;

    public long MaxEntryBytes { get; } = maxEntryBytes;

    /// <summary>Runs as each write begins, before it stores: for tests of what races a write.</summary>
    public Action? DuringWrite { get; set; }

    public int Writes
    {
        get
        {
            lock (_gate)
            {
                return _writes;
            }
        }
    }

    public HttpCacheStoreStatistics Statistics
    {
        get
        {
            lock (_gate)
            {
                var all = _entries.Values.SelectMany(v => v).ToList();
                return new(all.Count, all.Sum(e => e.Size), long.MaxValue, 0);
            }
        }
    }

    /// <summary>Completes once <paramref name="count"/> entries have been written in all.</summary>
    public Task WhenWrites(int count)
    {
        lock (_gate)
        {
            if (_writes >= count)
            {
                return Task.CompletedTask;
            }
            var reached = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            _writeWaiters.Add((count, reached));
            return reached.Task;
        }
    }

    public IReadOnlyList<CachedResponse> Entries(string key)
    {
        lock (_gate)
        {
            return _entries.TryGetValue(key, out var variants) ? variants.ToList() : [];
        }
    }

    public ValueTask<IReadOnlyList<CachedResponse>> GetAsync(string key, CancellationToken cancellationToken = default) => new(Entries(key));

    public ValueTask<bool> SetAsync(CachedResponse response, CancellationToken cancellationToken = default)
    {
        DuringWrite?.Invoke();
        lock (_gate)
        {
            if (response.Size > MaxEntryBytes)
            {
                return new(false);
            }
            if (!_entries.TryGetValue(response.Key, out var variants))
            {
                _entries[response.Key] = variants = [];
            }
            variants.RemoveAll(v => v.VaryKey == response.VaryKey);
            variants.Add(response);
            _writes++;
            _writeWaiters.RemoveAll(w => _writes >= w.Count && w.Reached.TrySetResult());
            return new(true);
        }
    }

    public ValueTask<bool> RemoveAsync(string key, string varyKey, CancellationToken cancellationToken = default)
    {
        lock (_gate)
        {
            return new(_entries.TryGetValue(key, out var variants) && variants.RemoveAll(v => v.VaryKey == varyKey) > 0);
        }
    }

    public ValueTask<int> RemoveTargetAsync(string target, CancellationToken cancellationToken = default) => Remove(e => e.Target == target);

    public ValueTask<int> RemoveTargetPrefixAsync(string prefix, CancellationToken cancellationToken = default) =>
        Remove(e => e.Target.StartsWith(prefix, StringComparison.Ordinal));

    public ValueTask<int> RemoveTagAsync(string tag, CancellationToken cancellationToken = default) => Remove(e => e.Tags.Contains(tag));

    private ValueTask<int> Remove(Predicate<CachedResponse> match)
    {
        lock (_gate)
        {
            var removed = 0;
            foreach (var variants in _entries.Values)
            {
                removed += variants.RemoveAll(match);
            }
            return new(removed);
        }
    }
}
