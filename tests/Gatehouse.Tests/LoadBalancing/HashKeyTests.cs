using Gatehouse.LoadBalancing;

namespace Gatehouse.Tests.LoadBalancing;

public class HashKeyTests
{
    [Theory]
    [InlineData(null, HashKeySource.ClientIp, null)]
    [InlineData("", HashKeySource.ClientIp, null)]
    [InlineData("ip", HashKeySource.ClientIp, null)]
    [InlineData("IP", HashKeySource.ClientIp, null)]
    [InlineData("path", HashKeySource.Path, null)]
    [InlineData("header:X-User", HashKeySource.Header, "X-User")]
    [InlineData("Header:X-User", HashKeySource.Header, "X-User")]
    [InlineData("cookie:session", HashKeySource.Cookie, "session")]
    public void TryParse_Known_GivesSourceAndName(string? text, HashKeySource source, string? name)
    {
        Assert.True(HashKey.TryParse(text, out var key));
        Assert.Equal(new HashKey(source, name), key);
    }

    [Theory]
    [InlineData("header")]
    [InlineData("header:")]
    [InlineData("header: ")]
    [InlineData("cookie")]
    [InlineData("cookie:")]
    [InlineData("ip:1")]
    [InlineData("path:/a")]
    [InlineData("query:id")]
    [InlineData("client")]
    [InlineData(":x")]
    public void TryParse_Unknown_Fails(string text)
    {
        Assert.False(HashKey.TryParse(text, out _));
    }

    [Fact]
    public void TryParse_HeaderNameWithColon_KeepsEverythingAfterTheFirstColon()
    {
        Assert.True(HashKey.TryParse("header:a:b", out var key));
        Assert.Equal("a:b", key.Name);
    }
}
