namespace Gatehouse.Caching.Tests.Rfc9111;

/// <summary>RFC 9111 §3.3 Storing Incomplete Responses: an incomplete response is never stored as complete.</summary>
public class Rfc9111_3_3_IncompleteResponsesTests
{
    [Fact]
    public void ContentLength_Matches_IsComplete()
    {
        Assert.True(Storability.IsComplete(Http.Headers(("Content-Length", "5")), 5));
        Assert.True(Storability.IsComplete(Http.Headers(("Content-Length", "0")), 0));
    }

    // §3.3 MUST NOT: a body shorter (or longer) than its Content-Length is not stored as complete.
    [Theory]
    [InlineData(4)]
    [InlineData(0)]
    [InlineData(6)]
    public void ContentLength_Differs_IsIncomplete_Section3_3(long received)
    {
        Assert.False(Storability.IsComplete(Http.Headers(("Content-Length", "5")), received));
    }

    [Theory]
    [InlineData("abc")]
    [InlineData("-5")]
    [InlineData("5, 6")]
    [InlineData("")]
    public void ContentLength_Invalid_IsIncomplete(string contentLength)
    {
        Assert.False(Storability.IsComplete(Http.Headers(("Content-Length", contentLength)), 5));
    }

    // RFC 9110 §8.6: a list of identical values is one value.
    [Fact]
    public void ContentLength_RepeatedIdentically_IsOneValue()
    {
        Assert.True(Storability.IsComplete(Http.Headers(("Content-Length", "5, 5")), 5));
        Assert.True(Storability.IsComplete(Http.Headers(("Content-Length", "5"), ("Content-Length", "5")), 5));
    }

    [Fact]
    public void NoContentLength_LeavesItToTheFraming()
    {
        Assert.True(Storability.IsComplete(Http.Headers(), 12345));
    }
}
