using Gatehouse.Protection;

namespace Gatehouse.Tests.Protection;

public class RequestBodyBufferingDecisionTests
{
    private const long Limit = 65536;

    [Theory]
    [InlineData(Limit, true, 10L, "application/json", false, BodyBuffering.Whole)]
    [InlineData(Limit, true, Limit, null, false, BodyBuffering.Whole)]
    [InlineData(Limit, true, Limit + 1, "text/plain", false, BodyBuffering.None)]
    [InlineData(Limit, true, null, "application/x-www-form-urlencoded", false, BodyBuffering.UpToLimit)]
    [InlineData(Limit, false, null, null, false, BodyBuffering.None)]
    [InlineData(0L, true, 10L, "application/json", false, BodyBuffering.None)]
    [InlineData(Limit, true, null, null, true, BodyBuffering.None)]
    [InlineData(Limit, true, 10L, "application/grpc", false, BodyBuffering.None)]
    [InlineData(Limit, true, null, "application/grpc+proto", false, BodyBuffering.None)]
    [InlineData(Limit, true, null, "Application/GRPC-Web", false, BodyBuffering.None)]
    public void Decide(long limit, bool hasBody, long? contentLength, string? contentType, bool isStream, BodyBuffering expected)
    {
        Assert.Equal(expected, RequestBodyBufferingDecision.Decide(limit, hasBody, contentLength, contentType, isStream));
    }
}
