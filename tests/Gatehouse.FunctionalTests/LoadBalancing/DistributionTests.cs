using Gatehouse.FunctionalTests.Infrastructure;

namespace Gatehouse.FunctionalTests.LoadBalancing;

/// <summary>Each policy's distribution, measured through a real Gatehouse in front of real Kestrel backends.</summary>
public sealed class DistributionTests
{
    private const int Requests = 10_000;

    [Fact]
    public async Task WeightedRoundRobin_SharesFollowWeights_Within5Percent()
    {
        await using var a = await TestBackend.StartAsync("a");
        await using var b = await TestBackend.StartAsync("b");
        await using var c = await TestBackend.StartAsync("c");
        await using var proxy = await TestProxy.StartAsync(Configs.SingleCluster(
            Configs.Destinations(("a", a, 5), ("b", b, 3), ("c", c, 2)), "\"loadBalancingPolicy\": \"WeightedRoundRobin\""));

        var served = await SendAsync(proxy.Client, Requests, _ => "/");

        AssertShare(served, "a", 0.5);
        AssertShare(served, "b", 0.3);
        AssertShare(served, "c", 0.2);
    }

    [Theory]
    [InlineData("RoundRobin")]
    [InlineData("Random")]
    [InlineData("PowerOfTwoChoices")]
    public async Task EvenPolicies_SpreadEqually_Within5Percent(string policy)
    {
        await using var a = await TestBackend.StartAsync("a");
        await using var b = await TestBackend.StartAsync("b");
        await using var proxy = await TestProxy.StartAsync(Configs.SingleCluster(Configs.Destinations(a, b), $"\"loadBalancingPolicy\": \"{policy}\""));

        var served = await SendAsync(proxy.Client, Requests, _ => "/");

        AssertShare(served, "a", 0.5);
        AssertShare(served, "b", 0.5);
    }

    [Fact]
    public async Task LeastRequests_FavoursTheDestinationThatIsNotBusy()
    {
        // "slow" holds each request 20 ms; with 8 concurrent clients the fast destination has fewer in flight almost always.
        await using var slow = await TestBackend.StartAsync("slow", async context =>
        {
            await Task.Delay(20, context.RequestAborted);
            await context.Response.WriteAsync("slow");
        });
        await using var fast = await TestBackend.StartAsync("fast");
        await using var proxy = await TestProxy.StartAsync(Configs.SingleCluster(Configs.Destinations(slow, fast), "\"loadBalancingPolicy\": \"LeastRequests\""));

        var served = await SendAsync(proxy.Client, 2_000, _ => "/", concurrency: 8);

        Assert.True(served.GetValueOrDefault("fast") > 4 * served.GetValueOrDefault("slow"), $"fast {served.GetValueOrDefault("fast")}, slow {served.GetValueOrDefault("slow")}");
    }

    [Fact]
    public async Task ConsistentHash_SameKeySameBackend_AndAddingADestinationMovesAboutOneNth()
    {
        var backends = new List<TestBackend>();
        for (var i = 0; i < 5; i++)
        {
            backends.Add(await TestBackend.StartAsync($"b{i}"));
        }

        try
        {
            const string cluster = "\"loadBalancingPolicy\": \"ConsistentHash\", \"hashKey\": \"header:X-User\"";
            await using var proxy = await TestProxy.StartAsync(Configs.SingleCluster(Configs.Destinations(backends.Take(4).ToArray()), cluster));

            var before = await MapKeysAsync(proxy.Client, Requests);
            var again = await MapKeysAsync(proxy.Client, 500);
            Assert.All(again, kv => Assert.Equal(before[kv.Key], kv.Value));

            var outcome = await proxy.ReloadAsync(Configs.SingleCluster(Configs.Destinations(backends.ToArray()), cluster));
            Assert.True(outcome.Applied, string.Join("; ", outcome.Errors));
            var after = await MapKeysAsync(proxy.Client, Requests);

            var moved = before.Count(kv => after[kv.Key] != kv.Value);
            Assert.True(moved <= Requests * ((1.0 / 5) + 0.05), $"{moved} of {Requests} keys moved");
            Assert.True(moved > 0, "the new destination got no keys");
            Assert.All(before.Where(kv => after[kv.Key] != kv.Value), kv => Assert.Equal("b4", after[kv.Key]));
        }
        finally
        {
            foreach (var backend in backends)
            {
                await backend.DisposeAsync();
            }
        }
    }

    [Fact]
    public async Task SessionAffinity_CookiePinsAClientToOneBackend()
    {
        await using var a = await TestBackend.StartAsync("a");
        await using var b = await TestBackend.StartAsync("b");
        await using var proxy = await TestProxy.StartAsync(Configs.SingleCluster(Configs.Destinations(a, b),
            "\"loadBalancingPolicy\": \"RoundRobin\", \"sessionAffinity\": { \"enabled\": true, \"cookieName\": \"gh_sticky\" }"));

        using var first = await proxy.Client.GetAsync("/");
        var pinned = await first.Content.ReadAsStringAsync();
        var cookie = Assert.Single(first.Headers.GetValues("Set-Cookie"), c => c.StartsWith("gh_sticky=", StringComparison.Ordinal));

        for (var i = 0; i < 20; i++)
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, "/");
            request.Headers.Add("Cookie", cookie.Split(';')[0]);
            using var response = await proxy.Client.SendAsync(request);
            Assert.Equal(pinned, await response.Content.ReadAsStringAsync());
        }

        // Without the cookie, round robin alternates.
        var unpinned = new HashSet<string>();
        for (var i = 0; i < 4; i++)
        {
            unpinned.Add(await proxy.Client.GetStringAsync("/"));
        }

        Assert.Equal(2, unpinned.Count);
    }

    [Fact]
    public async Task SessionAffinity_WhenThePinnedBackendFails_TheRetryRepinsTheClientToTheOneThatAnswered()
    {
        var a = await TestBackend.StartAsync("a");
        var b = await TestBackend.StartAsync("b");
        await using var proxy = await TestProxy.StartAsync(Configs.SingleCluster(Configs.Destinations(a, b),
            "\"loadBalancingPolicy\": \"RoundRobin\", \"sessionAffinity\": { \"enabled\": true, \"cookieName\": \"gh_sticky\" }, \"healthCheck\": { \"passive\": { \"enabled\": false } }"));
        try
        {
            using var first = await proxy.Client.GetAsync("/");
            var pinned = await first.Content.ReadAsStringAsync();
            var oldCookie = Assert.Single(first.Headers.GetValues("Set-Cookie"), c => c.StartsWith("gh_sticky=", StringComparison.Ordinal)).Split(';')[0];

            // The pinned backend goes away: the GET is retried on the other one, which must now hold the session.
            await (pinned == "a" ? a : b).DisposeAsync();
            var survivor = pinned == "a" ? "b" : "a";

            using var moved = new HttpRequestMessage(HttpMethod.Get, "/");
            moved.Headers.Add("Cookie", oldCookie);
            using var movedResponse = await proxy.Client.SendAsync(moved);
            Assert.Equal(survivor, await movedResponse.Content.ReadAsStringAsync());
            var newCookie = Assert.Single(movedResponse.Headers.GetValues("Set-Cookie"), c => c.StartsWith("gh_sticky=", StringComparison.Ordinal)).Split(';')[0];
            Assert.NotEqual(oldCookie, newCookie);

            // Pinned to the survivor: answered by it, and not pinned again.
            for (var i = 0; i < 4; i++)
            {
                using var request = new HttpRequestMessage(HttpMethod.Get, "/");
                request.Headers.Add("Cookie", newCookie);
                using var response = await proxy.Client.SendAsync(request);
                Assert.Equal(survivor, await response.Content.ReadAsStringAsync());
                Assert.False(response.Headers.Contains("Set-Cookie"));
            }
        }
        finally
        {
            await a.DisposeAsync();
            await b.DisposeAsync();
        }
    }

    private static async Task<Dictionary<string, string>> MapKeysAsync(HttpClient client, int keys)
    {
        var map = new System.Collections.Concurrent.ConcurrentDictionary<string, string>();
        await Parallel.ForEachAsync(Enumerable.Range(0, keys), new ParallelOptions { MaxDegreeOfParallelism = 8 }, async (i, ct) =>
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, "/");
            request.Headers.Add("X-User", $"user-{i}");
            using var response = await client.SendAsync(request, ct);
            response.EnsureSuccessStatusCode();
            map[$"user-{i}"] = await response.Content.ReadAsStringAsync(ct);
        });
        return new Dictionary<string, string>(map);
    }

    private static async Task<Dictionary<string, int>> SendAsync(HttpClient client, int count, Func<int, string> path, int concurrency = 8)
    {
        var served = new System.Collections.Concurrent.ConcurrentDictionary<string, int>();
        await Parallel.ForEachAsync(Enumerable.Range(0, count), new ParallelOptions { MaxDegreeOfParallelism = concurrency }, async (i, ct) =>
        {
            using var response = await client.GetAsync(path(i), ct);
            response.EnsureSuccessStatusCode();
            served.AddOrUpdate(await response.Content.ReadAsStringAsync(ct), 1, (_, n) => n + 1);
        });
        return new Dictionary<string, int>(served);
    }

    private static void AssertShare(Dictionary<string, int> served, string backend, double expected)
    {
        var share = (double)served.GetValueOrDefault(backend) / served.Values.Sum();
        Assert.True(Math.Abs(share - expected) <= 0.05, $"{backend} got {share:P1}, expected {expected:P0} ± 5%");
    }
}
