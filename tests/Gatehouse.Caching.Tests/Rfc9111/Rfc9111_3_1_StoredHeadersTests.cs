using Microsoft.AspNetCore.Http;

namespace Gatehouse.Caching.Tests.Rfc9111;

/// <summary>RFC 9111 §3.1 Storing Header and Trailer Fields.</summary>
public class Rfc9111_3_1_StoredHeadersTests
{
    private static IHeaderDictionary Select(HeaderDictionary response) =>
        StoredHeaders.Select(response, ResponseCacheControl.FromResponse(response, CachePolicy.Default.TargetedFieldNames));

    // §3.1 MUST: all received fields are stored, including unrecognised ones.
    [Fact]
    public void AllFields_IncludingUnknownOnes_AreStored_Section3_1()
    {
        var response = Http.Headers(
            ("Content-Type", "text/plain"), ("ETag", "\"v1\""), ("X-Unknown-Extension", "a"), ("X-Unknown-Extension", "b"),
            ("Set-Cookie", "a=1"), ("Cache-Control", "max-age=60"), ("Age", "3"));

        var stored = Select(response);

        Assert.Equal(response.Count, stored.Count);
        Assert.Equal(["a", "b"], stored["X-Unknown-Extension"].ToArray());
        Assert.Equal("a=1", stored["Set-Cookie"]);
    }

    // §3.1 / RFC 9110 §7.6.1: Connection and the fields it names are removed before forwarding, so before storage.
    [Fact]
    public void ConnectionAndTheFieldsItNames_AreNotStored_Section3_1()
    {
        var response = Http.Headers(
            ("Connection", "X-Hop, keep-alive"), ("X-Hop", "1"), ("Keep-Alive", "timeout=5"), ("X-Kept", "1"));

        var stored = Select(response);

        Assert.False(stored.ContainsKey("Connection"));
        Assert.False(stored.ContainsKey("X-Hop"));
        Assert.False(stored.ContainsKey("Keep-Alive"));
        Assert.True(stored.ContainsKey("X-Kept"));
    }

    [Theory]
    [InlineData("Transfer-Encoding")]
    [InlineData("TE")]
    [InlineData("Upgrade")]
    [InlineData("Proxy-Connection")]
    [InlineData("Trailer")]
    public void ConnectionSpecificFields_AreNotStored_Section3_1(string name)
    {
        Assert.False(Select(Http.Headers((name, "x"), ("Cache-Control", "max-age=1"))).ContainsKey(name));
    }

    // §3.1 MUST NOT: fields specific to the proxy the cache uses are not stored.
    [Theory]
    [InlineData("Proxy-Authenticate")]
    [InlineData("Proxy-Authentication-Info")]
    [InlineData("Proxy-Authorization")]
    public void ProxySpecificFields_AreNotStored_Section3_1(string name)
    {
        Assert.False(Select(Http.Headers((name, "x"), ("Cache-Control", "max-age=1"))).ContainsKey(name));
    }

    // §3.1 / §5.2.2.7 MUST NOT: a shared cache does not store the fields private="…" names.
    [Fact]
    public void PrivateFieldNames_AreNotStored_Section5_2_2_7()
    {
        var response = Http.Headers(("Cache-Control", "private=\"set-cookie, X-User\", max-age=60"), ("Set-Cookie", "s=1"), ("X-User", "u"), ("X-Other", "o"));

        var stored = Select(response);

        Assert.False(stored.ContainsKey("Set-Cookie"));
        Assert.False(stored.ContainsKey("X-User"));
        Assert.True(stored.ContainsKey("X-Other"));
    }

    // §3.1 / §5.2.2.4: fields named by no-cache="…" must not be reused without validation: not stored.
    [Fact]
    public void NoCacheFieldNames_AreNotStored_Section5_2_2_4()
    {
        var response = Http.Headers(("Cache-Control", "no-cache=\"Set-Cookie\", max-age=60"), ("Set-Cookie", "s=1"), ("Content-Type", "text/html"));

        var stored = Select(response);

        Assert.False(stored.ContainsKey("Set-Cookie"));
        Assert.True(stored.ContainsKey("Content-Type"));
    }

    [Fact]
    public void FieldNamesFromTheSelectedTargetedField_Apply()
    {
        var response = Http.Headers(("CDN-Cache-Control", "max-age=60, private=\"X-User\""), ("X-User", "u"));

        Assert.False(Select(response).ContainsKey("X-User"));
    }

    [Fact]
    public void Select_DoesNotChangeItsInput()
    {
        var response = Http.Headers(("Connection", "close"), ("X-A", "1"));

        _ = Select(response);

        Assert.Equal(2, response.Count);
    }
}
