namespace Gatehouse.Acme.Storage;

/// <summary>
/// Where account keys and certificates live, and how instances agree who orders what. Names are flat
/// (<see cref="AcmeStoreNames"/>: letters, digits, '.', '-', '_'). A shared implementation (e.g. Redis for a
/// cluster) lets every instance serve the same certificates and lets one of them order at a time.
/// </summary>
public interface IAcmeStore
{
    /// <summary>The blob, or null when there is none.</summary>
    Task<byte[]?> ReadAsync(string name, CancellationToken cancellationToken = default);

    /// <summary>Replaces the blob atomically: a reader sees the old or the new content, never a mix.</summary>
    Task WriteAsync(string name, byte[] content, CancellationToken cancellationToken = default);

    /// <summary>Takes an exclusive lock, across processes, held until the returned handle is disposed.</summary>
    Task<IAsyncDisposable> LockAsync(string name, CancellationToken cancellationToken = default);
}
