using System.Net;
using System.Security.Cryptography.X509Certificates;
using System.Text.Json;
using Gatehouse.FunctionalTests.Infrastructure;
using Gatehouse.FunctionalTests.Tls;
using Gatehouse.Http;

namespace Gatehouse.FunctionalTests.Protection;

/// <summary>
/// Acceptance for hiding the backends: through Gatehouse, a deliberately leaky backend shows nothing of itself — not
/// its software, not its address, not its stack traces, not its framework's default pages — while what its clients
/// need (redirects, cookies, API errors, Retry-After) still works.
/// </summary>
public sealed class HideBackendTests : IDisposable
{
    /// <summary>How the client reaches Gatehouse: a case here, in <see cref="StartProxyAsync"/> and in <see cref="CreateClient"/>.</summary>
    public enum ListenerKind
    {
        Http,
        Https,
    }

    public static TheoryData<ListenerKind> Listeners => new(ListenerKind.Http, ListenerKind.Https);

    /// <summary>For HTTPS: a test CA and a default certificate, generated in-process.</summary>
    private readonly TestPki _pki = TestPki.Create();

    private static readonly string[] LeakyPaths =
    [
        "/ok", "/redirect", "/created", "/refresh", "/cookie", "/crash", "/crash-page", "/api-crash", "/unavailable", "/apache-404", "/api-404",
        "/form-422", "/nothing-here",
    ];

    /// <summary>The backend's own pages: content it means its clients to see, passed byte for byte by default.</summary>
    private static readonly string[] DesignedPages = ["/apache-404", "/unavailable", "/api-crash", "/api-404", "/form-422", "/nothing-here", "/no-transform-500"];

    /// <summary>A 500 page for people: an unhandled exception's page, replaced by default.</summary>
    private static readonly string[] ExceptionPages = ["/crash", "/crash-page"];

    /// <summary>The settings before backend pages became content: every 5xx, and the 4xx pages servers answer on their own.</summary>
    private const string ReplaceEveryServerPage =
        """, "hideBackend": { "replaceErrorPages": { "statuses": [ "5xx" ], "pageStatuses": [ 400, 401, 403, 404, 405, 408, 413, 414, 431 ] } }""";

    [Theory]
    [MemberData(nameof(Listeners))]
    public async Task Default_NoIdentityAddressOrStackTrace_ReachesTheClient_AndDesignedPagesPassByteForByte(ListenerKind kind)
    {
        await using var backend = await LeakyBackend.StartAsync();
        await using var proxy = await StartProxyAsync(kind, Config(backend));
        using var client = CreateClient(kind, proxy);
        using var direct = new HttpClient { BaseAddress = new Uri(backend.Address) };

        foreach (var path in LeakyPaths.Concat(["/no-transform-500"]))
        {
            using var response = await client.GetAsync(path);
            var headers = response.ToString() + "\n" + string.Join("\n", response.Headers.Concat(response.Content.Headers).Select(h => $"{h.Key}: {string.Join(", ", h.Value)}"));
            var body = await response.Content.ReadAsByteArrayAsync();
            foreach (var secret in backend.Secrets)
            {
                Assert.False(headers.Contains(secret, StringComparison.OrdinalIgnoreCase), $"GET {path} leaked '{secret}' in its head:\n{headers}");
            }

            Assert.Equal("kept", Assert.Single(response.Headers.GetValues("X-App")));
            if (ExceptionPages.Contains(path))
            {
                var text = System.Text.Encoding.UTF8.GetString(body);
                Assert.Equal(HttpStatusCode.InternalServerError, response.StatusCode);
                Assert.StartsWith("500 Internal Server Error\nRequest id: ", text, StringComparison.Ordinal);
                Assert.DoesNotContain(LeakyBackend.StackFrameMarker, text, StringComparison.Ordinal);
            }
            else if (DesignedPages.Contains(path))
            {
                using var original = await direct.GetAsync(path);
                Assert.Equal(original.StatusCode, response.StatusCode);
                Assert.Equal(original.Content.Headers.ContentType?.ToString(), response.Content.Headers.ContentType?.ToString());
                Assert.Equal(await original.Content.ReadAsByteArrayAsync(), body);
            }
        }
    }

    [Theory]
    [MemberData(nameof(Listeners))]
    public async Task ReplacingEveryServerPage_NoIdentityAddressStackTraceOrDefaultPage_ReachesTheClient(ListenerKind kind)
    {
        await using var backend = await LeakyBackend.StartAsync();
        await using var proxy = await StartProxyAsync(kind, Config(backend, rootExtra: ReplaceEveryServerPage));
        using var client = CreateClient(kind, proxy);

        foreach (var path in LeakyPaths)
        {
            foreach (var accept in new[] { "text/html", "*/*" })
            {
                using var request = new HttpRequestMessage(HttpMethod.Get, path);
                request.Headers.TryAddWithoutValidation("Accept", accept);
                using var response = await client.SendAsync(request);
                var everything = response.ToString() + "\n" + string.Join("\n", response.Headers.Concat(response.Content.Headers).Select(h => $"{h.Key}: {string.Join(", ", h.Value)}"))
                    + "\n" + await response.Content.ReadAsStringAsync();

                foreach (var secret in backend.Secrets)
                {
                    Assert.False(everything.Contains(secret, StringComparison.OrdinalIgnoreCase), $"GET {path} (Accept: {accept}) leaked '{secret}':\n{everything}");
                }

                Assert.Equal("kept", Assert.Single(response.Headers.GetValues("X-App")));
            }
        }
    }

    [Theory]
    [MemberData(nameof(Listeners))]
    public async Task BackendAddresses_InLocationContentLocationRefreshAndCookies_BecomeThePublicHost(ListenerKind kind)
    {
        await using var backend = await LeakyBackend.StartAsync();
        await using var proxy = await StartProxyAsync(kind, Config(backend));
        using var client = CreateClient(kind, proxy);
        var origin = $"{proxy.Address.Scheme}://{proxy.Address.Authority}";

        using var redirect = await client.GetAsync("/redirect");
        Assert.Equal(HttpStatusCode.Found, redirect.StatusCode);
        Assert.Equal($"{origin}/login?next=%2Fok", redirect.Headers.Location!.OriginalString);

        using var created = await client.GetAsync("/created");
        Assert.Equal($"{origin}/items/7", created.Headers.Location!.OriginalString);
        Assert.Equal($"{origin}/items/7", created.Content.Headers.ContentLocation!.OriginalString);

        using var refresh = await client.GetAsync("/refresh");
        Assert.Equal($"3; url={origin}/next", Assert.Single(refresh.Headers.GetValues("Refresh")));

        // The client names the public host itself: that is the one written back.
        using var named = new HttpRequestMessage(HttpMethod.Get, "/redirect");
        named.Headers.Host = "shop.example";
        using var namedResponse = await client.SendAsync(named);
        Assert.Equal($"{proxy.Address.Scheme}://shop.example/login?next=%2Fok", namedResponse.Headers.Location!.OriginalString);

        using var cookies = await client.GetAsync("/cookie");
        Assert.Equal(["sid=abc; Path=/; HttpOnly", "theme=dark; Path=/"], cookies.Headers.GetValues("Set-Cookie"));
    }

    [Theory]
    [MemberData(nameof(Listeners))]
    public async Task ExceptionPages_AreAnsweredWithGatehousePages_WithTheSameStatusTheBackendsCachingHeadersAndARequestId(ListenerKind kind)
    {
        await using var backend = await LeakyBackend.StartAsync();
        await using var proxy = await StartProxyAsync(kind, Config(backend));
        using var client = CreateClient(kind, proxy);

        using var crash = await client.GetAsync("/crash");
        Assert.Equal(HttpStatusCode.InternalServerError, crash.StatusCode);
        Assert.Equal("text/plain", crash.Content.Headers.ContentType!.MediaType);
        var id = Assert.Single(crash.Headers.GetValues("X-Request-Id"));
        Assert.Equal($"500 Internal Server Error\nRequest id: {id}\n", await crash.Content.ReadAsStringAsync());

        // The backend's other headers stay: its caching headers still say how long the error may be reused.
        using var page = await client.GetAsync("/crash-page");
        Assert.Equal(HttpStatusCode.InternalServerError, page.StatusCode);
        Assert.Equal(TimeSpan.FromSeconds(5), page.Headers.CacheControl!.MaxAge);
        Assert.StartsWith("500 Internal Server Error\n", await page.Content.ReadAsStringAsync(), StringComparison.Ordinal);

        // A well-formed request id from the client (or a balancer in front) is kept; a malformed one is not.
        using var withId = new HttpRequestMessage(HttpMethod.Get, "/crash");
        withId.Headers.Add("X-Request-Id", "lb-4f2a9c");
        using var replaced = await client.SendAsync(withId);
        Assert.Equal("lb-4f2a9c", Assert.Single(replaced.Headers.GetValues("X-Request-Id")));
        Assert.Equal("500 Internal Server Error\nRequest id: lb-4f2a9c\n", await replaced.Content.ReadAsStringAsync());

        using var badId = new HttpRequestMessage(HttpMethod.Get, "/crash");
        badId.Headers.TryAddWithoutValidation("X-Request-Id", "<script>");
        using var badIdResponse = await client.SendAsync(badId);
        Assert.NotEqual("<script>", Assert.Single(badIdResponse.Headers.GetValues("X-Request-Id")));

        using var head = await client.SendAsync(new HttpRequestMessage(HttpMethod.Head, "/crash"));
        Assert.Equal(HttpStatusCode.InternalServerError, head.StatusCode);
        Assert.Empty(await head.Content.ReadAsByteArrayAsync());
    }

    [Theory]
    [MemberData(nameof(Listeners))]
    public async Task BackendPages_PassByDefault_NoTransformAlways_AndReplacingMoreIsARouteSetting(ListenerKind kind)
    {
        await using var backend = await LeakyBackend.StartAsync();
        await using var proxy = await StartProxyAsync(kind, Config(backend));
        using var client = CreateClient(kind, proxy);

        // A maintenance 503 keeps its page and its Retry-After.
        using var unavailable = await client.GetAsync("/unavailable");
        Assert.Equal(HttpStatusCode.ServiceUnavailable, unavailable.StatusCode);
        Assert.Equal(TimeSpan.FromSeconds(120), unavailable.Headers.RetryAfter!.Delta);
        Assert.StartsWith("Service Unavailable at ", await unavailable.Content.ReadAsStringAsync(), StringComparison.Ordinal);

        using var apiNotFound = await client.GetAsync("/api-404");
        Assert.Equal(HttpStatusCode.NotFound, apiNotFound.StatusCode);
        Assert.Equal("no such order", JsonDocument.Parse(await apiNotFound.Content.ReadAsStringAsync()).RootElement.GetProperty("error").GetString());

        using var form = await client.GetAsync("/form-422");
        Assert.Equal(HttpStatusCode.UnprocessableEntity, form.StatusCode);
        Assert.Equal("<form>email is required</form>", await form.Content.ReadAsStringAsync());

        using var noTransform = await client.GetAsync("/no-transform-500");
        Assert.Equal(HttpStatusCode.InternalServerError, noTransform.StatusCode);
        Assert.Equal(LeakyBackend.NoTransformPage, await noTransform.Content.ReadAsStringAsync());

        // Replacing more (every 5xx) is a setting; no-transform still wins over it.
        var reloaded = await proxy.ReloadAsync(Config(backend, rootExtra: ReplaceEveryServerPage));
        Assert.True(reloaded.Applied, string.Join("; ", reloaded.Errors));
        using var replaced = await client.GetAsync("/unavailable");
        Assert.Equal(HttpStatusCode.ServiceUnavailable, replaced.StatusCode);
        Assert.Equal(TimeSpan.FromSeconds(120), replaced.Headers.RetryAfter!.Delta);
        Assert.StartsWith("503 Service Unavailable\nRequest id: ", await replaced.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        using var stillPassed = await client.GetAsync("/no-transform-500");
        Assert.Equal(LeakyBackend.NoTransformPage, await stillPassed.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task Settings_ReloadLive_AndARouteCanKeepItsOwnErrorPages()
    {
        await using var backend = await LeakyBackend.StartAsync();
        await using var proxy = await TestProxy.StartAsync(Config(backend));
        using var client = CreateClient(ListenerKind.Http, proxy);

        using (var before = await client.GetAsync("/ok"))
        {
            Assert.False(before.Headers.Contains("X-Powered-By"));
        }

        var reloaded = await proxy.ReloadAsync(Config(
            backend,
            routeExtra: """, "hideBackend": { "replaceErrorPages": { "enabled": false } }""",
            rootExtra: """, "hideBackend": { "keepHeaders": [ "X-Powered-By" ], "rewriteLocations": false, "via": "gatehouse" }"""));
        Assert.True(reloaded.Applied, string.Join("; ", reloaded.Errors));

        using var ok = await client.GetAsync("/ok");
        Assert.Equal("Express", Assert.Single(ok.Headers.GetValues("X-Powered-By")));
        Assert.False(ok.Headers.Contains("Server"));
        // Via is Gatehouse's alone: the backend's "1.1 varnish" is removed, Gatehouse's member added both ways.
        Assert.Equal("1.1 gatehouse", string.Join(", ", ok.Headers.Via));
        Assert.Equal("1.1 gatehouse", Assert.Single(ok.Headers.GetValues("X-Echo-Via")));
        using var viaRequest = new HttpRequestMessage(HttpMethod.Get, "/ok");
        viaRequest.Headers.TryAddWithoutValidation("Via", "1.0 fred");
        using var viaResponse = await client.SendAsync(viaRequest);
        Assert.Equal("1.0 fred, 1.1 gatehouse", Assert.Single(viaResponse.Headers.GetValues("X-Echo-Via")));

        using var redirect = await client.GetAsync("/redirect");
        Assert.Equal($"{backend.Address}/login?next=%2Fok", redirect.Headers.Location!.OriginalString);

        using var crash = await client.GetAsync("/api-crash");
        Assert.Equal(HttpStatusCode.InternalServerError, crash.StatusCode);
        Assert.Contains("stackTrace", await crash.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task AccessLog_Json_CarriesTheRequestIdOfTheErrorPage()
    {
        await using var backend = await LeakyBackend.StartAsync();
        var logPath = Path.Combine(Path.GetTempPath(), $"gatehouse-access-{Guid.NewGuid():N}.log");
        var proxy = await TestProxy.StartAsync(Config(backend).Replace(
            "\"accessLog\": { \"enabled\": false }", $"\"accessLog\": {{ \"format\": \"json\", \"path\": \"{logPath}\" }}", StringComparison.Ordinal));
        string id;
        try
        {
            using var crash = await proxy.Client.GetAsync("/crash");
            id = Assert.Single(crash.Headers.GetValues("X-Request-Id"));
        }
        finally
        {
            await proxy.DisposeAsync();
        }

        var line = Assert.Single(await File.ReadAllLinesAsync(logPath));
        File.Delete(logPath);
        using var entry = JsonDocument.Parse(line);
        Assert.Equal(id, entry.RootElement.GetProperty("request_id").GetString());
        Assert.Equal(500, entry.RootElement.GetProperty("status").GetInt32());
    }

    private static string Config(LeakyBackend backend, string routeExtra = "", string rootExtra = "") => $$"""
        {
          "listeners": [ { "address": "127.0.0.1", "port": 0 } ],
          "accessLog": { "enabled": false },
          "routes": { "all": { "clusterId": "c", "match": { "pathPrefix": "/" } {{routeExtra}} } },
          "clusters": { "c": { "retry": { "enabled": false }, "healthCheck": { "passive": { "enabled": false } }, "destinations": { "leaky": { "address": "{{backend.Address}}" } } } }
          {{rootExtra}}
        }
        """;

    private Task<TestProxy> StartProxyAsync(ListenerKind kind, string json) => kind switch
    {
        ListenerKind.Http => TestProxy.StartAsync(json),
        ListenerKind.Https => TestProxy.StartAsync(_pki.WithTls(json)),
        _ => throw new ArgumentOutOfRangeException(nameof(kind)),
    };

    private HttpClient CreateClient(ListenerKind kind, TestProxy proxy) => kind switch
    {
        ListenerKind.Http => new HttpClient(new SocketsHttpHandler { AllowAutoRedirect = false, UseCookies = false }) { BaseAddress = proxy.Address, Timeout = TimeSpan.FromSeconds(30) },
        ListenerKind.Https => new HttpClient(new SocketsHttpHandler
        {
            AllowAutoRedirect = false,
            UseCookies = false,
            SslOptions = { RemoteCertificateValidationCallback = (_, certificate, _, _) => _pki.Issued(certificate) },
        })
        { BaseAddress = proxy.Address.Scheme == "https" ? proxy.Address : throw new InvalidOperationException($"not HTTPS: {proxy.Address}"), Timeout = TimeSpan.FromSeconds(30) },
        _ => throw new ArgumentOutOfRangeException(nameof(kind)),
    };

    public void Dispose() => _pki.Dispose();
}
