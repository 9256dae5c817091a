namespace Gatehouse.Caching.Tests.Rfc9111;

/// <summary>RFC 9111 §4.3.1 Sending a Validation Request.</summary>
public class Rfc9111_4_3_1_ValidationRequestTests
{
    // §4.3.1 MUST send the entity tags of the stored response; SHOULD send its Last-Modified.
    [Fact]
    public void BothValidators_AreSent_Section4_3_1()
    {
        var lastModified = Http.Date(Http.At(-3600));
        var headers = Revalidation.ConditionalHeaders(Http.Headers(("ETag", "W/\"v1\""), ("Last-Modified", lastModified), ("Date", Http.Date(Http.Now))));

        Assert.Equal("W/\"v1\"", headers["If-None-Match"]);
        Assert.Equal(lastModified, headers["If-Modified-Since"]);
        Assert.Equal(2, headers.Count);
    }

    [Fact]
    public void OnlyETag_SendsIfNoneMatch_Section4_3_1()
    {
        var headers = Revalidation.ConditionalHeaders(Http.Headers(("ETag", "\"v1\"")));

        Assert.Equal("\"v1\"", headers["If-None-Match"]);
        Assert.False(headers.ContainsKey("If-Modified-Since"));
    }

    [Fact]
    public void NoValidator_SendsNothing()
    {
        Assert.Empty(Revalidation.ConditionalHeaders(Http.Headers(("Date", Http.Date(Http.Now)))));
    }
}
