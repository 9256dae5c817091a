using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using Gatehouse.FunctionalTests.Infrastructure;
using Gatehouse.Protection;
using Microsoft.Extensions.DependencyInjection;
using static Gatehouse.FunctionalTests.Protection.ProtectionHelpers;

namespace Gatehouse.FunctionalTests.Protection;

/// <summary>IP lists (IPv4 and real IPv6 clients on ::1), method lists and basic auth, through a real Gatehouse.</summary>
public sealed class AccessControlTests
{
    /// <summary>Gatehouse on 127.0.0.1 and on ::1, so IPv4 and IPv6 clients both reach it for real.</summary>
    private static Task<TestProxy> DualStackAsync(TestBackend backend, string routeExtra = "", string rootExtra = "") =>
        TestProxy.StartAsync(Config(backend, routeExtra, rootExtra).Replace(
            "\"listeners\": [ { \"address\": \"127.0.0.1\", \"port\": 0 } ]",
            "\"listeners\": [ { \"address\": \"127.0.0.1\", \"port\": 0 }, { \"address\": \"::1\", \"port\": 0 } ]",
            StringComparison.Ordinal));

    private static async Task<(HttpStatusCode V4, HttpStatusCode V6)> StatusesAsync(TestProxy proxy, string path = "/x")
    {
        var addresses = Addresses(proxy);
        Assert.Equal(2, addresses.Count);
        Assert.Equal("[::1]", addresses[1].Host);
        using var v4 = ClientFor(addresses[0]);
        using var v6 = ClientFor(addresses[1]);
        using var fromV4 = await v4.GetAsync(path);
        using var fromV6 = await v6.GetAsync(path);
        return (fromV4.StatusCode, fromV6.StatusCode);
    }

    [Fact]
    public async Task RouteAllowList_IPv6Only_AdmitsTheIPv6ClientAndRefusesTheIPv4One()
    {
        await using var backend = await TestBackend.StartAsync("b");
        await using var proxy = await DualStackAsync(backend, routeExtra: """, "accessControl": { "allow": ["::1/128"] }""");

        Assert.Equal((HttpStatusCode.Forbidden, HttpStatusCode.OK), await StatusesAsync(proxy));
        Assert.Equal(1, backend.Requests);
    }

    [Fact]
    public async Task RouteAllowList_IPv4Network_AdmitsTheIPv4ClientOnly()
    {
        await using var backend = await TestBackend.StartAsync("b");
        await using var proxy = await DualStackAsync(backend, routeExtra: """, "accessControl": { "allow": ["127.0.0.0/8"] }""");

        Assert.Equal((HttpStatusCode.OK, HttpStatusCode.Forbidden), await StatusesAsync(proxy));
    }

    [Fact]
    public async Task GlobalDenyList_RefusesBeforeAnyRoute_EvenUnmatchedRequests()
    {
        await using var backend = await TestBackend.StartAsync("b");
        await using var proxy = await DualStackAsync(backend, rootExtra: """, "accessControl": { "deny": ["::1", "192.0.2.0/24"] }""");

        Assert.Equal((HttpStatusCode.OK, HttpStatusCode.Forbidden), await StatusesAsync(proxy));

        using var refused = await ClientFor(Addresses(proxy)[1]).GetAsync("/x");
        Assert.Equal("text/plain; charset=utf-8", refused.Content.Headers.ContentType?.ToString());
        var id = refused.Headers.GetValues("X-Request-Id").Single();
        Assert.Equal($"403 Forbidden: this address may not use this route.\nRequest id: {id}\n", await refused.Content.ReadAsStringAsync());
        Assert.Equal("no-store", refused.Headers.CacheControl?.ToString());
        Assert.Equal("nosniff", refused.Headers.GetValues("X-Content-Type-Options").Single());
    }

    [Fact]
    public async Task IpLists_ReloadLive()
    {
        await using var backend = await TestBackend.StartAsync("b");
        await using var proxy = await TestProxy.StartAsync(Config(backend));
        Assert.Equal(HttpStatusCode.OK, (await proxy.Client.GetAsync("/x")).StatusCode);

        var outcome = await proxy.ReloadAsync(Config(backend, rootExtra: """, "accessControl": { "deny": ["127.0.0.1"] }"""));

        Assert.True(outcome.Applied);
        Assert.Equal(HttpStatusCode.Forbidden, (await proxy.Client.GetAsync("/x")).StatusCode);
    }

    [Fact]
    public async Task MethodList_OtherMethodsGet405WithAllow()
    {
        await using var backend = await TestBackend.StartAsync("b");
        await using var proxy = await TestProxy.StartAsync(Config(backend, routeExtra: """, "accessControl": { "methods": ["GET", "PUT"] }"""));

        using var post = await proxy.Client.PostAsync("/x", new StringContent("body"));
        using var head = await proxy.Client.SendAsync(new HttpRequestMessage(HttpMethod.Head, "/x"));
        using var put = await proxy.Client.PutAsync("/x", new StringContent("body"));

        Assert.Equal(HttpStatusCode.MethodNotAllowed, post.StatusCode);
        Assert.Equal(["GET", "HEAD", "PUT"], post.Content.Headers.Allow.Order(StringComparer.Ordinal));
        Assert.Equal(HttpStatusCode.OK, head.StatusCode);
        Assert.Equal(HttpStatusCode.OK, put.StatusCode);
        Assert.Equal(2, backend.Requests);
    }

    [Fact]
    public async Task BasicAuth_ChallengesThenAdmits_AndTheBackendNeverSeesThePassword()
    {
        await using var echo = await TestBackend.StartAsync("echo", EchoHeaders);
        var hash = PasswordHash.Create("s3cret", iterations: 1_000);
        await using var proxy = await TestProxy.StartAsync(Config(echo, routeExtra: $$"""
            , "accessControl": { "basicAuth": { "realm": "Ops", "users": { "alice": "{{hash}}" } } }
            """));

        using var anonymous = await proxy.Client.GetAsync("/x");
        Assert.Equal(HttpStatusCode.Unauthorized, anonymous.StatusCode);
        Assert.Equal("Basic realm=\"Ops\", charset=\"UTF-8\"", anonymous.Headers.WwwAuthenticate.ToString());

        using var wrong = await SendWithAsync(proxy.Client, "alice:guess");
        Assert.Equal(HttpStatusCode.Unauthorized, wrong.StatusCode);

        using var right = await SendWithAsync(proxy.Client, "alice:s3cret");
        var headers = await EchoedAsync(right);
        Assert.False(headers.ContainsKey("authorization"), "the password reached the backend");
        Assert.Equal(1, echo.Requests);
    }

    [Fact]
    public async Task BasicAuth_ForwardAuthorization_PassesTheHeaderOn()
    {
        await using var echo = await TestBackend.StartAsync("echo", EchoHeaders);
        var hash = PasswordHash.Create("s3cret", iterations: 1_000);
        await using var proxy = await TestProxy.StartAsync(Config(echo, routeExtra: $$"""
            , "accessControl": { "basicAuth": { "users": { "alice": "{{hash}}" }, "forwardAuthorization": true } }
            """));

        using var right = await SendWithAsync(proxy.Client, "alice:s3cret");

        Assert.StartsWith("Basic ", (await EchoedAsync(right))["authorization"], StringComparison.Ordinal);
    }

    /// <summary>
    /// Each wrong password costs a whole PBKDF2 (600,000 iterations, the default): a flood of them runs one at a time
    /// on this 2-core machine while the rest wait without a thread, so another route keeps answering in the meantime.
    /// </summary>
    [Fact]
    public async Task BasicAuth_AFloodOfWrongPasswords_WaitsItsTurn_AndAnotherRouteStillAnswers()
    {
        await using var echo = await TestBackend.StartAsync("echo", EchoHeaders);
        var hash = PasswordHash.Create("s3cret");
        await using var proxy = await TestProxy.StartAsync($$"""
            {
              "listeners": [ { "address": "127.0.0.1", "port": 0 } ],
              "accessLog": { "enabled": false },
              "routes": {
                "secret": { "clusterId": "c", "match": { "pathPrefix": "/secret/" },
                            "accessControl": { "basicAuth": { "users": { "alice": "{{hash}}" } } } },
                "open": { "clusterId": "c", "match": { "pathPrefix": "/open/" } }
              },
              "clusters": { "c": { "destinations": { {{Configs.Destinations(echo)}} } } }
            }
            """);
        var checker = proxy.Services.GetRequiredService<BasicAuthChecker>();

        var flood = Enumerable.Range(0, 8).Select(i =>
        {
            var request = new HttpRequestMessage(HttpMethod.Get, "/secret/x");
            request.Headers.Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes($"alice:guess{i}")));
            return proxy.Client.SendAsync(request);
        }).ToList();
        var deadline = Stopwatch.StartNew();
        while (checker.Waiting < 4)
        {
            Assert.True(deadline.Elapsed < TimeSpan.FromSeconds(20), $"the wrong passwords never queued up (waiting: {checker.Waiting})");
            await Task.Delay(5);
        }

        using var open = await proxy.Client.GetAsync("/open/x");

        Assert.Equal(HttpStatusCode.OK, open.StatusCode);
        Assert.Contains(flood, t => !t.IsCompleted);
        foreach (var response in await Task.WhenAll(flood).WaitAsync(TimeSpan.FromSeconds(60)))
        {
            Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
            response.Dispose();
        }
    }

    private static Task<HttpResponseMessage> SendWithAsync(HttpClient client, string credentials)
    {
        var request = new HttpRequestMessage(HttpMethod.Get, "/x");
        request.Headers.Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes(credentials)));
        return client.SendAsync(request);
    }
}
