using Gatehouse.FunctionalTests.Infrastructure;
using Gatehouse.FunctionalTests.Upstream;

namespace Gatehouse.FunctionalTests.Forwarding;

/// <summary>
/// A backend that sends what could be read two ways, as raw bytes, behind a real Gatehouse on each forwarding path.
/// On the lean path every such reply is a 502 with Gatehouse's page and its connection is never used again (the
/// backend sees a second connection). On both paths the next request gets its own answer, never bytes the bad reply
/// left behind. YARP's column records what HttpClient makes of each reply, where it differs from the lean path's 502
/// (measured): it reads Transfer-Encoding over Content-Length (RFC 9112 §6.3 allows it) and forwards the chunked body;
/// it unfolds an obs-fold, and passes over NUL, a bare CR or a bare LF inside a field, answering 200.
/// </summary>
public sealed class MalformedBackendReplyTests
{
    private const string Good = "HTTP/1.1 200 OK\r\nContent-Length: 4\r\n\r\ngood";

    public static TheoryData<string, string, string, int> Replies()
    {
        var cases = new (string Name, string Reply, int Yarp)[]
        {
            ("cl-and-te", "HTTP/1.1 200 OK\r\nContent-Length: 4\r\nTransfer-Encoding: chunked\r\n\r\n4\r\nevil\r\n0\r\n\r\n", 200),
            ("two-content-lengths", "HTTP/1.1 200 OK\r\nContent-Length: 4\r\nContent-Length: 5\r\n\r\nevil!", 502),
            ("content-length-list", "HTTP/1.1 200 OK\r\nContent-Length: 4, 4\r\n\r\nevil", 502),
            ("content-length-sign", "HTTP/1.1 200 OK\r\nContent-Length: +4\r\n\r\nevil", 502),
            ("content-length-hex", "HTTP/1.1 200 OK\r\nContent-Length: 0x4\r\n\r\nevil", 502),
            ("bad-chunk-size", "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n0x4\r\nevil\r\n0\r\n\r\n", 502),
            ("obs-fold", "HTTP/1.1 200 OK\r\nX-A: 1\r\n folded\r\nContent-Length: 4\r\n\r\nevil", 200),
            ("nul-in-value", "HTTP/1.1 200 OK\r\nX-A: a\0b\r\nContent-Length: 4\r\n\r\nevil", 200),
            ("cr-in-value", "HTTP/1.1 200 OK\r\nX-A: a\rb\r\nContent-Length: 4\r\n\r\nevil", 200),
            ("lf-in-value", "HTTP/1.1 200 OK\r\nX-A: a\nX-B: b\r\nContent-Length: 4\r\n\r\nevil", 200),
            ("http-2-status-line", "HTTP/2.0 200 OK\r\nContent-Length: 4\r\n\r\nevil", 502),
            ("not-http", "SMTP ready\r\n\r\n", 502),
        };
        var data = new TheoryData<string, string, string, int>();
        foreach (var (name, reply, yarp) in cases)
        {
            data.Add("lean", name, reply, 502);
            data.Add("yarp", name, reply, yarp);
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(Replies))]
    public async Task AnAmbiguousReply_Is502OnTheLeanPath_AndNeverReachesTheNextRequest(string forwarder, string name, string reply, int status)
    {
        await using var backend = new RawSocketBackend(n => new RawReply(n == 0 ? reply : Good));
        await using var proxy = await StartAsync(forwarder, backend);

        var first = await RawHttp.SendAsync(proxy.Address, "GET /first HTTP/1.1\r\nHost: shop.example\r\n\r\n", TimeSpan.FromSeconds(20));
        var second = await RawHttp.SendAsync(proxy.Address, "GET /second HTTP/1.1\r\nHost: shop.example\r\n\r\n", TimeSpan.FromSeconds(20));

        Assert.True(status == first.Status, $"{forwarder}/{name}: expected {status}, got {first.Status}");
        if (status == 502)
        {
            Assert.StartsWith("502 ", first.Body);
        }

        Assert.Equal((200, "good"), (second.Status, second.Body));
        if (forwarder == "lean")
        {
            Assert.Equal(2, backend.Accepted);
        }
    }

    [Theory]
    [InlineData("lean", "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok")]
    [InlineData("lean", "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nok\r\n0\r\n\r\n")]
    [InlineData("yarp", "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok")]
    [InlineData("yarp", "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nok\r\n0\r\n\r\n")]
    public async Task BytesAfterTheDeclaredEnd_AreNeverTheNextClientsResponse(string forwarder, string reply)
    {
        const string smuggled = "HTTP/1.1 200 OK\r\nContent-Length: 4\r\n\r\nevil";
        await using var backend = new RawSocketBackend(n => new RawReply(n == 0 ? reply + smuggled : Good));
        await using var proxy = await StartAsync(forwarder, backend);

        var first = await RawHttp.SendAsync(proxy.Address, "GET /first HTTP/1.1\r\nHost: shop.example\r\n\r\n", TimeSpan.FromSeconds(20));
        var second = await RawHttp.SendAsync(proxy.Address, "GET /second HTTP/1.1\r\nHost: shop.example\r\n\r\n", TimeSpan.FromSeconds(20));

        Assert.Equal((200, "ok"), (first.Status, first.Body));
        Assert.Equal((200, "good"), (second.Status, second.Body));
        Assert.Equal(2, backend.Accepted);
    }

    /// <summary>
    /// obs-text (a Latin-1 byte) in a field value: both paths decode it as Latin-1 and hand it to the same transform
    /// step, where Kestrel, which writes only ASCII response fields, refuses it; the response becomes Gatehouse's 502.
    /// </summary>
    [Theory]
    [InlineData("lean")]
    [InlineData("yarp")]
    public async Task ObsTextInAFieldValue_EndsTheSameOnBothPaths(string forwarder)
    {
        await using var backend = new RawSocketBackend(n => new RawReply(n == 0 ? "HTTP/1.1 200 OK\r\nX-Name: caf\u00e9\r\nContent-Length: 2\r\n\r\nok" : Good));
        await using var proxy = await StartAsync(forwarder, backend);

        var first = await RawHttp.SendAsync(proxy.Address, "GET /first HTTP/1.1\r\nHost: shop.example\r\n\r\n", TimeSpan.FromSeconds(20));
        var second = await RawHttp.SendAsync(proxy.Address, "GET /second HTTP/1.1\r\nHost: shop.example\r\n\r\n", TimeSpan.FromSeconds(20));

        Assert.Equal(502, first.Status);
        Assert.StartsWith("502 ", first.Body);
        Assert.Equal((200, "good"), (second.Status, second.Body));
    }

    private static Task<TestProxy> StartAsync(string forwarder, RawSocketBackend backend) =>
        TestProxy.StartAsync(Configs.SingleCluster($$"""      "raw": { "address": "http://127.0.0.1:{{backend.EndPoint.Port}}" }""",
            clusterExtra: "\"retry\": { \"enabled\": false }, \"healthCheck\": { \"passive\": { \"enabled\": false } }",
            rootExtra: $$""", "forwarder": "{{forwarder}}" """));
}
