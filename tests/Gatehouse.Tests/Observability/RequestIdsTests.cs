using Gatehouse.Http;
using Gatehouse.Observability;
using Microsoft.AspNetCore.Http;

namespace Gatehouse.Tests.Observability;

public class RequestIdsTests
{
    [Theory]
    [InlineData("0HN7ABC:00000001")]
    [InlineData("3f2b8c1e-9d4a-4b7e-8f00-1a2b3c4d5e6f")]
    [InlineData("YWJjZGVm+/==")]
    [InlineData("Root=1-67891233-abcdef012345678912345678")]
    public void IsWellFormed_CommonIdShapes(string id)
    {
        Assert.True(RequestIds.IsWellFormed(id));
    }

    [Theory]
    [InlineData("")]
    [InlineData(null)]
    [InlineData("has space")]
    [InlineData("quote\"d")]
    [InlineData("new\nline")]
    [InlineData("<script>")]
    [InlineData("é")]
    public void IsWellFormed_RejectsWhatCouldForgeALogOrHeader(string? id)
    {
        Assert.False(RequestIds.IsWellFormed(id));
    }

    [Fact]
    public void IsWellFormed_RejectsOverlongIds()
    {
        Assert.True(RequestIds.IsWellFormed(new string('a', RequestIds.MaxLength)));
        Assert.False(RequestIds.IsWellFormed(new string('a', RequestIds.MaxLength + 1)));
    }

    [Fact]
    public void Of_KeepsAWellFormedIncomingId_ElseTheTraceIdentifier()
    {
        var context = new DefaultHttpContext { TraceIdentifier = "trace-1" };
        Assert.Equal("trace-1", RequestIds.Of(context));

        context.Request.Headers[RequestIds.HeaderName] = "abc-123";
        Assert.Equal("abc-123", RequestIds.Of(context));

        context.Request.Headers[RequestIds.HeaderName] = "bad id";
        Assert.Equal("trace-1", RequestIds.Of(context));

        context.Request.Headers[RequestIds.HeaderName] = new Microsoft.Extensions.Primitives.StringValues(["a", "b"]);
        Assert.Equal("trace-1", RequestIds.Of(context));
    }
}
