using Gatehouse.Protection;

namespace Gatehouse.Tests.Protection;

public class IdentityHeadersTests
{
    [Theory]
    [InlineData("Server")]
    [InlineData("server")]
    [InlineData("X-Powered-By")]
    [InlineData("X-AspNet-Version")]
    [InlineData("X-AspNetMvc-Version")]
    [InlineData("X-Backend")]
    [InlineData("X-Backend-Server")]
    [InlineData("x-backend-addr")]
    [InlineData("X-Drupal-Cache")]
    [InlineData("X-Runtime")]
    [InlineData("X-Debug-Token-Link")]
    [InlineData("Via")]
    public void Default_RemovesIdentityHeaders(string name)
    {
        Assert.True(IdentityHeaders.Default.ShouldRemove(name));
    }

    [Theory]
    [InlineData("Content-Type")]
    [InlineData("Cache-Control")]
    [InlineData("Location")]
    [InlineData("Set-Cookie")]
    [InlineData("X-Backends")]
    [InlineData("X-Drupal")]
    [InlineData("X-Request-Id")]
    [InlineData("Servers")]
    public void Default_KeepsOtherHeaders(string name)
    {
        Assert.False(IdentityHeaders.Default.ShouldRemove(name));
    }

    [Fact]
    public void Create_KeepExact_LetsOneDefaultThrough()
    {
        var headers = IdentityHeaders.Create(IdentityHeaders.Defaults, ["x-runtime", "X-Backend-Region"]);

        Assert.False(headers.ShouldRemove("X-Runtime"));
        Assert.False(headers.ShouldRemove("X-Backend-Region"));
        Assert.True(headers.ShouldRemove("X-Backend-Server"));
        Assert.True(headers.ShouldRemove("Server"));
    }

    [Fact]
    public void Create_KeepPrefix_CoversExactAndPrefixEntries()
    {
        var headers = IdentityHeaders.Create(["X-Debug-Token", "X-Debug-*", "Server"], ["X-Debug-*"]);

        Assert.False(headers.ShouldRemove("X-Debug-Token"));
        Assert.False(headers.ShouldRemove("X-Debug-Anything"));
        Assert.True(headers.ShouldRemove("Server"));
    }

    [Fact]
    public void Create_CustomList_ReplacesTheDefaults()
    {
        var headers = IdentityHeaders.Create(["X-Internal-*"], []);

        Assert.True(headers.ShouldRemove("X-Internal-Node"));
        Assert.False(headers.ShouldRemove("Server"));
    }

    [Fact]
    public void Create_EmptyList_RemovesNothing()
    {
        var headers = IdentityHeaders.Create([], []);

        Assert.True(headers.IsEmpty);
        Assert.False(headers.ShouldRemove("Server"));
    }

    [Theory]
    [InlineData("X-Drupal-*", true, "X-Drupal-")]
    [InlineData("Server", false, "Server")]
    [InlineData("*", false, "*")]
    public void IsPrefix_TrailingStar(string entry, bool isPrefix, string prefix)
    {
        Assert.Equal(isPrefix, IdentityHeaders.IsPrefix(entry, out var found));
        Assert.Equal(prefix, found);
    }
}
