using Gatehouse.Tls;

namespace Gatehouse.Tests.Tls;

public class SniSelectionTests
{
    private static readonly SniIndex<string> Index = SniSelection.Build<string>(
    [
        (["example.com", "www.example.com"], "main", false),
        (["*.example.com"], "wildcard", false),
        (["api.example.com", "*.example.com"], "api", true),
        (["Mixed.Example.ORG."], "mixed", false),
    ]);

    [Theory]
    [InlineData("example.com", "main")]
    [InlineData("www.example.com", "main")]
    [InlineData("api.example.com", "api")]
    [InlineData("shop.example.com", "wildcard")] // the earlier entry wins the shared wildcard
    [InlineData("SHOP.Example.Com", "wildcard")]
    [InlineData("example.com.", "main")]
    [InlineData("mixed.example.org", "mixed")]
    public void Find_ExactThenWildcard(string name, string expected) => Assert.Equal(expected, Index.Find(name));

    [Theory]
    [InlineData("a.b.example.com")] // a wildcard covers one label
    [InlineData("other.org")]
    [InlineData("com")]
    [InlineData(".example.com")]
    [InlineData("")]
    [InlineData(null)]
    public void Find_NoMatch_IsNull(string? name) => Assert.Null(Index.Find(name));

    [Theory]
    [InlineData("a.b.example.com")]
    [InlineData("other.org")]
    [InlineData(null)]
    public void Select_Unmatched_GivesTheMarkedDefault(string? name) => Assert.Equal("api", Index.Select(name));

    [Fact]
    public void Select_NoMarkedDefault_GivesTheFirst()
    {
        var index = SniSelection.Build<string>([(["b.test"], "b", false), (["a.test"], "a", false)]);

        Assert.Equal("b", index.Select("unknown.test"));
        Assert.Equal("a", index.Select("a.test"));
    }

    [Fact]
    public void Empty_SelectsNothing() => Assert.Null(SniSelection.Build<string>([]).Select("a.test"));
}
