using Gatehouse.Forwarding;
using Yarp.ReverseProxy.Forwarder;

namespace Gatehouse.Tests.Forwarding;

public class RetryDecisionsTests
{
    [Theory]
    [InlineData("GET")]
    [InlineData("HEAD")]
    [InlineData("OPTIONS")]
    [InlineData("TRACE")]
    [InlineData("PUT")]
    [InlineData("DELETE")]
    [InlineData("get")]
    [InlineData("Delete")]
    public void IsIdempotent_Rfc9110Methods_True(string method)
    {
        Assert.True(RetryDecisions.IsIdempotent(method));
    }

    [Theory]
    [InlineData("POST")]
    [InlineData("PATCH")]
    [InlineData("CONNECT")]
    [InlineData("PROPFIND")]
    [InlineData("")]
    public void IsIdempotent_OtherMethods_False(string method)
    {
        Assert.False(RetryDecisions.IsIdempotent(method));
    }

    [Theory]
    [InlineData(ForwarderError.Request)]
    [InlineData(ForwarderError.RequestTimedOut)]
    [InlineData(ForwarderError.RequestBodyDestination)]
    public void IsRetryableError_BeforeAnyResponseByte_True(ForwarderError error)
    {
        Assert.True(RetryDecisions.IsRetryableError(error));
    }

    [Fact]
    public void IsRetryableError_EveryOtherError_False()
    {
        var others = Enum.GetValues<ForwarderError>().Where(e => e is not (ForwarderError.Request or ForwarderError.RequestTimedOut or ForwarderError.RequestBodyDestination)).ToList();

        Assert.Contains(ForwarderError.ResponseBodyDestination, others);
        Assert.All(others, error => Assert.False(RetryDecisions.IsRetryableError(error), error.ToString()));
    }

    [Theory]
    [InlineData("GET", false, false, false, true)]
    [InlineData("GET", true, false, false, false)]
    [InlineData("GET", true, true, false, true)]
    [InlineData("PUT", true, true, false, true)]
    [InlineData("DELETE", false, false, false, true)]
    [InlineData("POST", false, false, false, false)]
    [InlineData("POST", true, true, false, false)]
    [InlineData("POST", false, false, true, true)]
    [InlineData("POST", true, true, true, true)]
    [InlineData("POST", true, false, true, false)]
    [InlineData("PATCH", true, true, true, true)]
    public void MayReplay_MethodAndBody(string method, bool hasBody, bool bodyBuffered, bool routeAllowsUnsafe, bool expected)
    {
        Assert.Equal(expected, RetryDecisions.MayReplay(method, hasBody, bodyBuffered, routeAllowsUnsafe));
    }
}
