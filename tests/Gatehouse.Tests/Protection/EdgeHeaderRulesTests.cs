using Gatehouse.Configuration;
using Gatehouse.Lifecycle;
using Gatehouse.Protection;
using Gatehouse.Tests.Configuration;

namespace Gatehouse.Tests.Protection;

public class EdgeHeaderRulesTests
{
    private static EdgeHeaderRules Rules(string underscores = UnderscoresInHeaders.Drop, IReadOnlyList<string>? clientIpHeaders = null) =>
        EdgeHeaderRules.From(SampleConfig.Valid() with
        {
            Http = new HttpDefinition { UnderscoresInHeaders = underscores },
            ClientIpHeaders = clientIpHeaders ?? GatehouseConfig.DefaultClientIpHeaders,
        });

    [Theory]
    [InlineData("X_Forwarded_For", false, EdgeHeaderVerdict.Drop)]
    [InlineData("Transfer_Encoding", true, EdgeHeaderVerdict.Drop)]
    [InlineData("_", false, EdgeHeaderVerdict.Drop)]
    [InlineData("X-Real-IP", false, EdgeHeaderVerdict.Drop)]
    [InlineData("x-real-ip", false, EdgeHeaderVerdict.Drop)]
    [InlineData("CF-CONNECTING-IP", false, EdgeHeaderVerdict.Drop)]
    [InlineData("X-Real-IP", true, EdgeHeaderVerdict.Keep)]
    [InlineData("X-Forwarded-For", false, EdgeHeaderVerdict.Keep)]
    [InlineData("X-Real-IPv6", false, EdgeHeaderVerdict.Keep)]
    [InlineData("Accept", false, EdgeHeaderVerdict.Keep)]
    public void Default_DropsUnderscoresAlways_AndAddressClaimsFromUntrustedPeers(string name, bool trusted, EdgeHeaderVerdict expected)
    {
        Assert.Equal(expected, Rules().Judge(name, trusted));
    }

    [Fact]
    public void Reject_And_Pass()
    {
        Assert.Equal(EdgeHeaderVerdict.Reject, Rules(UnderscoresInHeaders.Reject).Judge("X_Forwarded_For", trustedPeer: true));
        Assert.Equal(EdgeHeaderVerdict.Keep, Rules(UnderscoresInHeaders.Pass).Judge("X_Forwarded_For", trustedPeer: false));
        Assert.Equal(EdgeHeaderVerdict.Drop, Rules(UnderscoresInHeaders.Pass).Judge("X-Real-IP", trustedPeer: false));
    }

    [Fact]
    public void AppliesTo_SkipsTheLookOnlyWhenNothingCouldBeDropped()
    {
        Assert.True(Rules().AppliesTo(trustedPeer: true));
        Assert.True(Rules(UnderscoresInHeaders.Pass).AppliesTo(trustedPeer: false));
        Assert.False(Rules(UnderscoresInHeaders.Pass).AppliesTo(trustedPeer: true));
        Assert.False(Rules(UnderscoresInHeaders.Pass, []).AppliesTo(trustedPeer: false));
    }

    [Fact]
    public void Validate_BadSettings_AreReportedWithTheirPaths()
    {
        var config = SampleConfig.Valid() with
        {
            Http = new HttpDefinition { UnderscoresInHeaders = "allow" },
            ClientIpHeaders = ["X-Real-IP", "bad name", ""],
        };

        var paths = ConfigValidator.Validate(config).Select(e => e.Path).ToList();

        Assert.Equal(["clientIpHeaders[1]", "clientIpHeaders[2]", "http.underscoresInHeaders"], paths.Order(StringComparer.Ordinal));
    }
}
