using Gatehouse.Protection;

namespace Gatehouse.Tests.Protection;

public class ErrorPageDecisionTests
{
    private static readonly ErrorPagePolicy Default = ErrorPagePolicy.Default;

    [Theory]
    [InlineData(500, "text/html", 900L)]
    [InlineData(500, "text/html; charset=utf-8", null)]
    [InlineData(500, "TEXT/PLAIN", 40L)]
    [InlineData(500, "application/xhtml+xml", 300L)]
    [InlineData(500, null, 19L)]
    [InlineData(500, "", null)]
    public void Default_A500PageForPeople_IsReplaced(int status, string? contentType, long? length)
    {
        Assert.True(ErrorPageDecision.ShouldReplace(Default, status, contentType, length));
    }

    [Theory]
    [InlineData(500, "application/json", 120L)]
    [InlineData(500, "application/problem+json", 120L)]
    [InlineData(500, "text/html", 0L)]
    [InlineData(502, "text/html", 500L)]
    [InlineData(503, "text/html; charset=utf-8", 2000L)]
    [InlineData(504, null, 10L)]
    [InlineData(404, "text/html; charset=utf-8", 150L)]
    [InlineData(404, "TEXT/PLAIN", null)]
    [InlineData(404, "application/json", 30L)]
    [InlineData(401, "application/json", null)]
    [InlineData(403, "application/xhtml+xml", 300L)]
    [InlineData(422, "text/html", 900L)]
    [InlineData(429, "text/plain", 20L)]
    [InlineData(200, "text/html", 20L)]
    [InlineData(302, "text/html", 20L)]
    public void Default_BackendPagesAndApiErrors_PassThrough(int status, string? contentType, long? length)
    {
        Assert.False(ErrorPageDecision.ShouldReplace(Default, status, contentType, length));
    }

    [Fact]
    public void NoTransform_IsHonouredEvenWhenAListNamesTheStatus()
    {
        var everything = new ErrorPagePolicy(true, StatusSet.Parse(["4xx", "5xx"]), StatusSet.Empty);

        Assert.False(ErrorPageDecision.ShouldReplace(Default, 500, "text/html", 900, noTransform: true));
        Assert.False(ErrorPageDecision.ShouldReplace(everything, 503, "application/json", 9, noTransform: true));
        Assert.True(ErrorPageDecision.ShouldReplace(everything, 503, "application/json", 9, noTransform: false));
    }

    [Theory]
    [InlineData("no-transform", true)]
    [InlineData("max-age=60, No-Transform", true)]
    [InlineData("public,no-transform,max-age=5", true)]
    [InlineData("max-age=60", false)]
    [InlineData("no-transformer", false)]
    [InlineData("", false)]
    public void HasNoTransform_ReadsTheDirective(string value, bool expected)
    {
        Assert.Equal(expected, ErrorPageDecision.HasNoTransform(value.Length == 0 ? default : new Microsoft.Extensions.Primitives.StringValues(value)));
    }

    [Fact]
    public void Disabled_ReplacesNothing()
    {
        Assert.False(ErrorPageDecision.ShouldReplace(ErrorPagePolicy.Disabled, 500, "text/html", 100));
    }

    [Fact]
    public void CustomLists_AreHonoured()
    {
        var policy = new ErrorPagePolicy(true, StatusSet.Parse(["500", "4xx"]), StatusSet.Empty);

        Assert.True(ErrorPageDecision.ShouldReplace(policy, 500, "application/json", 2));
        Assert.True(ErrorPageDecision.ShouldReplace(policy, 422, "application/json", 2));
        Assert.False(ErrorPageDecision.ShouldReplace(policy, 503, "text/html", 2));
    }

    [Theory]
    [InlineData("404", 404, 404)]
    [InlineData("5xx", 500, 599)]
    [InlineData("4XX", 400, 499)]
    [InlineData(" 503 ", 503, 503)]
    public void TryParsePattern_StatusOrClass(string pattern, int low, int high)
    {
        Assert.Equal((low, high), StatusSet.TryParsePattern(pattern));
    }

    [Theory]
    [InlineData("200")]
    [InlineData("3xx")]
    [InlineData("600")]
    [InlineData("5x0")]
    [InlineData("40")]
    [InlineData("4044")]
    [InlineData("abc")]
    [InlineData("")]
    [InlineData(null)]
    public void TryParsePattern_Rejects(string? pattern)
    {
        Assert.Null(StatusSet.TryParsePattern(pattern));
    }
}
