namespace Gatehouse.Caching.Storage;

/// <summary>
/// One stored response as bytes, for a store outside this process (cluster mode's Redis tier): the disk tier's entry
/// format (<see cref="DiskEntryFile"/>: the magic and version "GHC1", lengths, an XxHash3 checksum of header and body,
/// the metadata as JSON, then the body). Freshness travels as absolute times (response time, corrected initial age), so
/// another node computes the same age.
/// </summary>
public static class StoredEntryEncoding
{
    /// <summary>The bytes of <paramref name="response"/>, a complete entry (partial entries stay in memory).</summary>
    public static byte[] Encode(CachedResponse response)
    {
        ArgumentNullException.ThrowIfNull(response);
        // The format has no field for parts: a partial entry read back would pass for a whole body.
        if (response.IsPartial)
        {
            throw new ArgumentException("A partial entry has no shared encoding.", nameof(response));
        }
        var head = DiskEntryFile.EncodeHead(response);
        var bytes = new byte[head.Length + response.Body.Length];
        head.CopyTo(bytes, 0);
        response.Body.Span.CopyTo(bytes.AsSpan(head.Length));
        return bytes;
    }

    /// <summary>
    /// The name of a variant, 64 lower-case hex digits (SHA-256 of the key and the vary key): what <see cref="TryDecode"/>
    /// checks the bytes against.
    /// </summary>
    public static string NameOf(string key, string varyKey) => DiskEntryFile.NameOf(key, varyKey);

    /// <summary>
    /// The response in <paramref name="bytes"/> when every part checks out (version, lengths, checksum, metadata) and it is
    /// the variant <paramref name="name"/>; null otherwise: corrupt, truncated, or written by another format version.
    /// </summary>
    public static CachedResponse? TryDecode(byte[] bytes, string name)
    {
        ArgumentNullException.ThrowIfNull(bytes);
        return DiskEntryFile.TryDecode(bytes, name);
    }
}
