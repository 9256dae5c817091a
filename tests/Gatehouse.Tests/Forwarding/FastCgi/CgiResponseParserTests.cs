using System.Text;
using Gatehouse.Forwarding;

namespace Gatehouse.Tests.Forwarding.FastCgi;

public sealed class CgiResponseParserTests
{
    private static (CgiParseResult Result, CgiResponseHead? Head, string? Error) Parse(string stdout, int max = 1024)
    {
        var result = CgiResponseParser.TryParse(Encoding.Latin1.GetBytes(stdout), max, out var head, out var error);
        return (result, head, error);
    }

    [Fact]
    public void Fields_NoStatus_Is200_AndTheBodyStartsAfterTheEmptyLine()
    {
        var (result, head, _) = Parse("Content-Type: text/html\r\nX-A:  b \r\n\r\nbody");
        Assert.Equal(CgiParseResult.Complete, result);
        Assert.Equal(200, head!.StatusCode);
        Assert.Equal([KeyValuePair.Create("Content-Type", "text/html"), KeyValuePair.Create("X-A", "b")], head.Fields);
        Assert.Equal("Content-Type: text/html\r\nX-A:  b \r\n\r\n".Length, head.Length);
    }

    [Fact]
    public void StatusField_IsTheStatus_AndNotAField()
    {
        var (_, head, _) = Parse("Status: 404 Not Found\r\nContent-Type: text/plain\r\n\r\n");
        Assert.Equal(404, head!.StatusCode);
        Assert.Equal("Not Found", head.Reason);
        Assert.DoesNotContain(head.Fields, f => f.Key == "Status");
    }

    [Fact]
    public void LocationWithoutStatus_Is302() => Assert.Equal(302, Parse("Location: /next\n\n").Head!.StatusCode);

    [Fact]
    public void BareLineFeeds_AreAccepted() => Assert.Equal(CgiParseResult.Complete, Parse("Content-Type: a\n\nbody").Result);

    [Fact]
    public void NoEmptyLineYet_NeedsMore() => Assert.Equal(CgiParseResult.NeedMore, Parse("Content-Type: text/html\r\nX-Par").Result);

    [Theory]
    [InlineData("no colon here\r\n\r\n")]
    [InlineData(": empty name\r\n\r\n")]
    [InlineData("Bad Name: x\r\n\r\n")]
    [InlineData("X-A: one\r\n folded\r\n\r\n")]
    [InlineData("X-A: bell\a\r\n\r\n")]
    [InlineData("X-A: nul\0\r\n\r\n")]
    [InlineData("Status: abc\r\n\r\n")]
    [InlineData("Status: 20\r\n\r\n")]
    [InlineData("Status: 099 Low\r\n\r\n")]
    [InlineData("Status: 200\r\nStatus: 500\r\n\r\n")]
    public void Malformed_IsInvalid(string stdout)
    {
        var (result, _, error) = Parse(stdout);
        Assert.Equal(CgiParseResult.Invalid, result);
        Assert.NotNull(error);
    }

    [Fact]
    public void HeadOverTheLimit_IsInvalid_WithOrWithoutItsEnd()
    {
        Assert.Equal(CgiParseResult.Invalid, Parse("X-A: " + new string('a', 2000), max: 1024).Result);
        Assert.Equal(CgiParseResult.Invalid, Parse("X-A: " + new string('a', 2000) + "\r\n\r\n", max: 1024).Result);
    }

    [Fact]
    public void TooManyFields_IsInvalid()
    {
        var head = string.Concat(Enumerable.Range(0, CgiResponseParser.MaxFields + 1).Select(i => $"X-{i}: v\r\n")) + "\r\n";
        Assert.Equal(CgiParseResult.Invalid, Parse(head, max: 100_000).Result);
    }
}
