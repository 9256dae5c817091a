using System.Collections.Concurrent;

namespace Gatehouse.Acme.Storage;

/// <summary>
/// Blobs as files in one directory: the directory is 0700 and every file 0600 (private keys live here), writes go to
/// a temporary file that is flushed and renamed over the old one (atomic on POSIX), and locks are flock()s on
/// "name.lock" files, so two processes on one host never order the same certificate at once.
/// </summary>
public sealed class FileAcmeStore : IAcmeStore
{
    private const UnixFileMode DirectoryMode = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute;
    private const UnixFileMode PrivateFileMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
    private readonly ConcurrentDictionary<string, SemaphoreSlim> _localLocks = new(StringComparer.Ordinal);
    private readonly TimeProvider _time;

    public FileAcmeStore(string directory, TimeProvider? timeProvider = null)
    {
        Directory = Path.GetFullPath(directory);
        _time = timeProvider ?? TimeProvider.System;
        if (OperatingSystem.IsWindows())
        {
            System.IO.Directory.CreateDirectory(Directory);
        }
        else
        {
            System.IO.Directory.CreateDirectory(Directory, DirectoryMode);
            // An existing directory may be wider than 0700 (created by hand): narrow it, keys are inside.
            File.SetUnixFileMode(Directory, DirectoryMode);
        }
    }

    public string Directory { get; }

    /// <summary>How often a lock held by another process is tried again.</summary>
    public TimeSpan LockPollInterval { get; init; } = TimeSpan.FromMilliseconds(100);

    public async Task<byte[]?> ReadAsync(string name, CancellationToken cancellationToken = default)
    {
        try
        {
            return await File.ReadAllBytesAsync(PathOf(name), cancellationToken);
        }
        catch (FileNotFoundException)
        {
            return null;
        }
    }

    public async Task WriteAsync(string name, byte[] content, CancellationToken cancellationToken = default)
    {
        var path = PathOf(name);
        var temporary = Path.Combine(Directory, $".{name}.{Guid.NewGuid():N}.tmp");
        var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write, Share = FileShare.None };
        if (!OperatingSystem.IsWindows())
        {
            options.UnixCreateMode = PrivateFileMode;
        }

        try
        {
            await using (var stream = new FileStream(temporary, options))
            {
                await stream.WriteAsync(content, cancellationToken);
                stream.Flush(flushToDisk: true);
            }

            File.Move(temporary, path, overwrite: true);
        }
        catch
        {
            File.Delete(temporary);
            throw;
        }
    }

    public async Task<IAsyncDisposable> LockAsync(string name, CancellationToken cancellationToken = default)
    {
        // In-process waiters queue on a semaphore; only the holder polls the file lock held by other processes.
        var local = _localLocks.GetOrAdd(name, _ => new SemaphoreSlim(1, 1));
        await local.WaitAsync(cancellationToken);
        try
        {
            var path = PathOf(name + ".lock");
            var options = new FileStreamOptions { Mode = FileMode.OpenOrCreate, Access = FileAccess.ReadWrite, Share = FileShare.None };
            if (!OperatingSystem.IsWindows())
            {
                options.UnixCreateMode = PrivateFileMode;
            }

            while (true)
            {
                try
                {
                    // FileShare.None takes flock(LOCK_EX) on Unix: released by the kernel if the process dies.
                    return new Lock(new FileStream(path, options), local);
                }
                catch (IOException) when (!cancellationToken.IsCancellationRequested)
                {
                    await Task.Delay(LockPollInterval, _time, cancellationToken);
                }
            }
        }
        catch
        {
            local.Release();
            throw;
        }
    }

    private string PathOf(string name) => AcmeStoreNames.IsValid(name)
        ? Path.Combine(Directory, name)
        : throw new ArgumentException($"'{name}' is not a valid store name", nameof(name));

    private sealed class Lock(FileStream file, SemaphoreSlim local) : IAsyncDisposable
    {
        private int _disposed;

        public async ValueTask DisposeAsync()
        {
            if (Interlocked.Exchange(ref _disposed, 1) == 0)
            {
                await file.DisposeAsync();
                local.Release();
            }
        }
    }
}
