using Gatehouse.FunctionalTests.Infrastructure;
using Microsoft.AspNetCore.Http;

namespace Gatehouse.FunctionalTests.Admin;

/// <summary>
/// Draining, disabling and enabling destinations through the admin API, under load, with real Kestrel backends
/// (issue 15, acceptance 4).
/// </summary>
public sealed class DrainTests
{
    private const int Workers = 4;

    [Fact]
    public async Task Drain_UnderSteadyLoad_SendsNewRequestsToTheOther_WithNoFailure_WhileItsSlowRequestCompletes_AndEnableBringsItBack()
    {
        // Whichever backend gets /slow holds it until the test releases it; that is the destination drained.
        var slowRequest = new HeldSlowRequest();
        await using var a = await TestBackend.StartAsync("a", slowRequest.Handler("a"));
        await using var b = await TestBackend.StartAsync("b", slowRequest.Handler("b"));
        await using var proxy = await TestProxy.StartAsync(Configs.SingleCluster(Configs.Destinations(a, b), "\"loadBalancingPolicy\": \"RoundRobin\"", rootExtra: AdminSession.Config));
        using var admin = new AdminSession(proxy);

        var slow = proxy.Client.GetAsync("/slow");
        var drainedName = await slowRequest.Arrived.WaitAsync(TimeSpan.FromSeconds(10));
        var (drained, other) = drainedName == "a" ? (a, b) : (b, a);

        await using var load = Load.Start(proxy.Client, "/", Workers, TimeSpan.FromSeconds(60));
        await Task.WhenAll(a.WhenRequestsReach(50), b.WhenRequestsReach(50)).WaitAsync(TimeSpan.FromSeconds(30));

        Assert.Equal("draining", await admin.SetAsync("c", drainedName, "drain"));
        var atDrain = drained.Requests;

        // Requests that passed load balancing before the drain may still arrive (at most one per worker); then nothing.
        await other.WhenRequestsReach(other.Requests + 200).WaitAsync(TimeSpan.FromSeconds(30));
        var settled = drained.Requests;
        Assert.InRange(settled - atDrain, 0, Workers);
        await other.WhenRequestsReach(other.Requests + 200).WaitAsync(TimeSpan.FromSeconds(30));
        Assert.Equal(settled, drained.Requests);

        // The slow request is still in flight on the drained destination, and completes normally.
        Assert.Equal(("draining", 1), Pick(await admin.DestinationAsync("c", drainedName)));
        slowRequest.Release();
        using (var slowResponse = await slow.WaitAsync(TimeSpan.FromSeconds(10)))
        {
            Assert.True(slowResponse.IsSuccessStatusCode);
            Assert.Equal(drainedName, await slowResponse.Content.ReadAsStringAsync());
        }

        Assert.Equal(("drained", 0), Pick(await admin.DestinationAsync("c", drainedName)));

        Assert.Equal("active", await admin.SetAsync("c", drainedName, "enable"));
        await drained.WhenRequestsReach(drained.Requests + 50).WaitAsync(TimeSpan.FromSeconds(30));
        await load.StopAsync();

        Assert.Empty(load.Failures);
        Assert.True(load.Succeeded > 450, $"only {load.Succeeded} requests succeeded");
    }

    [Fact]
    public async Task Disable_TakesTheDestinationOutOfRotation_AndEveryDestinationOut_Is503()
    {
        await using var a = await TestBackend.StartAsync("a");
        await using var b = await TestBackend.StartAsync("b");
        await using var proxy = await TestProxy.StartAsync(Configs.SingleCluster(Configs.Destinations(a, b), "\"loadBalancingPolicy\": \"RoundRobin\"", rootExtra: AdminSession.Config));
        using var admin = new AdminSession(proxy);

        Assert.Equal("disabled", await admin.SetAsync("c", "a", "disable"));
        Assert.Equal(["b"], await ServedAsync(proxy.Client, 10));

        Assert.Equal("drained", await admin.SetAsync("c", "b", "drain"));
        using (var none = await proxy.Client.GetAsync("/"))
        {
            Assert.Equal(System.Net.HttpStatusCode.ServiceUnavailable, none.StatusCode);
        }

        await admin.SetAsync("c", "a", "enable");
        Assert.Equal(["a"], await ServedAsync(proxy.Client, 10));
    }

    [Fact]
    public async Task Drain_SurvivesAReload_AndIsDroppedWhenTheDestinationLeavesTheConfig()
    {
        await using var a = await TestBackend.StartAsync("a");
        await using var b = await TestBackend.StartAsync("b");
        const string cluster = "\"loadBalancingPolicy\": \"RoundRobin\"";
        await using var proxy = await TestProxy.StartAsync(Configs.SingleCluster(Configs.Destinations(a, b), cluster, rootExtra: AdminSession.Config));
        using var admin = new AdminSession(proxy);
        await admin.SetAsync("c", "a", "drain");

        // A reload that changes the cluster (a new timeout on the route) keeps the drain.
        Assert.True((await proxy.ReloadAsync(Configs.SingleCluster(Configs.Destinations(a, b), cluster, routeExtra: ", \"timeout\": \"20s\"", rootExtra: AdminSession.Config))).Applied);
        Assert.Equal(["b"], await ServedAsync(proxy.Client, 10));
        Assert.Equal("drained", (await admin.DestinationAsync("c", "a")).State);

        // a leaves the config, then comes back: it comes back active.
        Assert.True((await proxy.ReloadAsync(Configs.SingleCluster(Configs.Destinations(b), cluster, rootExtra: AdminSession.Config))).Applied);
        Assert.True((await proxy.ReloadAsync(Configs.SingleCluster(Configs.Destinations(a, b), cluster, rootExtra: AdminSession.Config))).Applied);
        Assert.Equal("active", (await admin.DestinationAsync("c", "a")).State);
        Assert.Equal(["a", "b"], await ServedAsync(proxy.Client, 10));
    }

    [Fact]
    public async Task Drain_WithStickySessions_MovesThePinnedClient_AndReissuesItsCookie()
    {
        await using var a = await TestBackend.StartAsync("a");
        await using var b = await TestBackend.StartAsync("b");
        await using var proxy = await TestProxy.StartAsync(Configs.SingleCluster(Configs.Destinations(a, b),
            "\"loadBalancingPolicy\": \"RoundRobin\", \"sessionAffinity\": { \"enabled\": true, \"cookieName\": \"gh_sticky\" }", rootExtra: AdminSession.Config));
        using var admin = new AdminSession(proxy);

        using var first = await proxy.Client.GetAsync("/");
        var pinned = await first.Content.ReadAsStringAsync();
        var cookie = first.Headers.GetValues("Set-Cookie").Single(c => c.StartsWith("gh_sticky=", StringComparison.Ordinal)).Split(';')[0];
        await admin.SetAsync("c", pinned, "drain");

        using var moved = await SendWithCookieAsync(proxy.Client, cookie);
        var other = await moved.Content.ReadAsStringAsync();
        Assert.NotEqual(pinned, other);
        var repinned = moved.Headers.GetValues("Set-Cookie").Single(c => c.StartsWith("gh_sticky=", StringComparison.Ordinal)).Split(';')[0];
        Assert.NotEqual(cookie, repinned);

        // No new session starts on the drained destination either.
        for (var i = 0; i < 10; i++)
        {
            using var old = await SendWithCookieAsync(proxy.Client, cookie);
            Assert.Equal(other, await old.Content.ReadAsStringAsync());
            Assert.Equal(other, await proxy.Client.GetStringAsync("/"));
        }

        // Enabled again, the re-pinned client stays where it went.
        await admin.SetAsync("c", pinned, "enable");
        using var after = await SendWithCookieAsync(proxy.Client, repinned);
        Assert.Equal(other, await after.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task Drain_WithConsistentHash_MovesOnlyTheDrainedDestinationsKeys_AndEnableBringsThemBack()
    {
        await using var a = await TestBackend.StartAsync("a");
        await using var b = await TestBackend.StartAsync("b");
        await using var c = await TestBackend.StartAsync("c");
        await using var proxy = await TestProxy.StartAsync(Configs.SingleCluster(Configs.Destinations(a, b, c),
            "\"loadBalancingPolicy\": \"ConsistentHash\", \"hashKey\": \"header:X-User\"", rootExtra: AdminSession.Config));
        using var admin = new AdminSession(proxy);
        var users = Enumerable.Range(0, 60).Select(i => "user-" + i).ToList();
        var before = await OwnersAsync(proxy.Client, users);
        Assert.Contains("a", before.Values);

        await admin.SetAsync("c", "a", "drain");
        var during = await OwnersAsync(proxy.Client, users);
        Assert.DoesNotContain("a", during.Values);
        Assert.All(users.Where(u => before[u] != "a"), u => Assert.Equal(before[u], during[u]));

        await admin.SetAsync("c", "a", "enable");
        Assert.Equal(before, await OwnersAsync(proxy.Client, users));
    }

    [Fact]
    public async Task UnknownClusterOrDestination_Is404_NamingThoseThatExist()
    {
        await using var a = await TestBackend.StartAsync("a");
        await using var proxy = await TestProxy.StartAsync(Configs.SingleCluster(Configs.Destinations(a), rootExtra: AdminSession.Config));
        using var admin = new AdminSession(proxy);

        using var noCluster = await admin.PostAsync("/destinations/nope/a/drain");
        Assert.Equal(System.Net.HttpStatusCode.NotFound, noCluster.StatusCode);
        Assert.Contains("\"c\"", await noCluster.Content.ReadAsStringAsync(), StringComparison.Ordinal);

        using var noDestination = await admin.PostAsync("/destinations/c/zz/drain");
        Assert.Equal(System.Net.HttpStatusCode.NotFound, noDestination.StatusCode);
        Assert.Contains("no destination 'zz' in cluster 'c'", await noDestination.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    private static (string, int) Pick((string State, int InFlight, string, string) destination) => (destination.State, destination.InFlight);

    private static async Task<string[]> ServedAsync(HttpClient client, int count)
    {
        var served = new SortedSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < count; i++)
        {
            served.Add(await client.GetStringAsync("/"));
        }

        return served.ToArray();
    }

    private static async Task<HttpResponseMessage> SendWithCookieAsync(HttpClient client, string cookie)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "/");
        request.Headers.Add("Cookie", cookie);
        var response = await client.SendAsync(request);
        response.EnsureSuccessStatusCode();
        return response;
    }

    private static async Task<Dictionary<string, string>> OwnersAsync(HttpClient client, IEnumerable<string> users)
    {
        var owners = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var user in users)
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, "/");
            request.Headers.Add("X-User", user);
            using var response = await client.SendAsync(request);
            owners[user] = await response.Content.ReadAsStringAsync();
        }

        return owners;
    }
}
