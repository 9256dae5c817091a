using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using Gatehouse.FunctionalTests.Infrastructure;

namespace Gatehouse.FunctionalTests.Admin;

public sealed class AdminApiTests
{
    private const string Admin = ", \"admin\": { \"port\": 0, \"token\": \"let-me-in\" }";

    [Fact]
    public async Task Status_WithToken_ShowsClustersAndHealth_WithoutToken_Is401()
    {
        await using var a = await TestBackend.StartAsync("a");
        await using var proxy = await TestProxy.StartAsync(Configs.SingleCluster(Configs.Destinations(a), rootExtra: Admin));
        using var admin = new HttpClient { BaseAddress = proxy.AdminAddress };

        using (var anonymous = await admin.GetAsync("/status"))
        {
            Assert.Equal(HttpStatusCode.Unauthorized, anonymous.StatusCode);
        }

        admin.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", "let-me-in");
        using var status = JsonDocument.Parse(await admin.GetStringAsync("/status"));
        var cluster = Assert.Single(status.RootElement.GetProperty("clusters").EnumerateArray());
        Assert.Equal("c", cluster.GetProperty("id").GetString());
        Assert.Equal("a", Assert.Single(cluster.GetProperty("destinations").EnumerateArray()).GetProperty("id").GetString());
    }

    [Fact]
    public async Task AdminEndpoints_AreNotReachableThroughAProxyListener_EvenWithTheAdminHost()
    {
        await using var a = await TestBackend.StartAsync("a", context => context.Response.WriteAsync("backend:" + context.Request.Path));
        await using var proxy = await TestProxy.StartAsync(Configs.SingleCluster(Configs.Destinations(a), rootExtra: Admin));

        using var request = new HttpRequestMessage(HttpMethod.Get, "/status");
        request.Headers.Host = $"127.0.0.1:{proxy.AdminAddress.Port}";
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", "let-me-in");
        using var response = await proxy.Client.SendAsync(request);

        Assert.Equal("backend:/status", await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task Reload_ThroughTheAdminApi_AppliesTheFile_OrReportsEveryError()
    {
        await using var a = await TestBackend.StartAsync("a");
        await using var b = await TestBackend.StartAsync("b");
        await using var proxy = await TestProxy.StartAsync(Configs.SingleCluster(Configs.Destinations(a), rootExtra: Admin));
        using var admin = new HttpClient { BaseAddress = proxy.AdminAddress };
        admin.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", "let-me-in");

        // Written (and possibly reloaded by the file watcher too); the admin call reloads it now either way.
        var applied = await proxy.ReloadAsync(Configs.SingleCluster(Configs.Destinations(b), rootExtra: Admin));
        Assert.True(applied.Applied);
        using (var reload = await admin.PostAsync("/config/reload", null))
        {
            Assert.Equal(HttpStatusCode.OK, reload.StatusCode);
        }

        Assert.Equal("b", await proxy.Client.GetStringAsync("/"));

        var rejected = await proxy.ReloadAsync("{ \"listeners\": [] }");
        Assert.False(rejected.Applied);
        using var again = await admin.PostAsync("/config/reload", null);
        Assert.Equal(HttpStatusCode.UnprocessableEntity, again.StatusCode);
        Assert.Contains("listeners", await again.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal("b", await proxy.Client.GetStringAsync("/"));
    }

    [Fact]
    public async Task Errors_QuoteConfigValues_AsTheyAre_NotAsUnicodeEscapes()
    {
        await using var a = await TestBackend.StartAsync("a");
        await using var proxy = await TestProxy.StartAsync(Configs.SingleCluster(Configs.Destinations(a), rootExtra: Admin));
        using var admin = new HttpClient { BaseAddress = proxy.AdminAddress };
        admin.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", "let-me-in");

        var rejected = await proxy.ReloadAsync(Configs.SingleCluster(Configs.Destinations(a), rootExtra: Admin).Replace("\"clusterId\": \"c\"", "\"clusterId\": \"apii\"", StringComparison.Ordinal));
        Assert.False(rejected.Applied);
        using var reload = await admin.PostAsync("/config/reload", null);
        var body = await reload.Content.ReadAsStringAsync();

        Assert.Equal(HttpStatusCode.UnprocessableEntity, reload.StatusCode);
        Assert.Contains("routes.all.clusterId: no cluster named 'apii'", body, StringComparison.Ordinal);
        Assert.DoesNotContain("\\u0027", body, StringComparison.Ordinal);
    }

    [Fact]
    public async Task WrongTokens_AreThrottledPerAddress_TheRightOneToo_ProbesStillAnswer()
    {
        await using var a = await TestBackend.StartAsync("a");
        await using var proxy = await TestProxy.StartAsync(Configs.SingleCluster(Configs.Destinations(a), rootExtra: Admin));
        using var client = new HttpClient { BaseAddress = proxy.AdminAddress };

        for (var i = 0; i < Gatehouse.Admin.AdminTokenThrottle.MaxFailures; i++)
        {
            using var guess = new HttpRequestMessage(HttpMethod.Get, "/status");
            guess.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", $"guess-{i}");
            using var refused = await client.SendAsync(guess);
            Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);
        }

        // Locked out for the rest of the minute, whatever the token: guessing costs a minute per five tries.
        using var right = new HttpRequestMessage(HttpMethod.Get, "/status");
        right.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", "let-me-in");
        using var throttled = await client.SendAsync(right);
        Assert.Equal(HttpStatusCode.TooManyRequests, throttled.StatusCode);
        Assert.InRange(throttled.Headers.RetryAfter!.Delta!.Value, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(60));

        using var probe = await client.GetAsync("/healthz");
        Assert.Equal(HttpStatusCode.OK, probe.StatusCode);
    }
}
