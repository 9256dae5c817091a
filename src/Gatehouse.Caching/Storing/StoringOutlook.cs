namespace Gatehouse.Caching;

/// <summary>What the size of a storable response tells about storing it, when only its header section is known.</summary>
internal enum StoringOutlook
{
    /// <summary>Larger than the store takes: it is streamed on and not copied.</summary>
    TooLarge,

    /// <summary>
    /// No Content-Length: it is copied while it streams and stored if it turns out to fit, but Cache-Status does not
    /// say <c>stored</c> (RFC 9211 §2.5), which the rest of the body could make false.
    /// </summary>
    SizeUnknown,

    /// <summary>Its Content-Length fits: Cache-Status may say <c>stored</c>.</summary>
    Fits,
}

/// <summary>The size side of storing (the store refuses an entry whose <see cref="Storage.CachedResponse.Size"/> passes its limit).</summary>
internal static class EntrySize
{
    /// <param name="contentLength">The response's Content-Length; null when it has none.</param>
    /// <param name="sizeWithoutBody">What the entry costs with an empty body: its stored header fields and overhead.</param>
    /// <param name="maxEntryBytes">The largest entry the store takes.</param>
    public static StoringOutlook Outlook(long? contentLength, long sizeWithoutBody, long maxEntryBytes)
    {
        if (sizeWithoutBody > maxEntryBytes)
        {
            return StoringOutlook.TooLarge;
        }
        // Compared as a difference: a Content-Length near long.MaxValue must not wrap around.
        return contentLength switch
        {
            null => StoringOutlook.SizeUnknown,
            { } length when length > maxEntryBytes - sizeWithoutBody => StoringOutlook.TooLarge,
            _ => StoringOutlook.Fits,
        };
    }
}
