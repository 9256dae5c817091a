using Gatehouse.Forwarding;
using Gatehouse.Http;
using Yarp.ReverseProxy.Forwarder;

namespace Gatehouse.Tests.Forwarding;

public class ForwarderErrorsTests
{
    [Theory]
    [InlineData(ForwarderError.RequestCanceled)]
    [InlineData(ForwarderError.RequestBodyCanceled)]
    [InlineData(ForwarderError.ResponseBodyCanceled)]
    [InlineData(ForwarderError.RequestBodyClient)]
    [InlineData(ForwarderError.ResponseBodyClient)]
    public void TheClientsOwnFailures_AreClientSide(ForwarderError error) => Assert.True(ForwarderErrors.IsClientSide(error));

    [Theory]
    [InlineData(ForwarderError.None)]
    [InlineData(ForwarderError.Request)]
    [InlineData(ForwarderError.RequestTimedOut)]
    [InlineData(ForwarderError.RequestBodyDestination)]
    [InlineData(ForwarderError.ResponseBodyDestination)]
    [InlineData(ForwarderError.NoAvailableDestinations)]
    public void TheDestinationsFailures_AreNot(ForwarderError error) => Assert.False(ForwarderErrors.IsClientSide(error));
}
