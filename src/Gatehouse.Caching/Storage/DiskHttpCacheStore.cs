using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Gatehouse.Caching.Storage;

/// <summary>
/// Keeps responses on disk, one file per variant under <see cref="DirectoryPath"/> (format in
/// <see cref="DiskEntryFile"/>), so that they survive a restart. Bounded by the total length of its files, evicting the
/// least recently used first.
/// </summary>
/// <remarks>
/// <para>
/// A file is written under a temporary name and renamed over the final one, so a reader sees a whole old file or a
/// whole new one. Writes are not flushed to the device: after a crash of the machine (not of the process) a file can be
/// lost or damaged; its checksum keeps a damaged one from being served, and it is deleted when found.
/// </para>
/// <para>
/// The index (key → variants, target, tags, bytes, recency) is in memory and rebuilt at start-up by reading each file's
/// header; temporary files left by an interrupted write and corrupt files are deleted then. Files whose names this
/// store does not use are left alone. Recency is kept in memory, exact while the process runs; across a restart it is
/// approximated by each file's modification time, which a write sets and <see cref="Dispose"/> moves to the entry's last
/// hit (a hit itself writes nothing to the disk). After a crash, the hits since the last orderly stop are lost to it.
/// A newly created directory gets mode 0700 and files 0600 (Unix); an existing directory keeps its mode. One process at
/// a time may use a directory.
/// </para>
/// <para>
/// A write that fails (a full disk, a failing device) costs the disk copy only: the temporary file is deleted, nothing
/// is indexed, and the caller serves the response anyway. The first failure of a run is logged as a warning, at most one
/// per minute, so a full disk under load gives one line, not one per response; the first
/// write that gets through again logs how many entries were not stored meanwhile (<see cref="WriteFailures"/> counts
/// them all). Every write is tried, so storing resumes as soon as there is room.
/// </para>
/// </remarks>
public sealed class DiskHttpCacheStore : IHttpCacheStore, IDisposable
{
    /// <summary>The shortest time between two warnings of failing writes (a disk that fills, frees and fills again).</summary>
    private static readonly TimeSpan FailureWarningInterval = TimeSpan.FromMinutes(1);

    private readonly Lock gate = new();
    private readonly TimeProvider time;
    private readonly StoreIndex<DiskEntry> index = new();
    private readonly LinkedList<DiskEntry> recency = new(); // least recently used first
    private readonly ILogger logger;
    private long evictions;
    private long writeFailures;
    private long failuresInRun;
    private bool failing;
    private DateTimeOffset? lastFailureWarning;

    /// <param name="directory">Where the files are; created (0700 on Unix) when missing.</param>
    /// <param name="maxBytes">The total length of the files kept.</param>
    /// <param name="maxEntryBytes">The largest entry (<see cref="CachedResponse.Size"/>) accepted.</param>
    /// <param name="timeProvider">The clock for files' modification times; <see cref="TimeProvider.System"/> by default.</param>
    /// <param name="logger">Where failing writes are reported; none by default.</param>
    public DiskHttpCacheStore(string directory, long maxBytes, long maxEntryBytes, TimeProvider? timeProvider = null, ILogger? logger = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(directory);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(maxBytes);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(maxEntryBytes);
        DirectoryPath = Path.GetFullPath(directory);
        MaxBytes = maxBytes;
        MaxEntryBytes = Math.Min(maxEntryBytes, maxBytes);
        time = timeProvider ?? TimeProvider.System;
        this.logger = logger ?? NullLogger.Instance;
        CreateDirectory(DirectoryPath);
        Load();
    }

    public string DirectoryPath { get; }

    public long MaxBytes { get; }

    public long MaxEntryBytes { get; }

    /// <summary>Entries not stored because writing their file failed (a full disk), since the store was created.</summary>
    public long WriteFailures => Interlocked.Read(ref writeFailures);

    public HttpCacheStoreStatistics Statistics
    {
        get
        {
            lock (gate)
            {
                return new(index.Count, index.Bytes, MaxBytes, evictions);
            }
        }
    }

    public async ValueTask<IReadOnlyList<CachedResponse>> GetAsync(string key, CancellationToken cancellationToken = default)
    {
        DiskEntry[] candidates;
        lock (gate)
        {
            candidates = index.Variants(key);
            var now = time.GetUtcNow().UtcDateTime;
            foreach (var entry in candidates)
            {
                recency.Remove(entry.Node);
                recency.AddLast(entry.Node);
                entry.LastHitUtc = now;
            }
        }

        var found = new List<CachedResponse>(candidates.Length);
        foreach (var entry in candidates)
        {
            if (await ReadAsync(entry, cancellationToken).ConfigureAwait(false) is { } response)
            {
                found.Add(response);
            }
            else
            {
                DropIfCurrent(entry);
            }
        }

        return found;
    }

    public async ValueTask<bool> SetAsync(CachedResponse response, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(response);
        // Partial entries (RFC 9111 §3.3) stay in memory: the file format has no field for parts, and an older
        // Gatehouse reading one would take the held bytes for a whole body (docs/caching.md).
        if (response.Size > MaxEntryBytes || response.IsPartial)
        {
            return false;
        }

        byte[] head;
        try
        {
            head = DiskEntryFile.EncodeHead(response);
        }
        catch (Exception e) when (e is ArgumentException or InvalidOperationException or NotSupportedException)
        {
            return false; // e.g. a header value that is not valid UTF-16
        }

        var length = head.Length + (long)response.Body.Length;
        if (length > MaxBytes)
        {
            return false;
        }

        var name = DiskEntryFile.NameOf(response.Key, response.VaryKey);
        var temporary = Path.Combine(DirectoryPath, DiskEntryFile.TemporaryNameOf(name));
        try
        {
            await DiskEntryFile.WriteAsync(temporary, head, response.Body, time.GetUtcNow().UtcDateTime, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or OperationCanceledException)
        {
            TryDelete(temporary);
            if (e is OperationCanceledException)
            {
                throw;
            }

            WriteFailed(e);
            return false; // a full or failing disk costs the disk copy only
        }

        var entry = new DiskEntry(response.Key, response.VaryKey, response.Target, [.. response.Tags.Distinct(StringComparer.Ordinal)], PathOf(name), length);
        lock (gate)
        {
            if (index.Find(entry.Key, entry.VaryKey) is { } replaced)
            {
                Unindex(replaced); // its file is replaced by the rename below
            }

            while (index.Bytes + length > MaxBytes && recency.First is { } leastRecent)
            {
                EvictLocked(leastRecent.Value);
            }

            try
            {
                File.Move(temporary, entry.Path, overwrite: true);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                TryDelete(temporary);
                TryDelete(entry.Path);
                WriteFailed(e);
                return false;
            }

            Index(entry);
        }

        WriteSucceeded();
        return true;
    }

    private void WriteFailed(Exception e)
    {
        Interlocked.Increment(ref writeFailures);
        var warn = false;
        lock (gate)
        {
            failuresInRun++;
            var now = time.GetUtcNow();
            if (!failing && (lastFailureWarning is not { } last || now - last >= FailureWarningInterval))
            {
                lastFailureWarning = now;
                warn = true;
            }

            failing = true;
        }

        if (warn)
        {
            DiskStoreLog.WritesFailing(logger, DirectoryPath, e.Message);
        }
    }

    private void WriteSucceeded()
    {
        long notStored;
        lock (gate)
        {
            if (!failing)
            {
                return;
            }

            failing = false;
            notStored = failuresInRun;
            failuresInRun = 0;
        }

        DiskStoreLog.WritesRecovered(logger, DirectoryPath, notStored);
    }

    public ValueTask<bool> RemoveAsync(string key, string varyKey, CancellationToken cancellationToken = default)
    {
        lock (gate)
        {
            if (index.Find(key, varyKey) is not { } entry)
            {
                return new(false);
            }

            DeleteLocked(entry);
            return new(true);
        }
    }

    public ValueTask<int> RemoveTargetAsync(string target, CancellationToken cancellationToken = default)
    {
        lock (gate)
        {
            return new(DeleteAllLocked(index.WithTarget(target)));
        }
    }

    public ValueTask<int> RemoveTargetPrefixAsync(string prefix, CancellationToken cancellationToken = default)
    {
        lock (gate)
        {
            return new(DeleteAllLocked(index.WithTargetPrefix(prefix)));
        }
    }

    public ValueTask<int> RemoveTagAsync(string tag, CancellationToken cancellationToken = default)
    {
        lock (gate)
        {
            return new(DeleteAllLocked(index.WithTag(tag)));
        }
    }

    /// <summary>
    /// Writes each entry's last hit, if it had one since it was written, into its file's modification time, so that the
    /// next start orders eviction by it; best effort. The store stays usable.
    /// </summary>
    public void Dispose()
    {
        lock (gate)
        {
            foreach (var entry in recency)
            {
                if (entry.LastHitUtc is { } lastHit)
                {
                    try
                    {
                        File.SetLastWriteTimeUtc(entry.Path, lastHit);
                        entry.LastHitUtc = null;
                    }
                    catch (Exception e) when (e is IOException or UnauthorizedAccessException)
                    {
                    }
                }
            }
        }
    }

    /// <summary>For tests: every entry key each index refers to.</summary>
    internal StoreIndexes Indexes()
    {
        lock (gate)
        {
            return index.Describe() with { Recency = [.. recency.Select(e => new EntryKey(e.Key, e.VaryKey))] };
        }
    }

    private static void CreateDirectory(string path)
    {
        if (OperatingSystem.IsWindows())
        {
            Directory.CreateDirectory(path);
        }
        else if (!Directory.Exists(path))
        {
            Directory.CreateDirectory(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        }
    }

    /// <summary>Rebuilds the index from the files, oldest modification first, and deletes leftovers and corrupt files.</summary>
    private void Load()
    {
        var loaded = new List<(DiskEntry Entry, DateTime LastWriteUtc)>();
        foreach (var path in Directory.EnumerateFiles(DirectoryPath))
        {
            var fileName = Path.GetFileName(path);
            if (DiskEntryFile.IsTemporary(fileName))
            {
                TryDelete(path);
            }
            else if (DiskEntryFile.TryParseEntryName(fileName, out var name))
            {
                if (DiskEntryFile.TryReadHeader(path, name, out var length, out var lastWriteUtc) is { } header)
                {
                    loaded.Add((new DiskEntry(header.Key, header.VaryKey, header.Target, [.. header.Tags.Distinct(StringComparer.Ordinal)], path, length), lastWriteUtc));
                }
                else
                {
                    TryDelete(path);
                }
            }
        }

        lock (gate)
        {
            foreach (var (entry, _) in loaded.OrderBy(e => e.LastWriteUtc).ThenBy(e => e.Entry.Path, StringComparer.Ordinal))
            {
                Index(entry);
            }

            // The limit may have been lowered since the files were written.
            while (index.Bytes > MaxBytes && recency.First is { } leastRecent)
            {
                EvictLocked(leastRecent.Value);
            }
        }
    }

    private async ValueTask<CachedResponse?> ReadAsync(DiskEntry entry, CancellationToken cancellationToken)
    {
        try
        {
            var stream = DiskEntryFile.OpenRead(entry.Path);
            await using (stream.ConfigureAwait(false))
            {
                if (stream.Length > MaxBytes)
                {
                    return null;
                }

                var file = new byte[stream.Length];
                await stream.ReadExactlyAsync(file, cancellationToken).ConfigureAwait(false);
                var response = DiskEntryFile.TryDecode(file, Path.GetFileNameWithoutExtension(entry.Path));
                return response is not null && response.Key == entry.Key && response.VaryKey == entry.VaryKey ? response : null;
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null; // gone (removed meanwhile, or from outside) or unreadable
        }
    }

    /// <summary>Forgets an entry whose file could not be used, unless it was replaced or removed meanwhile.</summary>
    private void DropIfCurrent(DiskEntry entry)
    {
        lock (gate)
        {
            if (index.Find(entry.Key, entry.VaryKey) == entry)
            {
                DeleteLocked(entry);
            }
        }
    }

    private int DeleteAllLocked(IEnumerable<DiskEntry> entries)
    {
        var deleted = 0;
        foreach (var entry in entries)
        {
            DeleteLocked(entry);
            deleted++;
        }

        return deleted;
    }

    private void EvictLocked(DiskEntry entry)
    {
        DeleteLocked(entry);
        evictions++;
    }

    private void DeleteLocked(DiskEntry entry)
    {
        Unindex(entry);
        TryDelete(entry.Path);
    }

    private void Index(DiskEntry entry)
    {
        index.Add(entry);
        recency.AddLast(entry.Node);
    }

    private void Unindex(DiskEntry entry)
    {
        if (index.Remove(entry))
        {
            recency.Remove(entry.Node);
        }
    }

    private string PathOf(string name) => Path.Combine(DirectoryPath, name + DiskEntryFile.Extension);

    private static void TryDelete(string path)
    {
        try
        {
            File.Delete(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
        }
    }

    /// <summary>One indexed file. Compared by reference: a rewrite of the same variant is a new entry.</summary>
    private sealed class DiskEntry : IIndexedEntry
    {
        public DiskEntry(string key, string varyKey, string target, string[] tags, string path, long length)
        {
            Key = key;
            VaryKey = varyKey;
            Target = target;
            Tags = tags;
            Path = path;
            Length = length;
            Node = new LinkedListNode<DiskEntry>(this);
        }

        public string Key { get; }

        public string VaryKey { get; }

        public string Target { get; }

        public string[] Tags { get; }

        public string Path { get; }

        public long Length { get; }

        long IIndexedEntry.Size => Length;

        /// <summary>The last hit, while the file's modification time does not say it yet.</summary>
        public DateTime? LastHitUtc { get; set; }

        public LinkedListNode<DiskEntry> Node { get; }
    }
}
