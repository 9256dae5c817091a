using Gatehouse.Configuration;
using Gatehouse.Lifecycle;

namespace Gatehouse.Tests.Configuration;

/// <summary>
/// Routes that endpoint routing could not tell apart (it would throw AmbiguousMatchException, a 500, for every
/// request they share) are refused, the way nginx refuses a duplicate location.
/// </summary>
public class AmbiguousRoutesValidationTests
{
    private static IReadOnlyList<ConfigError> Validate(params (string Id, RouteMatchDefinition Match, int? Order)[] routes) =>
        ConfigValidator.Validate(SampleConfig.Valid() with
        {
            Routes = routes.ToDictionary(r => r.Id, r => SampleConfig.WithMatch(r.Match) with { Order = r.Order }),
        });

    private static ConfigError SingleAmbiguity(params (string Id, RouteMatchDefinition Match, int? Order)[] routes)
    {
        var error = Assert.Single(Validate(routes));
        Assert.Contains("a request could not choose between them", error.Message, StringComparison.Ordinal);
        Assert.Contains("\"order\"", error.Message, StringComparison.Ordinal);
        return error;
    }

    [Fact]
    public void Validate_TwoRoutesWithTheSamePrefix_ReportsTheLaterNamingTheEarlier()
    {
        var error = SingleAmbiguity(("a", new() { PathPrefix = "/" }, null), ("b", new() { PathPrefix = "/" }, null));

        Assert.Equal(
            "routes.b.match: same match as routes.a and the same order (0); a request could not choose between them — "
            + "change one match, or give one of them a different \"order\"",
            error.ToString());
    }

    [Fact]
    public void Validate_ThreeRoutesWithTheSameMatch_ReportsEachPairOnce()
    {
        var errors = Validate(("a", new() { PathPrefix = "/x" }, null), ("b", new() { PathPrefix = "/x" }, null), ("c", new() { PathPrefix = "/x" }, null));

        Assert.Equal(
            ["routes.b.match: same match as routes.a", "routes.c.match: same match as routes.a", "routes.c.match: same match as routes.b"],
            errors.Select(e => e.ToString()[..e.ToString().IndexOf(" and the same order", StringComparison.Ordinal)]));
    }

    [Theory]
    [InlineData("/api/{**rest}")] // what pathPrefix /api maps to, with another catch-all name
    [InlineData("/API/{**gatehouse_rest}")] // literals ignore case
    [InlineData("/api/{*rest}")] // {*x} matches as {**x} does
    public void Validate_PathPrefixAndTheTemplateItMapsTo_ReportsThem(string path)
    {
        var error = SingleAmbiguity(("prefix", new() { PathPrefix = "/api" }, null), ("template", new() { Path = path }, null));

        Assert.Equal("routes.template.match", error.Path);
        Assert.Contains("routes.prefix", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Validate_TemplatesDifferingOnlyInParameterNames_ReportsThem()
    {
        SingleAmbiguity(("byId", new() { Path = "/users/{id:int}" }, null), ("byNumber", new() { Path = "/users/{number:INT}" }, null));
    }

    [Theory]
    [InlineData("/users/{id?}")]
    [InlineData("/users/{id=me}")]
    public void Validate_TemplatesDifferingOnlyInOptionalOrDefault_ReportsThem(string path)
    {
        // Neither changes the rank, and /users/42 reaches both routes.
        SingleAmbiguity(("a", new() { Path = "/users/{id}" }, null), ("b", new() { Path = path }, null));
    }

    [Fact]
    public void Validate_HostsOnlyAndPrefixSlashOnTheSameHost_ReportsThem()
    {
        // YARP gives a route without a path "/{**catchall}", the same template as pathPrefix "/".
        SingleAmbiguity(("site", new() { Hosts = ["example.com"] }, null), ("all", new() { Hosts = ["example.com"], PathPrefix = "/" }, null));
    }

    [Fact]
    public void Validate_OrderAbsentAndOrderZero_AreTheSameOrder()
    {
        SingleAmbiguity(("a", new() { PathPrefix = "/" }, null), ("b", new() { PathPrefix = "/" }, 0));
    }

    [Fact]
    public void Validate_DifferentOrder_IsValid()
    {
        Assert.Empty(Validate(("a", new() { PathPrefix = "/" }, null), ("fallback", new() { PathPrefix = "/" }, 100)));
    }

    [Theory]
    [InlineData("/api", "/apis")]
    [InlineData("/users/{id}", "/users/{id:int}")] // a constraint ranks first
    [InlineData("/users/{id}", "/users/me")]
    public void Validate_DifferentTemplates_AreValid(string left, string right)
    {
        Assert.Empty(Validate(("a", new() { Path = left }, null), ("b", new() { Path = right }, null)));
    }

    [Fact]
    public void Validate_DisjointMethods_AreValid()
    {
        Assert.Empty(Validate(("read", new() { PathPrefix = "/", Methods = ["GET", "HEAD"] }, null), ("write", new() { PathPrefix = "/", Methods = ["POST"] }, null)));
    }

    [Fact]
    public void Validate_MethodsAgainstNoMethods_IsValid()
    {
        // A route with methods ranks before one without, so routing can choose.
        Assert.Empty(Validate(("read", new() { PathPrefix = "/", Methods = ["GET"] }, null), ("rest", new() { PathPrefix = "/" }, null)));
    }

    [Fact]
    public void Validate_SameMethodsInAnotherOrderAndCase_ReportsThem()
    {
        var error = SingleAmbiguity(("a", new() { PathPrefix = "/", Methods = ["GET", "POST"] }, null), ("b", new() { PathPrefix = "/", Methods = ["post", "get"] }, null));

        Assert.StartsWith("same match as routes.a and the same order", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Validate_OverlappingMethods_ReportsTheSharedOnes()
    {
        // Both take GET and have methods, so they rank the same for a GET: that request would fail.
        var error = SingleAmbiguity(("read", new() { PathPrefix = "/", Methods = ["GET"] }, null), ("any", new() { PathPrefix = "/", Methods = ["POST", "GET"] }, null));

        Assert.StartsWith("same match as routes.read for GET requests and the same order", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Validate_SameHostsInAnotherOrderAndCase_ReportsThem()
    {
        SingleAmbiguity(
            ("a", new() { PathPrefix = "/", Hosts = ["a.example.com", "b.example.com"] }, null),
            ("b", new() { PathPrefix = "/", Hosts = ["B.EXAMPLE.COM", "a.example.com:*"] }, null));
    }

    [Fact]
    public void Validate_OverlappingHosts_ReportsTheSharedOnes()
    {
        var error = SingleAmbiguity(
            ("a", new() { PathPrefix = "/", Hosts = ["a.example.com", "b.example.com"] }, null),
            ("b", new() { PathPrefix = "/", Hosts = ["b.example.com", "c.example.com"] }, null));

        Assert.StartsWith("same match as routes.a for host b.example.com and the same order", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("example.com", "other.example")]
    [InlineData("example.com", "*.example.com")] // the exact host ranks first
    [InlineData("example.com", "example.com:8080")] // a port ranks first
    public void Validate_DifferentHosts_AreValid(string left, string right)
    {
        Assert.Empty(Validate(("a", new() { PathPrefix = "/", Hosts = [left] }, null), ("b", new() { PathPrefix = "/", Hosts = [right] }, null)));
    }

    [Fact]
    public void Validate_HostsAgainstNoHosts_IsValid()
    {
        Assert.Empty(Validate(("site", new() { PathPrefix = "/", Hosts = ["example.com"] }, null), ("all", new() { PathPrefix = "/" }, null)));
    }

    [Fact]
    public void Validate_SameHeaderMatchesInAnotherOrder_ReportsThem()
    {
        HeaderMatchDefinition beta = new() { Name = "X-Beta", Values = ["yes", "true"] };
        HeaderMatchDefinition auth = new() { Name = "Authorization", Mode = "Exists" };

        SingleAmbiguity(
            ("a", new() { PathPrefix = "/", Headers = [beta, auth] }, null),
            ("b", new() { PathPrefix = "/", Headers = [auth with { Name = "authorization", Mode = "exists" }, beta with { Values = ["TRUE", "yes"] }] }, null));
    }

    [Theory]
    [InlineData("X-Beta", "ExactHeader", false, "no")] // another value
    [InlineData("X-Beta", "HeaderPrefix", false, "yes")] // another mode
    [InlineData("X-Beta", "ExactHeader", true, "yes")] // case-sensitive
    [InlineData("X-Other", "ExactHeader", false, "yes")] // another header
    public void Validate_DifferentHeaderMatches_AreValid(string name, string mode, bool caseSensitive, string value)
    {
        HeaderMatchDefinition beta = new() { Name = "X-Beta", Values = ["yes"] };

        Assert.Empty(Validate(
            ("a", new() { PathPrefix = "/", Headers = [beta] }, null),
            ("b", new() { PathPrefix = "/", Headers = [new() { Name = name, Mode = mode, IsCaseSensitive = caseSensitive, Values = [value] }] }, null)));
    }

    [Fact]
    public void Validate_MoreHeaderMatches_IsValid()
    {
        // A route with more header matches ranks first.
        HeaderMatchDefinition beta = new() { Name = "X-Beta", Values = ["yes"] };

        Assert.Empty(Validate(("beta", new() { PathPrefix = "/", Headers = [beta] }, null), ("all", new() { PathPrefix = "/" }, null)));
    }

    [Fact]
    public void Validate_InvalidTemplates_AreLeftToYarpsCheck()
    {
        Assert.Empty(Validate(("a", new() { Path = "/{a" }, null), ("b", new() { Path = "/{a" }, null)));
    }
}
