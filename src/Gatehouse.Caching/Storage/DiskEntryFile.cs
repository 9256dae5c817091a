using System.Buffers.Binary;
using System.IO.Hashing;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace Gatehouse.Caching.Storage;

/// <summary>
/// The file of one disk entry, named <c>&lt;SHA-256 of Key NUL VaryKey, hex&gt;.entry</c>:
/// <code>
/// offset 0   "GHC1"                       magic and format version
///        4   int32 LE   header length     UTF-8 JSON of <see cref="DiskEntryHeader"/>
///        8   int64 LE   body length
///        16  uint64 LE  XxHash3 of header and body
///        24  header, then body
/// </code>
/// A file is used only when every part checks out: magic, lengths that add up to the file's length, the checksum, the
/// JSON, and a name that is the hash of the key and variant inside. Anything else is corrupt.
/// </summary>
internal static class DiskEntryFile
{
    public const string Extension = ".entry";
    public const string TemporaryExtension = ".tmp";
    private const int PreambleLength = 24;
    private const int HashHexLength = 64;

    private static ReadOnlySpan<byte> Magic => "GHC1"u8;

    /// <summary>The file name (without extension) of a variant. NUL separates the two, since a key is printable ASCII.</summary>
    public static string NameOf(string key, string varyKey)
    {
        var bytes = Encoding.UTF8.GetBytes(key + "\0" + varyKey);
        return Convert.ToHexStringLower(SHA256.HashData(bytes));
    }

    /// <summary>A temporary name next to the final one, unique per write.</summary>
    public static string TemporaryNameOf(string name) => $"{name}.{Guid.NewGuid():N}{TemporaryExtension}";

    /// <summary>The name part of an entry file name, if <paramref name="fileName"/> is one.</summary>
    public static bool TryParseEntryName(string fileName, out string name)
    {
        name = fileName.Length == HashHexLength + Extension.Length && fileName.EndsWith(Extension, StringComparison.Ordinal)
            ? fileName[..HashHexLength]
            : "";
        return name.Length > 0 && IsLowerHex(name);
    }

    /// <summary>Whether <paramref name="fileName"/> is a temporary file this store writes (and may delete).</summary>
    public static bool IsTemporary(string fileName)
    {
        // <64 hex>.<32 hex>.tmp
        const int length = HashHexLength + 1 + 32 + 4;
        return fileName.Length == length
            && fileName.EndsWith(TemporaryExtension, StringComparison.Ordinal)
            && fileName[HashHexLength] == '.'
            && IsLowerHex(fileName.AsSpan(0, HashHexLength))
            && IsLowerHex(fileName.AsSpan(HashHexLength + 1, 32));
    }

    /// <summary>The preamble and header of <paramref name="response"/>'s file; the body follows them unchanged.</summary>
    public static byte[] EncodeHead(CachedResponse response)
    {
        var header = JsonSerializer.SerializeToUtf8Bytes(DiskEntryHeader.From(response), DiskEntryJsonContext.Default.DiskEntryHeader);
        var head = new byte[PreambleLength + header.Length];
        Magic.CopyTo(head);
        BinaryPrimitives.WriteInt32LittleEndian(head.AsSpan(4), header.Length);
        BinaryPrimitives.WriteInt64LittleEndian(head.AsSpan(8), response.Body.Length);
        BinaryPrimitives.WriteUInt64LittleEndian(head.AsSpan(16), Checksum(header, response.Body.Span));
        header.CopyTo(head.AsSpan(PreambleLength));
        return head;
    }

    /// <summary>Writes a new file (0600 on Unix) and sets its modification time, which orders eviction after a restart.</summary>
    public static async Task WriteAsync(string path, byte[] head, ReadOnlyMemory<byte> body, DateTime lastWriteUtc, CancellationToken cancellationToken)
    {
        var options = new FileStreamOptions
        {
            Mode = FileMode.CreateNew,
            Access = FileAccess.Write,
            Share = FileShare.None,
            PreallocationSize = head.Length + body.Length,
        };
        if (!OperatingSystem.IsWindows())
        {
            options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        }

        var stream = new FileStream(path, options);
        await using (stream.ConfigureAwait(false))
        {
            await stream.WriteAsync(head, cancellationToken).ConfigureAwait(false);
            await stream.WriteAsync(body, cancellationToken).ConfigureAwait(false);
            await stream.FlushAsync(cancellationToken).ConfigureAwait(false);
            File.SetLastWriteTimeUtc(stream.SafeFileHandle, lastWriteUtc);
        }
    }

    /// <summary>
    /// Reads the header of the file at <paramref name="path"/> without its body (for the start-up scan), checking
    /// everything but the checksum. Null when the file is corrupt.
    /// </summary>
    public static DiskEntryHeader? TryReadHeader(string path, string name, out long fileLength, out DateTime lastWriteUtc)
    {
        fileLength = 0;
        lastWriteUtc = default;
        try
        {
            using var stream = OpenRead(path);
            fileLength = stream.Length;
            lastWriteUtc = File.GetLastWriteTimeUtc(stream.SafeFileHandle);
            Span<byte> preamble = stackalloc byte[PreambleLength];
            if (fileLength < PreambleLength || stream.ReadAtLeast(preamble, PreambleLength, throwOnEndOfStream: false) < PreambleLength
                || !TryReadPreamble(preamble, fileLength, out var headerLength, out _, out _))
            {
                return null;
            }

            var header = new byte[headerLength];
            stream.ReadExactly(header);
            return Parse(header, name);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    /// <summary>The response in a whole file, fully checked; null when <paramref name="file"/> is corrupt.</summary>
    public static CachedResponse? TryDecode(byte[] file, string name)
    {
        if (!TryReadPreamble(file, file.Length, out var headerLength, out var bodyLength, out var checksum))
        {
            return null;
        }

        var header = file.AsSpan(PreambleLength, headerLength);
        var body = new ReadOnlyMemory<byte>(file, PreambleLength + headerLength, (int)bodyLength);
        if (Checksum(header, body.Span) != checksum)
        {
            return null;
        }

        try
        {
            return Parse(header, name)?.ToResponse(body);
        }
        catch (ArgumentException)
        {
            return null; // header names that differ only in case
        }
    }

    public static FileStream OpenRead(string path) =>
        new(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete, bufferSize: 1, FileOptions.None);

    private static bool TryReadPreamble(ReadOnlySpan<byte> preamble, long fileLength, out int headerLength, out long bodyLength, out ulong checksum)
    {
        headerLength = 0;
        bodyLength = 0;
        checksum = 0;
        if (preamble.Length < PreambleLength || !preamble[..4].SequenceEqual(Magic))
        {
            return false;
        }

        headerLength = BinaryPrimitives.ReadInt32LittleEndian(preamble[4..]);
        bodyLength = BinaryPrimitives.ReadInt64LittleEndian(preamble[8..]);
        checksum = BinaryPrimitives.ReadUInt64LittleEndian(preamble[16..]);
        return headerLength > 0 && bodyLength >= 0 && bodyLength <= int.MaxValue
            && PreambleLength + (long)headerLength + bodyLength == fileLength;
    }

    private static DiskEntryHeader? Parse(ReadOnlySpan<byte> json, string name)
    {
        try
        {
            var header = JsonSerializer.Deserialize(json, DiskEntryJsonContext.Default.DiskEntryHeader);
            // The name check catches a file copied or renamed onto another entry's name, and hash collisions.
            return header is not null && NameOf(header.Key, header.VaryKey) == name && header.Headers.Values.All(v => v is not null)
                ? header
                : null;
        }
        catch (Exception e) when (e is JsonException or ArgumentException or InvalidOperationException)
        {
            return null;
        }
    }

    private static ulong Checksum(ReadOnlySpan<byte> header, ReadOnlySpan<byte> body)
    {
        var hash = new XxHash3();
        hash.Append(header);
        hash.Append(body);
        return hash.GetCurrentHashAsUInt64();
    }

    private static bool IsLowerHex(ReadOnlySpan<char> text)
    {
        foreach (var c in text)
        {
            if (c is not ((>= '0' and <= '9') or (>= 'a' and <= 'f')))
            {
                return false;
            }
        }

        return true;
    }
}
