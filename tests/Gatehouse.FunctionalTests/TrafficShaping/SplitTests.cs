using System.Collections.Concurrent;
using Gatehouse.FunctionalTests.Infrastructure;

namespace Gatehouse.FunctionalTests.TrafficShaping;

/// <summary>A route's percentage split between two clusters, measured through a real Gatehouse in front of real backends.</summary>
public sealed class SplitTests
{
    private const int Requests = 10_000;

    private static string Config(TestBackend a, TestBackend b, string routeExtra) => $$"""
        {
          "listeners": [ { "address": "127.0.0.1", "port": 0 } ],
          "accessLog": { "enabled": false },
          "routes": {
            "all": {
              "clusterId": "stable", "match": { "pathPrefix": "/" },
              "split": [ { "cluster": "stable", "weight": 90 }, { "cluster": "canary", "weight": 10 } ]
              {{routeExtra}}
            }
          },
          "clusters": {
            "stable": { "destinations": { "a": { "address": "{{a.Address}}" } } },
            "canary": { "destinations": { "b": { "address": "{{b.Address}}" } } }
          }
        }
        """;

    [Fact]
    public async Task Split90To10_Over10000Requests_IsWithinTwoPercent()
    {
        await using var a = await TestBackend.StartAsync("stable");
        await using var b = await TestBackend.StartAsync("canary");
        await using var proxy = await TestProxy.StartAsync(Config(a, b, ""));

        var served = new ConcurrentDictionary<string, int>();
        await Parallel.ForEachAsync(Enumerable.Range(0, Requests), new ParallelOptions { MaxDegreeOfParallelism = 8 }, async (_, ct) =>
        {
            using var response = await proxy.Client.GetAsync("/", ct);
            response.EnsureSuccessStatusCode();
            served.AddOrUpdate(await response.Content.ReadAsStringAsync(ct), 1, (_, n) => n + 1);
        });

        var canary = (double)served.GetValueOrDefault("canary") / Requests;
        Assert.Equal(Requests, served.Values.Sum());
        Assert.True(Math.Abs(canary - 0.10) <= 0.02, $"canary got {canary:P2} of {Requests}, expected 10% ± 2%");
    }

    [Fact]
    public async Task StickySplit_EachUserStaysOnItsCluster_AndTheSharesHold()
    {
        await using var a = await TestBackend.StartAsync("stable");
        await using var b = await TestBackend.StartAsync("canary");
        await using var proxy = await TestProxy.StartAsync(Config(a, b, """, "splitKey": "header:X-User" """));

        var first = await MapUsersAsync(proxy.Client, 2_000);
        var again = await MapUsersAsync(proxy.Client, 2_000);

        Assert.All(first, kv => Assert.Equal(kv.Value, again[kv.Key]));
        var canary = (double)first.Values.Count(v => v == "canary") / first.Count;
        Assert.True(Math.Abs(canary - 0.10) <= 0.03, $"canary got {canary:P2} of the users");
    }

    [Fact]
    public async Task Overrides_AHeaderOrACookiePicksTheCluster_OnlyAmongTheSplitsClusters()
    {
        await using var a = await TestBackend.StartAsync("stable");
        await using var b = await TestBackend.StartAsync("canary");
        await using var proxy = await TestProxy.StartAsync(Config(a, b, """
            , "splitOverrides": [ { "header": "X-Canary", "value": "always", "cluster": "canary" }, { "cookie": "gh_cluster" } ]
            """));

        for (var i = 0; i < 50; i++)
        {
            Assert.Equal("canary", await SendAsync(proxy.Client, ("X-Canary", "always")));
            Assert.Equal("stable", await SendAsync(proxy.Client, ("Cookie", "gh_cluster=stable")));
            Assert.Equal("canary", await SendAsync(proxy.Client, ("Cookie", "theme=dark; gh_cluster=canary")));
        }

        // A cookie naming a cluster outside the split is ignored: the split decides (90% stable, so some of 200 are canary).
        var outside = new HashSet<string>();
        for (var i = 0; i < 200; i++)
        {
            outside.Add(await SendAsync(proxy.Client, ("Cookie", "gh_cluster=admin")));
        }

        Assert.Equal(["canary", "stable"], outside.Order());
    }

    private static async Task<string> SendAsync(HttpClient client, (string Name, string Value) header)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "/");
        request.Headers.Add(header.Name, header.Value);
        using var response = await client.SendAsync(request);
        response.EnsureSuccessStatusCode();
        return await response.Content.ReadAsStringAsync();
    }

    private static async Task<Dictionary<string, string>> MapUsersAsync(HttpClient client, int users)
    {
        var map = new ConcurrentDictionary<string, string>();
        await Parallel.ForEachAsync(Enumerable.Range(0, users), new ParallelOptions { MaxDegreeOfParallelism = 8 }, async (i, ct) =>
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, "/");
            request.Headers.Add("X-User", $"user-{i}");
            using var response = await client.SendAsync(request, ct);
            response.EnsureSuccessStatusCode();
            map[$"user-{i}"] = await response.Content.ReadAsStringAsync(ct);
        });
        return new Dictionary<string, string>(map);
    }
}
