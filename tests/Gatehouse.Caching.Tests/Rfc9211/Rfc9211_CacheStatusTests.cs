namespace Gatehouse.Caching.Tests.Rfc9211;

/// <summary>RFC 9211 The Cache-Status HTTP Response Header Field.</summary>
public class Rfc9211_CacheStatusTests
{
    [Fact]
    public void Hit_WithTtl()
    {
        Assert.Equal("Gatehouse; hit; ttl=376", new CacheStatus("Gatehouse") { Hit = true, TimeToLive = TimeSpan.FromSeconds(376.9) }.ToString());
    }

    [Fact]
    public void UriMiss_Stored()
    {
        var status = new CacheStatus("Gatehouse") { Forward = CacheForwardReason.UriMiss, ForwardStatus = 200, Stored = true };

        Assert.Equal("Gatehouse; fwd=uri-miss; fwd-status=200; stored", status.ToString());
    }

    [Theory]
    [InlineData(CacheForwardReason.Bypass, "bypass")]
    [InlineData(CacheForwardReason.Method, "method")]
    [InlineData(CacheForwardReason.UriMiss, "uri-miss")]
    [InlineData(CacheForwardReason.VaryMiss, "vary-miss")]
    [InlineData(CacheForwardReason.Miss, "miss")]
    [InlineData(CacheForwardReason.Request, "request")]
    [InlineData(CacheForwardReason.Stale, "stale")]
    [InlineData(CacheForwardReason.Partial, "partial")]
    public void ForwardReasons_AreTheRegisteredTokens_Section2_2(CacheForwardReason reason, string token)
    {
        Assert.Equal($"Gatehouse; fwd={token}", new CacheStatus("Gatehouse") { Forward = reason }.ToString());
    }

    // §2.1/§2.2: hit and fwd are exclusive.
    [Fact]
    public void Forward_ExcludesHit()
    {
        Assert.Equal("Gatehouse; fwd=stale; fwd-status=304", new CacheStatus("Gatehouse") { Hit = true, Forward = CacheForwardReason.Stale, ForwardStatus = 304 }.ToString());
    }

    // §2.6: collapsing tried, but a new request had to be made.
    [Fact]
    public void CollapseAttempted_IsCollapsedFalse_Section2_6()
    {
        var status = new CacheStatus("Gatehouse") { Forward = CacheForwardReason.UriMiss, ForwardStatus = 200, Collapsed = false };

        Assert.Equal("Gatehouse; fwd=uri-miss; fwd-status=200; collapsed=?0", status.ToString());
    }

    [Fact]
    public void Collapsed_NegativeTtl_KeyAndDetail()
    {
        var status = new CacheStatus("Gatehouse")
        {
            Hit = true,
            Collapsed = true,
            TimeToLive = TimeSpan.FromSeconds(-12.5),
            Key = "https://example.com/a?q=\"x\"\\y",
            Detail = "swr",
        };

        Assert.Equal("Gatehouse; hit; collapsed; ttl=-13; key=\"https://example.com/a?q=\\\"x\\\"\\\\y\"; detail=swr", status.ToString());
    }

    // RFC 8941 §3.3.3: sf-string holds printable ASCII only.
    [Fact]
    public void Key_NonAscii_IsPercentEncoded()
    {
        Assert.Equal("Gatehouse; key=\"caf%C3%A9%09tab\"", new CacheStatus("Gatehouse") { Key = "café\ttab" }.ToString());
    }

    [Fact]
    public void Detail_NotAToken_IsAString()
    {
        Assert.Equal("Gatehouse; fwd=bypass; detail=\"no cache on route\"", new CacheStatus("Gatehouse") { Forward = CacheForwardReason.Bypass, Detail = "no cache on route" }.ToString());
    }

    // §2: the cache is identified by an sf-token or, when it is not one, an sf-string.
    [Theory]
    [InlineData("Gatehouse", "Gatehouse; hit")]
    [InlineData("edge-1.example.net", "edge-1.example.net; hit")]
    [InlineData("1edge", "\"1edge\"; hit")]
    [InlineData("My Cache", "\"My Cache\"; hit")]
    public void CacheName_IsATokenOrAString_Section2(string name, string expected)
    {
        Assert.Equal(expected, new CacheStatus(name) { Hit = true }.ToString());
    }

    [Fact]
    public void Output_ParsesAsAStructuredListMember()
    {
        var value = new CacheStatus("Gatehouse") { Forward = CacheForwardReason.VaryMiss, ForwardStatus = 200, Stored = true, Collapsed = true, TimeToLive = TimeSpan.FromSeconds(60), Key = "k \"q\"", Detail = "x y" }.ToString();

        // A list member is an item with parameters; as a dictionary member it must parse the same way.
        Assert.True(StructuredDictionary.TryParse("m=" + value, out var members));
        Assert.Single(members);
    }
}
