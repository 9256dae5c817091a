using Gatehouse.FunctionalTests.Infrastructure;

namespace Gatehouse.FunctionalTests.Protection;

/// <summary>One Gatehouse, on the given forwarding path, in front of a backend that records the exact bytes it receives.</summary>
public abstract class RecordedProxy(string forwarder) : IAsyncLifetime
{
    public RecordingBackend Backend { get; private set; } = null!;

    public TestProxy Proxy { get; private set; } = null!;

    public async ValueTask InitializeAsync()
    {
        Backend = RecordingBackend.Start();
        Proxy = await TestProxy.StartAsync(Configs.SingleCluster($$"""      "raw": { "address": "{{Backend.Address}}" }""",
            clusterExtra: "\"retry\": { \"enabled\": false }",
            rootExtra: $$""", "forwarder": "{{forwarder}}", "limits": { "maxRequestLineBytes": "2KB", "maxRequestHeadersBytes": "4KB", "maxRequestHeaderCount": 20 }"""));
    }

    public async ValueTask DisposeAsync()
    {
        await Proxy.DisposeAsync();
        await Backend.DisposeAsync();
    }

    /// <summary>
    /// Sends a plain GET on a fresh connection and returns what the backend received for it. Its answer must be the
    /// backend's answer to exactly this request: nothing smuggled before it took its place.
    /// </summary>
    public async Task<string> CanaryAsync()
    {
        var before = Backend.Requests.Count;
        var response = await RawHttp.SendAsync(Proxy.Address, "GET /canary HTTP/1.1\r\nHost: shop.example\r\nConnection: close\r\n\r\n");
        Assert.Equal(200, response.Status);
        Assert.Equal($"request-{before + 1}", response.Body);
        Assert.Equal(before + 1, Backend.Requests.Count);
        var received = Backend.Requests.ToArray()[before];
        Assert.StartsWith("GET /canary ", received);
        return received;
    }
}

public sealed class RecordedLeanProxy() : RecordedProxy("lean");

public sealed class RecordedYarpProxy() : RecordedProxy("yarp");

/// <summary>Every raw-byte case below, forwarded by Gatehouse's own HTTP/1.1 client.</summary>
public sealed class StrictHttpLeanTests(RecordedLeanProxy fixture) : StrictHttpTests(fixture), IClassFixture<RecordedLeanProxy>;

/// <summary>Every raw-byte case below, forwarded by YARP's forwarder (HttpClient).</summary>
public sealed class StrictHttpYarpTests(RecordedYarpProxy fixture) : StrictHttpTests(fixture), IClassFixture<RecordedYarpProxy>;

/// <summary>
/// Strict HTTP at the edge, with raw bytes over a socket: what Gatehouse refuses never reaches the backend, and what it
/// accepts reaches it in one unambiguous form (docs/protection.md, "Strict HTTP"), on both forwarding paths.
/// </summary>
public abstract class StrictHttpTests(RecordedProxy fixture)
{
    private const string Host = "Host: shop.example\r\n";

    [Theory]
    // Framing: Content-Length with Transfer-Encoding (CL.TE and TE.CL), duplicate or invalid Content-Length, bad chunks.
    [InlineData("cl-te", "POST /a HTTP/1.1\r\n" + Host + "Content-Length: 6\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\nGET /smuggled HTTP/1.1\r\n" + Host + "\r\n", 400)]
    [InlineData("te-cl", "POST /a HTTP/1.1\r\n" + Host + "Transfer-Encoding: chunked\r\nContent-Length: 3\r\n\r\n8\r\nSMUGGLED\r\n0\r\n\r\n", 400)]
    [InlineData("duplicate-cl", "POST /a HTTP/1.1\r\n" + Host + "Content-Length: 3\r\nContent-Length: 3\r\n\r\nabc", 400)]
    [InlineData("cl-list", "POST /a HTTP/1.1\r\n" + Host + "Content-Length: 3, 3\r\n\r\nabc", 400)]
    [InlineData("cl-hex", "POST /a HTTP/1.1\r\n" + Host + "Content-Length: 0x3\r\n\r\nabc", 400)]
    [InlineData("bad-chunk-size", "POST /a HTTP/1.1\r\n" + Host + "Transfer-Encoding: chunked\r\n\r\n0x3\r\nabc\r\n0\r\n\r\n", 400)]
    [InlineData("chunk-size-plus", "POST /a HTTP/1.1\r\n" + Host + "Transfer-Encoding: chunked\r\n\r\n+5\r\nhello\r\n0\r\n\r\n", 400)]
    [InlineData("chunk-size-underscore", "POST /a HTTP/1.1\r\n" + Host + "Transfer-Encoding: chunked\r\n\r\n5_0\r\nhello\r\n0\r\n\r\n", 400)]
    [InlineData("chunk-size-leading-space", "POST /a HTTP/1.1\r\n" + Host + "Transfer-Encoding: chunked\r\n\r\n 5\r\nhello\r\n0\r\n\r\n", 400)]
    [InlineData("chunk-size-garbage-suffix", "POST /a HTTP/1.1\r\n" + Host + "Transfer-Encoding: chunked\r\n\r\n5zz\r\nhello\r\n0\r\n\r\n", 400)]
    [InlineData("chunk-size-overflow", "POST /a HTTP/1.1\r\n" + Host + "Transfer-Encoding: chunked\r\n\r\nFFFFFFFFFFFFFFFFF1\r\nhello\r\n0\r\n\r\n", 400)]
    [InlineData("chunk-data-longer-than-size", "POST /a HTTP/1.1\r\n" + Host + "Transfer-Encoding: chunked\r\n\r\n3\r\nhello\r\n0\r\n\r\n", 400)]
    [InlineData("chunk-data-shorter-than-size", "POST /a HTTP/1.1\r\n" + Host + "Transfer-Encoding: chunked\r\n\r\n5\r\nabc\r\n0\r\n\r\n", 400)]
    [InlineData("chunk-bad-after-good", "POST /a HTTP/1.1\r\n" + Host + "Transfer-Encoding: chunked\r\n\r\n3\r\nabc\r\nzz\r\nhello\r\n0\r\n\r\n", 400)]
    [InlineData("te-chunked-identity", "POST /a HTTP/1.1\r\n" + Host + "Transfer-Encoding: chunked, identity\r\n\r\n3\r\nabc\r\n0\r\n\r\n", 400)]
    [InlineData("te-gzip-chunked", "POST /a HTTP/1.1\r\n" + Host + "Transfer-Encoding: gzip, chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n", 400)]
    [InlineData("te-chunked-twice", "POST /a HTTP/1.1\r\n" + Host + "Transfer-Encoding: chunked, chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n", 400)]
    [InlineData("te-te", "POST /a HTTP/1.1\r\n" + Host + "Transfer-Encoding: chunked\r\nTransfer-Encoding: x\r\n\r\n3\r\nabc\r\n0\r\n\r\n", 400)]
    [InlineData("te-space-before-colon", "POST /a HTTP/1.1\r\n" + Host + "Transfer-Encoding : chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n", 400)]
    [InlineData("te-on-http10", "POST /a HTTP/1.0\r\n" + Host + "Transfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n", 400)]
    // Header fields: obs-fold, NUL, bare CR, bare LF, other controls, invalid names.
    [InlineData("obs-fold", "GET /a HTTP/1.1\r\n" + Host + "X-A: b\r\n c\r\n\r\n", 400)]
    [InlineData("nul-in-value", "GET /a HTTP/1.1\r\n" + Host + "X-A: b\0c\r\n\r\n", 400)]
    [InlineData("cr-in-value", "GET /a HTTP/1.1\r\n" + Host + "X-A: b\rc\r\n\r\n", 400)]
    [InlineData("lf-in-value", "GET /a HTTP/1.1\r\n" + Host + "X-A: b\nX-B: c\r\n\r\n", 400)]
    [InlineData("lf-line-ends", "GET /a HTTP/1.1\n" + Host + "\n", 400)]
    [InlineData("control-in-value", "GET /a HTTP/1.1\r\n" + Host + "X-A: a\u0001b\r\n\r\n", 400)]
    [InlineData("del-in-value", "GET /a HTTP/1.1\r\n" + Host + "X-A: a\u007fb\r\n\r\n", 400)]
    [InlineData("invalid-name", "GET /a HTTP/1.1\r\n" + Host + "X(A): b\r\n\r\n", 400)]
    [InlineData("invalid-name-at", "GET /a HTTP/1.1\r\n" + Host + "X@A: b\r\n\r\n", 400)]
    [InlineData("empty-name", "GET /a HTTP/1.1\r\n" + Host + ": b\r\n\r\n", 400)]
    // Request line: versions, HTTP/0.9, Host.
    [InlineData("http-1.2", "GET /a HTTP/1.2\r\n" + Host + "\r\n", 505)]
    [InlineData("http-2.0-text", "GET /a HTTP/2.0\r\n" + Host + "\r\n", 505)]
    [InlineData("http-garbage", "GET /a HTTP/x.y\r\n" + Host + "\r\n", 505)]
    [InlineData("http-0.9", "GET /a\r\n\r\n", 400)]
    [InlineData("space-in-target", "GET /a b HTTP/1.1\r\n" + Host + "\r\n", 400)]
    [InlineData("missing-host", "GET /a HTTP/1.1\r\n\r\n", 400)]
    [InlineData("duplicate-host", "GET /a HTTP/1.1\r\n" + Host + "Host: other.example\r\n\r\n", 400)]
    [InlineData("absolute-form-other-host", "GET http://evil.example/a HTTP/1.1\r\n" + Host + "\r\n", 400)]
    // Paths: encoded slash, backslash raw or encoded, encoded NUL.
    [InlineData("encoded-slash", "GET /a/..%2f..%2fadmin HTTP/1.1\r\n" + Host + "\r\n", 400)]
    [InlineData("encoded-slash-upper", "GET /a/..%2F..%2Fadmin HTTP/1.1\r\n" + Host + "\r\n", 400)]
    [InlineData("backslash", "GET /a/..\\admin HTTP/1.1\r\n" + Host + "\r\n", 400)]
    [InlineData("encoded-backslash", "GET /a/..%5cadmin HTTP/1.1\r\n" + Host + "\r\n", 400)]
    [InlineData("encoded-nul", "GET /a/%00b HTTP/1.1\r\n" + Host + "\r\n", 400)]
    // TRACE is refused (405, as nginx).
    [InlineData("trace", "TRACE /a HTTP/1.1\r\n" + Host + "\r\n", 405)]
    // CONNECT asks for a tunnel, which a reverse proxy does not give.
    [InlineData("connect", "CONNECT shop.example:443 HTTP/1.1\r\nHost: shop.example:443\r\n\r\n", 405)]
    public async Task Refused_NothingReachesTheBackend_AndTheNextClientGetsItsOwnAnswer(string name, string request, int status)
    {
        var before = fixture.Backend.Requests.Count;
        var leftovers = fixture.Backend.Leftovers.Count;

        var response = await RawHttp.SendAsync(fixture.Proxy.Address, request);

        Assert.True(status == response.Status, $"{name}: expected {status}, got {response.Status}");
        if (status == 400)
        {
            Assert.True(response.Closed, $"{name}: the connection stayed open after a framing error");
        }

        Assert.Equal(before, fixture.Backend.Requests.Count);
        await fixture.CanaryAsync();
        // Bodies are read before they are forwarded (requestBodyBufferBytes): not even a request head reached the backend.
        Assert.True(fixture.Backend.Leftovers.Count == leftovers, $"{name}: partial request at the backend: {string.Join(" ### ", fixture.Backend.Leftovers)}");
    }

    [Theory]
    [InlineData("GET /a HTTP/1.1\r\n" + Host + "X-A: 1\r\n\r\n", 200)]
    [InlineData("GET /{LONG} HTTP/1.1\r\n" + Host + "\r\n", 414)]
    [InlineData("GET /a HTTP/1.1\r\n" + Host + "X-Big: {LONG}{LONG}{LONG}\r\n\r\n", 431)]
    [InlineData("GET /a HTTP/1.1\r\n" + Host + "{MANY}\r\n", 431)]
    public async Task RequestLineAndHeaderLimits_Answer414And431(string request, int status)
    {
        request = request.Replace("{LONG}", new string('a', 2100), StringComparison.Ordinal)
            .Replace("{MANY}", string.Concat(Enumerable.Range(0, 25).Select(i => $"X-H{i}: v\r\n")), StringComparison.Ordinal);

        var response = await RawHttp.SendAsync(fixture.Proxy.Address, request);

        Assert.Equal(status, response.Status);
        await fixture.CanaryAsync();
    }

    [Fact]
    public async Task ContentLengthWithPlusSign_IsReadByKestrelAsDigits_AndForwardedAsPlainDigits()
    {
        var before = fixture.Backend.Requests.Count;

        var response = await RawHttp.SendAsync(fixture.Proxy.Address, "POST /a HTTP/1.1\r\n" + Host + "Content-Length: +3\r\n\r\nabc");

        Assert.Equal(200, response.Status);
        var received = fixture.Backend.Requests.ToArray()[before];
        AssertUnambiguous(received);
        Assert.Contains("\r\nContent-Length: 3\r\n", received, StringComparison.Ordinal);
        Assert.EndsWith("\r\n\r\nabc", received);
    }

    [Fact]
    public async Task WhitespaceBeforeChunked_IsOptionalWhitespace_AndTheBackendGetsGatehousesOwnFraming()
    {
        var before = fixture.Backend.Requests.Count;

        var response = await RawHttp.SendAsync(fixture.Proxy.Address,
            "POST /a HTTP/1.1\r\n" + Host + "Transfer-Encoding:\tchunked\r\n\r\n3;ext=1\r\nabc\r\n2\r\nde\r\n0\r\n\r\n");

        Assert.Equal(200, response.Status);
        var received = fixture.Backend.Requests.ToArray()[before];
        AssertUnambiguous(received);
        // Read whole first, then sent with the length Gatehouse counted: no chunked framing, no extension, one reading.
        Assert.Contains("\r\nContent-Length: 5\r\n", received, StringComparison.Ordinal);
        Assert.DoesNotContain("Transfer-Encoding", received, StringComparison.OrdinalIgnoreCase);
        Assert.EndsWith("\r\n\r\nabcde", received);
    }

    [Theory]
    [InlineData("GET /a/../b HTTP/1.1\r\n" + Host + "\r\n", "GET /b ")]
    [InlineData("GET /a/%2e%2e/b HTTP/1.1\r\n" + Host + "\r\n", "GET /b ")]
    [InlineData("GET /a/%2E%2E/%2e/b HTTP/1.1\r\n" + Host + "\r\n", "GET /b ")]
    [InlineData("GET /search/100%25 HTTP/1.1\r\n" + Host + "\r\n", "GET /search/100%25 ")]
    [InlineData("GET /a?next=%2F..%2Fx HTTP/1.1\r\n" + Host + "\r\n", "GET /a?next=%2F..%2Fx ")]
    [InlineData("GET http://shop.example/a HTTP/1.1\r\n" + Host + "\r\n", "GET /a ")]
    public async Task DotSegments_AreRemovedBeforeRouting_AndOrdinaryEscapesPassUnchanged(string request, string expectedStart)
    {
        var before = fixture.Backend.Requests.Count;

        var response = await RawHttp.SendAsync(fixture.Proxy.Address, request);

        Assert.Equal(200, response.Status);
        Assert.StartsWith(expectedStart, fixture.Backend.Requests.ToArray()[before]);
    }

    [Fact]
    public async Task UpgradeH2c_IsNeverForwarded_AndTheRequestIsServedOverHttp11()
    {
        var before = fixture.Backend.Requests.Count;

        var response = await RawHttp.SendAsync(fixture.Proxy.Address,
            "GET /a HTTP/1.1\r\n" + Host + "Connection: Upgrade, HTTP2-Settings\r\nUpgrade: h2c\r\nHTTP2-Settings: AAMAAABkAARAAAAAAAIAAAAA\r\n\r\n");

        Assert.Equal(200, response.Status);
        var received = fixture.Backend.Requests.ToArray()[before];
        Assert.DoesNotContain("h2c", received, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("HTTP2-Settings", received, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("Upgrade", received, StringComparison.OrdinalIgnoreCase);
    }

    [Theory]
    [InlineData("X-Foo")]
    [InlineData("keep-alive, X-Foo")]
    [InlineData("X-Foo, keep-alive")]
    [InlineData("close, X-Foo")]
    [InlineData("Keep-Alive,X-Foo,X-Bar")]
    public async Task EveryHeaderNamedInConnection_IsStripped_EvenNextToKeepAliveOrClose(string connection)
    {
        var before = fixture.Backend.Requests.Count;

        var response = await RawHttp.SendAsync(fixture.Proxy.Address,
            "GET /a HTTP/1.1\r\n" + Host + $"Connection: {connection}\r\nX-Foo: secret\r\nX-Bar: secret\r\nX-Kept: yes\r\n\r\n");

        Assert.Equal(200, response.Status);
        var received = fixture.Backend.Requests.ToArray()[before];
        Assert.Contains("X-Kept: yes", received, StringComparison.Ordinal);
        Assert.DoesNotContain("X-Foo", received, StringComparison.OrdinalIgnoreCase);
        if (connection.Contains("X-Bar", StringComparison.Ordinal))
        {
            Assert.DoesNotContain("X-Bar", received, StringComparison.OrdinalIgnoreCase);
        }

        Assert.Equal(connection.Contains("close", StringComparison.Ordinal), response.Closed);
    }

    [Fact]
    public async Task PipelinedRequests_AreAnsweredInOrder_EachWithItsOwnResponse()
    {
        var before = fixture.Backend.Requests.Count;

        var responses = await RawHttp.SendAllAsync(fixture.Proxy.Address,
            "GET /one HTTP/1.1\r\n" + Host + "\r\nPOST /two HTTP/1.1\r\n" + Host + "Content-Length: 3\r\n\r\nabcGET /three HTTP/1.1\r\n" + Host + "Connection: close\r\n\r\n", 3);

        Assert.Equal([200, 200, 200], responses.Select(r => r.Status));
        Assert.Equal([$"request-{before + 1}", $"request-{before + 2}", $"request-{before + 3}"], responses.Select(r => r.Body));
        var received = fixture.Backend.Requests.ToArray()[before..];
        Assert.StartsWith("GET /one ", received[0]);
        Assert.StartsWith("POST /two ", received[1]);
        Assert.EndsWith("\r\n\r\nabc", received[1]);
        Assert.StartsWith("GET /three ", received[2]);
        Assert.All(received, AssertUnambiguous);
    }

    /// <summary>No request reaching the backend has two framings, a NUL, an h2c upgrade, or a second request inside it.</summary>
    private static void AssertUnambiguous(string request)
    {
        var head = request[..request.IndexOf("\r\n\r\n", StringComparison.Ordinal)];
        var hasLength = head.Contains("\r\nContent-Length:", StringComparison.OrdinalIgnoreCase);
        var hasChunked = head.Contains("\r\nTransfer-Encoding:", StringComparison.OrdinalIgnoreCase);
        Assert.False(hasLength && hasChunked, "both Content-Length and Transfer-Encoding reached the backend");
        Assert.DoesNotContain('\0', request);
        Assert.DoesNotContain("Upgrade: h2c", request, StringComparison.OrdinalIgnoreCase);
        Assert.Equal(1, CountOccurrences(request, " HTTP/1."));
    }

    private static int CountOccurrences(string text, string value)
    {
        var count = 0;
        for (var at = text.IndexOf(value, StringComparison.Ordinal); at >= 0; at = text.IndexOf(value, at + 1, StringComparison.Ordinal))
        {
            count++;
        }

        return count;
    }
}
