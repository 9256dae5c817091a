using Gatehouse.Configuration;
using Gatehouse.Tls;

namespace Gatehouse.Tests.Tls;

public class HstsHeaderTests
{
    [Fact]
    public void Default_OneYear() => Assert.Equal("max-age=31536000", HstsHeader.Value(new HstsDefinition()));

    [Fact]
    public void Default_IsAtLeast180Days() =>
        Assert.True(new HstsDefinition().MaxAge.Value >= TimeSpan.FromDays(180));

    [Fact]
    public void AllDirectives() => Assert.Equal(
        "max-age=63072000; includeSubDomains; preload",
        HstsHeader.Value(new HstsDefinition { MaxAge = Duration.Parse("730d"), IncludeSubDomains = true, Preload = true }));

    [Fact]
    public void ZeroMaxAge_TellsBrowsersToForget() => Assert.Equal("max-age=0", HstsHeader.Value(new HstsDefinition { MaxAge = Duration.Parse("0s") }));

    [Fact]
    public void Disabled_NoHeader() => Assert.Null(HstsHeader.Value(new HstsDefinition { Enabled = false }));
}
