using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Gatehouse.FunctionalTests.Infrastructure;
using Gatehouse.Protection;

namespace Gatehouse.FunctionalTests.Forwarding;

/// <summary>What Gatehouse adds, strips and answers at the edge.</summary>
public sealed class EdgeBehaviourTests
{
    private static readonly RequestDelegate EchoHeaders = async context =>
    {
        context.Response.Headers["Server"] = "Apache/2.4.1 (Unix)";
        context.Response.Headers["X-Powered-By"] = "PHP/5.6";
        context.Response.Headers["X-AspNet-Version"] = "4.0.30319";
        var headers = context.Request.Headers.ToDictionary(h => h.Key.ToLowerInvariant(), h => h.Value.ToString());
        headers["@path"] = context.Request.Path + context.Request.QueryString;
        await context.Response.WriteAsJsonAsync(headers);
    };

    [Fact]
    public async Task ForwardedHeaders_AreSet_AndClientSuppliedOnesAreNotTrusted()
    {
        await using var echo = await TestBackend.StartAsync("echo", EchoHeaders);
        await using var proxy = await TestProxy.StartAsync(Configs.SingleCluster(Configs.Destinations(echo)));

        using var request = new HttpRequestMessage(HttpMethod.Get, "/x");
        request.Headers.Host = "shop.example";
        request.Headers.Add("X-Forwarded-For", "6.6.6.6");
        var headers = await SendAsync(proxy.Client, request);

        Assert.Equal("127.0.0.1", headers["x-forwarded-for"]);
        Assert.Equal("http", headers["x-forwarded-proto"]);
        Assert.Equal("shop.example", headers["x-forwarded-host"]);
    }

    [Fact]
    public async Task HopByHopHeaders_AndHeadersNamedInConnection_AreNotForwarded()
    {
        await using var echo = await TestBackend.StartAsync("echo", EchoHeaders);
        await using var proxy = await TestProxy.StartAsync(Configs.SingleCluster(Configs.Destinations(echo)));

        using var request = new HttpRequestMessage(HttpMethod.Get, "/x");
        request.Headers.TryAddWithoutValidation("Connection", "X-Secret-Hop");
        request.Headers.TryAddWithoutValidation("X-Secret-Hop", "1");
        request.Headers.TryAddWithoutValidation("Keep-Alive", "timeout=5");
        request.Headers.TryAddWithoutValidation("Proxy-Connection", "keep-alive");
        request.Headers.TryAddWithoutValidation("TE", "trailers");
        request.Headers.TryAddWithoutValidation("X-Kept", "yes");
        var headers = await SendAsync(proxy.Client, request);

        Assert.Equal("yes", headers["x-kept"]);
        Assert.False(headers.ContainsKey("x-secret-hop"), "a header named in Connection was forwarded");
        Assert.False(headers.ContainsKey("keep-alive"));
        Assert.False(headers.ContainsKey("proxy-connection"));
    }

    [Fact]
    public async Task BackendIdentityHeaders_AreRemoved()
    {
        await using var echo = await TestBackend.StartAsync("echo", EchoHeaders);
        await using var proxy = await TestProxy.StartAsync(Configs.SingleCluster(Configs.Destinations(echo)));

        using var response = await proxy.Client.GetAsync("/");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.False(response.Headers.Contains("Server"));
        Assert.False(response.Headers.Contains("X-Powered-By"));
        Assert.False(response.Headers.Contains("X-AspNet-Version"));
    }

    [Fact]
    public async Task PathPrefixRoute_WithTransform_RewritesThePath_AndUnmatchedPathsGet404()
    {
        await using var echo = await TestBackend.StartAsync("echo", EchoHeaders);
        await using var proxy = await TestProxy.StartAsync($$"""
            {
              "listeners": [ { "address": "127.0.0.1", "port": 0 } ],
              "accessLog": { "enabled": false },
              "routes": {
                "api": { "clusterId": "c", "match": { "pathPrefix": "/api", "methods": [ "GET" ] }, "transforms": [ { "pathRemovePrefix": "/api" } ] },
                "v2": { "clusterId": "c", "match": { "path": "/v2/{**rest}", "headers": [ { "name": "X-Version", "values": [ "2" ] } ] }, "transforms": [ { "pathPattern": "/new/{**rest}" } ] }
              },
              "clusters": { "c": { "destinations": { "e": { "address": "{{echo.Address}}" } } } }
            }
            """);

        var api = await SendAsync(proxy.Client, new HttpRequestMessage(HttpMethod.Get, "/api/users?id=7"));
        Assert.Equal("/users?id=7", api["@path"]);

        using var v2 = new HttpRequestMessage(HttpMethod.Get, "/v2/items/9");
        v2.Headers.Add("X-Version", "2");
        Assert.Equal("/new/items/9", (await SendAsync(proxy.Client, v2))["@path"]);

        using var apix = await proxy.Client.GetAsync("/apix");
        Assert.Equal(HttpStatusCode.NotFound, apix.StatusCode);
        Assert.StartsWith("404 ", await apix.Content.ReadAsStringAsync());

        // The path matches a route but the method does not: 405 with Allow, as ASP.NET Core routing answers.
        using var post = await proxy.Client.PostAsync("/api/users", new StringContent("x"));
        Assert.Equal(HttpStatusCode.MethodNotAllowed, post.StatusCode);
        Assert.StartsWith("405 ", await post.Content.ReadAsStringAsync());

        using var noHeader = await proxy.Client.GetAsync("/v2/items/9");
        Assert.Equal(HttpStatusCode.NotFound, noHeader.StatusCode);
    }

    [Fact]
    public async Task AccessLog_Json_WritesOneLinePerRequest()
    {
        await using var a = await TestBackend.StartAsync("a");
        var logPath = Path.Combine(Path.GetTempPath(), $"gatehouse-access-{Guid.NewGuid():N}.log");
        var proxy = await TestProxy.StartAsync(Configs.SingleCluster(Configs.Destinations(a))
            .Replace("\"accessLog\": { \"enabled\": false }", $"\"accessLog\": {{ \"format\": \"json\", \"path\": \"{logPath}\" }}", StringComparison.Ordinal));
        try
        {
            for (var i = 0; i < 3; i++)
            {
                await proxy.Client.GetStringAsync($"/item/{i}?q=1");
            }
        }
        finally
        {
            await proxy.DisposeAsync();
        }

        var lines = await File.ReadAllLinesAsync(logPath);
        File.Delete(logPath);
        Assert.Equal(3, lines.Length);
        using var first = JsonDocument.Parse(lines[0]);
        Assert.Equal("GET", first.RootElement.GetProperty("method").GetString());
        Assert.Equal("/item/0?q=1", first.RootElement.GetProperty("uri").GetString());
        Assert.Equal(200, first.RootElement.GetProperty("status").GetInt32());
        Assert.Equal(1, first.RootElement.GetProperty("bytes_sent").GetInt64());
        Assert.Equal("a", first.RootElement.GetProperty("destination").GetString());
    }

    private static async Task<Dictionary<string, string>> SendAsync(HttpClient client, HttpRequestMessage request)
    {
        using var response = await client.SendAsync(request);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return (await response.Content.ReadFromJsonAsync<Dictionary<string, string>>())!;
    }
}
