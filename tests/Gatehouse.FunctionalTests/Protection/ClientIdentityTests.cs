using System.Net;
using System.Text.Json;
using Gatehouse.FunctionalTests.Infrastructure;
using static Gatehouse.FunctionalTests.Protection.ProtectionHelpers;

namespace Gatehouse.FunctionalTests.Protection;

/// <summary>X-Forwarded-*/Forwarded from clients: believed only from trusted proxies, overwritten otherwise (a real echo backend).</summary>
public sealed class ClientIdentityTests
{
    private static HttpRequestMessage Spoofed(string path = "/x")
    {
        var request = new HttpRequestMessage(HttpMethod.Get, path);
        request.Headers.Host = "shop.example";
        request.Headers.TryAddWithoutValidation("X-Forwarded-For", "6.6.6.6, 203.0.113.7");
        request.Headers.TryAddWithoutValidation("X-Forwarded-Proto", "https");
        request.Headers.TryAddWithoutValidation("X-Forwarded-Host", "evil.example");
        request.Headers.TryAddWithoutValidation("X-Forwarded-Prefix", "/evil");
        request.Headers.TryAddWithoutValidation("Forwarded", "for=6.6.6.6;proto=https");
        return request;
    }

    [Fact]
    public async Task UntrustedClient_ForwardingHeadersAreOverwritten_NeverPassedThrough()
    {
        await using var echo = await TestBackend.StartAsync("echo", EchoHeaders);
        await using var proxy = await TestProxy.StartAsync(Config(echo));

        using var request = Spoofed();
        var headers = await EchoedAsync(await proxy.Client.SendAsync(request));

        Assert.Equal("127.0.0.1", headers["x-forwarded-for"]);
        Assert.Equal("http", headers["x-forwarded-proto"]);
        Assert.Equal("shop.example", headers["x-forwarded-host"]);
        Assert.False(headers.ContainsKey("x-forwarded-prefix"));
        Assert.False(headers.ContainsKey("forwarded"));
    }

    [Fact]
    public async Task UntrustedClient_RouteWithYarpsAppendTransform_AppendsToNothingTheClientSent()
    {
        await using var echo = await TestBackend.StartAsync("echo", EchoHeaders);
        await using var proxy = await TestProxy.StartAsync(Config(echo, routeExtra: """, "transforms": [ { "X-Forwarded": "Append" } ]"""));

        using var request = Spoofed();
        var headers = await EchoedAsync(await proxy.Client.SendAsync(request));

        Assert.Equal("127.0.0.1", headers["x-forwarded-for"]);
        Assert.Equal("http", headers["x-forwarded-proto"]);
        Assert.False(headers.ContainsKey("forwarded"));
    }

    [Fact]
    public async Task TrustedProxy_ClientBehindItIsResolved_ForTheBackendTheLogAndTheIpLists()
    {
        await using var echo = await TestBackend.StartAsync("echo", EchoHeaders);
        var logPath = Path.Combine(Path.GetTempPath(), $"gatehouse-access-{Guid.NewGuid():N}.log");
        var proxy = await TestProxy.StartAsync(Config(echo, rootExtra: $$"""
            , "trustedProxies": ["127.0.0.0/8"]
            , "accessControl": { "deny": ["198.51.100.0/24"] }
            """).Replace("\"accessLog\": { \"enabled\": false }", $"\"accessLog\": {{ \"format\": \"json\", \"path\": \"{logPath}\" }}", StringComparison.Ordinal));
        Dictionary<string, string> headers;
        try
        {
            using var request = Spoofed();
            request.Headers.Remove("Forwarded");
            headers = await EchoedAsync(await proxy.Client.SendAsync(request));

            using var denied = new HttpRequestMessage(HttpMethod.Get, "/x");
            denied.Headers.TryAddWithoutValidation("X-Forwarded-For", "198.51.100.9");
            using var deniedResponse = await proxy.Client.SendAsync(denied);
            Assert.Equal(HttpStatusCode.Forbidden, deniedResponse.StatusCode);
        }
        finally
        {
            await proxy.DisposeAsync();
        }

        // 6.6.6.6 is what the client claimed before the first untrusted hop: dropped.
        Assert.Equal("203.0.113.7, 127.0.0.1", headers["x-forwarded-for"]);
        Assert.Equal("https", headers["x-forwarded-proto"]);
        Assert.Equal("evil.example", headers["x-forwarded-host"]);
        Assert.False(headers.ContainsKey("forwarded"));

        var lines = await File.ReadAllLinesAsync(logPath);
        File.Delete(logPath);
        Assert.Equal(2, lines.Length);
        using var first = JsonDocument.Parse(lines[0]);
        using var second = JsonDocument.Parse(lines[1]);
        Assert.Equal("203.0.113.7", first.RootElement.GetProperty("remote_addr").GetString());
        Assert.Equal("198.51.100.9", second.RootElement.GetProperty("remote_addr").GetString());
        Assert.Equal(403, second.RootElement.GetProperty("status").GetInt32());
    }

    [Fact]
    public async Task TrustedProxy_Rfc7239Forwarded_IsReadWhenPresent()
    {
        await using var echo = await TestBackend.StartAsync("echo", EchoHeaders);
        await using var proxy = await TestProxy.StartAsync(Config(echo, rootExtra: """, "trustedProxies": ["127.0.0.1"]"""));

        using var request = new HttpRequestMessage(HttpMethod.Get, "/x");
        request.Headers.TryAddWithoutValidation("Forwarded", "for=\"[2001:db8::5]:4711\";proto=https;host=shop.example");
        var headers = await EchoedAsync(await proxy.Client.SendAsync(request));

        Assert.Equal("2001:db8::5, 127.0.0.1", headers["x-forwarded-for"]);
        Assert.Equal("https", headers["x-forwarded-proto"]);
        Assert.Equal("shop.example", headers["x-forwarded-host"]);
        Assert.False(headers.ContainsKey("forwarded"));
    }

    [Fact]
    public async Task TrustedProxyListThatDoesNotCoverThePeer_BelievesNothing()
    {
        await using var echo = await TestBackend.StartAsync("echo", EchoHeaders);
        await using var proxy = await TestProxy.StartAsync(Config(echo, rootExtra: """, "trustedProxies": ["10.0.0.0/8", "::1"]"""));

        using var request = Spoofed();
        var headers = await EchoedAsync(await proxy.Client.SendAsync(request));

        Assert.Equal("127.0.0.1", headers["x-forwarded-for"]);
        Assert.Equal("http", headers["x-forwarded-proto"]);
    }
}
