using System.Net;
using System.Text;
using Gatehouse.Http1;
using Gatehouse.Upstream;

namespace Gatehouse.FunctionalTests.Upstream;

/// <summary>One request through a pool, body read to the end and the response disposed, as the forwarder will do.</summary>
public static class UpstreamExchange
{
    public static UpstreamRequest Get(string target = "/", string method = "GET") => new(method, target, "backend.test", [KeyValuePair.Create("Accept", "*/*")]);

    public static async Task<(ResponseHead Head, string Body)> RunAsync(UpstreamPool pool, UpstreamRequest request)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        await using var response = await pool.SendAsync(request, timeout.Token);
        using var body = new MemoryStream();
        await response.CopyBodyToAsync(body, timeout.Token);
        return (response.Head, Encoding.Latin1.GetString(body.ToArray()));
    }

    public static UpstreamPool PoolFor(IPEndPoint endPoint, UpstreamOptions? options = null) => new(endPoint, options);

    public static IPEndPoint Loopback(int port) => new(IPAddress.Loopback, port);
}
