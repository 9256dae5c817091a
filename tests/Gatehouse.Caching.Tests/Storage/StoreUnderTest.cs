using Gatehouse.Caching.Storage;

namespace Gatehouse.Caching.Tests.Storage;

public enum StoreKind
{
    Memory,
    Disk,
    Tiered,
}

/// <summary>A store of each kind, with its directory cleaned up afterwards.</summary>
internal sealed class StoreUnderTest : IAsyncDisposable
{
    private readonly TempDirectory directory = new();

    public StoreUnderTest(StoreKind kind, long maxBytes = 1 << 20, long maxEntryBytes = 1 << 20)
    {
        Store = kind switch
        {
            StoreKind.Memory => new MemoryHttpCacheStore(maxBytes, maxEntryBytes),
            StoreKind.Disk => new DiskHttpCacheStore(directory.Path, maxBytes, maxEntryBytes),
            _ => new TieredHttpCacheStore(new MemoryHttpCacheStore(maxBytes, maxEntryBytes), new DiskHttpCacheStore(directory.Path, maxBytes, maxEntryBytes)),
        };
    }

    public IHttpCacheStore Store { get; }

    public async ValueTask DisposeAsync()
    {
        if (Store is IAsyncDisposable disposable)
        {
            await disposable.DisposeAsync();
        }

        directory.Dispose();
    }
}
