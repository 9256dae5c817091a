using System.Net;
using Gatehouse.FunctionalTests.Infrastructure;

namespace Gatehouse.FunctionalTests.Upstream;

/// <summary>
/// Issue 16: a client request reaches the origin at most once. Through a real Gatehouse on the lean path, a backend
/// that reads a request on a reused keep-alive connection and closes without a byte has seen the request: it is not
/// sent again (the client gets 502), whatever the method.
/// </summary>
public sealed class AtMostOnceTests
{
    private const string Good = "HTTP/1.1 200 OK\r\nContent-Length: 4\r\n\r\ngood";

    [Theory]
    [InlineData("GET")]
    [InlineData("POST")]
    public async Task ARequestTheBackendReadThenClosedOn_ReachesItOnce(string method)
    {
        await using var backend = new RawSocketBackend(n => n == 1 ? new RawReply("", CloseAfter: true) : new RawReply(Good));
        var address = $"http://127.0.0.1:{backend.EndPoint.Port}";
        await using var proxy = await TestProxy.StartAsync(Configs.SingleCluster($$"""      "d1": { "address": "{{address}}" }""", rootExtra: ", \"forwarder\": \"lean\""));

        using var first = await proxy.Client.GetAsync("/");
        Assert.Equal("good", await first.Content.ReadAsStringAsync());

        using var second = await proxy.Client.SendAsync(new HttpRequestMessage(new HttpMethod(method), "/"));

        Assert.Equal(HttpStatusCode.BadGateway, second.StatusCode);
        Assert.Equal(2, backend.Requests);
        Assert.Equal(1, backend.Accepted);
    }
}
