namespace Gatehouse.Caching.Tests.Storing;

/// <summary>
/// <see cref="EntrySize.Outlook"/>: what a response's header section tells about storing it, and so whether
/// Cache-Status may say "stored" (RFC 9211 §2.5) before the body arrives.
/// </summary>
public class EntrySizeTests
{
    [Theory]
    [InlineData(0L)]
    [InlineData(500L)]
    [InlineData(724L)] // 300 + 724 = 1024: exactly the limit
    public void ContentLength_ThatFitsWithTheHeaderFields_Fits(long contentLength)
    {
        Assert.Equal(StoringOutlook.Fits, EntrySize.Outlook(contentLength, sizeWithoutBody: 300, maxEntryBytes: 1024));
    }

    // A body under the limit can still make an entry over it: the store counts header fields and overhead too.
    [Theory]
    [InlineData(725L)]
    [InlineData(1000L)]
    [InlineData(1024L)]
    [InlineData(long.MaxValue)] // must not wrap around
    public void ContentLength_ThatPassesTheLimitWithTheHeaderFields_IsTooLarge(long contentLength)
    {
        Assert.Equal(StoringOutlook.TooLarge, EntrySize.Outlook(contentLength, sizeWithoutBody: 300, maxEntryBytes: 1024));
    }

    [Fact]
    public void NoContentLength_IsSizeUnknown()
    {
        Assert.Equal(StoringOutlook.SizeUnknown, EntrySize.Outlook(null, sizeWithoutBody: 300, maxEntryBytes: 1024));
    }

    [Theory]
    [InlineData(null)]
    [InlineData(0L)]
    public void HeaderFieldsAlone_PastTheLimit_IsTooLarge(long? contentLength)
    {
        Assert.Equal(StoringOutlook.TooLarge, EntrySize.Outlook(contentLength, sizeWithoutBody: 2000, maxEntryBytes: 1024));
    }
}
