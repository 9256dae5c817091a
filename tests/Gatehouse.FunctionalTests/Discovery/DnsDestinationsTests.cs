using System.Diagnostics;
using System.Net;
using Gatehouse.Discovery;
using Gatehouse.FunctionalTests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Yarp.ReverseProxy;

namespace Gatehouse.FunctionalTests.Discovery;

/// <summary>
/// Destinations by DNS name against a real DNS server (dnsmasq on loopback) and real backends on 127.0.0.2-4: a changed
/// answer adds and removes destinations under load without a failed request, the Host header stays the configured name,
/// an outage keeps the last good answer serving, and SRV records give ports and weights.
/// </summary>
public sealed class DnsDestinationsTests
{
    private const string Name = "api.gatehouse.test";
    private static readonly IPAddress Two = IPAddress.Parse("127.0.0.2");
    private static readonly IPAddress Three = IPAddress.Parse("127.0.0.3");
    private static readonly IPAddress Four = IPAddress.Parse("127.0.0.4");

    /// <summary>Backends on 127.0.0.2, .3 and .4, all on one port (an A record gives no port): each answers its address, or 500 for a wrong Host.</summary>
    private static async Task<TestBackend[]> StartBackendsAsync()
    {
        var backends = new List<TestBackend>();
        var port = 0;
        foreach (var address in new[] { Two, Three, Four })
        {
            var backend = await TestBackend.StartAsync(address.ToString(), null, port, address);
            port = backend.Port;
            backends.Add(backend);
        }

        var expectedHost = $"{Name}:{port}";
        await Task.WhenAll(backends.Select(b => b.StopAsync()));
        var checkedBackends = new List<TestBackend>();
        foreach (var address in new[] { Two, Three, Four })
        {
            checkedBackends.Add(await TestBackend.StartAsync(address.ToString(), context =>
            {
                if (context.Request.Host.Value != expectedHost)
                {
                    context.Response.StatusCode = 500;
                    return context.Response.WriteAsync("wrong Host: " + context.Request.Host.Value);
                }

                return context.Response.WriteAsync(address.ToString());
            }, port, address));
        }

        return [.. checkedBackends];
    }

    private static string Config(int port, string resolver, string extra = "") => Configs.SingleCluster(
        $$"""      "d1": { "address": "http://{{Name}}:{{port}}/" }""",
        $$""" "loadBalancingPolicy": "RoundRobin", "dns": { "resolve": true, "minTtl": "100ms", "maxTtl": "1s", "resolvers": [ "{{resolver}}" ] {{extra}} } """);

    private static HashSet<string> DestinationIds(TestProxy proxy)
    {
        Assert.True(proxy.Services.GetRequiredService<IProxyStateLookup>().TryGetCluster("c", out var cluster));
        return cluster.Destinations.Keys.ToHashSet();
    }

    private static async Task UntilDestinationsAsync(TestProxy proxy, params string[] expected)
    {
        var deadline = Stopwatch.StartNew();
        while (!DestinationIds(proxy).SetEquals(expected))
        {
            Assert.True(deadline.Elapsed < TimeSpan.FromSeconds(15), $"destinations are {string.Join(", ", DestinationIds(proxy))}, not {string.Join(", ", expected)}");
            await Task.Delay(20);
        }
    }

    [Fact]
    public async Task ChangedAnswer_AddsAndRemovesDestinations_UnderLoad_WithoutAFailedRequest()
    {
        var backends = await StartBackendsAsync();
        var (two, three, four) = (backends[0], backends[1], backends[2]);
        try
        {
            using var dns = await Dnsmasq.StartAsync(Name, [Two, Three]);
            await using var proxy = await TestProxy.StartAsync(Config(two.Port, dns.Resolver));
            await UntilDestinationsAsync(proxy, "d1[127.0.0.2]", "d1[127.0.0.3]");

            await using var load = Load.Start(proxy.CreateClient(), "/", workers: 4, limit: TimeSpan.FromSeconds(60));
            await Task.WhenAll(two.WhenRequestsReach(20), three.WhenRequestsReach(20)).WaitAsync(TimeSpan.FromSeconds(20));

            await dns.SetHostsAsync(Name, [Three, Four]);
            await UntilDestinationsAsync(proxy, "d1[127.0.0.3]", "d1[127.0.0.4]");
            var twoAfterRemoval = two.Requests;
            await Task.WhenAll(three.WhenRequestsReach(three.Requests + 50), four.WhenRequestsReach(50)).WaitAsync(TimeSpan.FromSeconds(20));

            // Requests already past load balancing when .2 left may still end there; none is sent to it after.
            Assert.InRange(two.Requests - twoAfterRemoval, 0, 4);

            await dns.SetHostsAsync(Name, [Two, Three, Four]);
            await UntilDestinationsAsync(proxy, "d1[127.0.0.2]", "d1[127.0.0.3]", "d1[127.0.0.4]");
            await two.WhenRequestsReach(twoAfterRemoval + 20).WaitAsync(TimeSpan.FromSeconds(20));

            await load.StopAsync();
            Assert.Empty(load.Failures);
            Assert.True(load.Succeeded > 150, $"only {load.Succeeded} requests succeeded");
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
    public async Task DnsOutage_KeepsTheLastGoodAnswerServing()
    {
        var backends = await StartBackendsAsync();
        try
        {
            using var dns = await Dnsmasq.StartAsync(Name, [Two, Three]);
            await using var proxy = await TestProxy.StartAsync(Config(backends[0].Port, dns.Resolver));
            await UntilDestinationsAsync(proxy, "d1[127.0.0.2]", "d1[127.0.0.3]");

            var failures = 0;
            var twoFailures = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            proxy.Services.GetRequiredService<DnsDestinationResolver>().LookupCompleted += outcome =>
            {
                if (!outcome.Succeeded && Interlocked.Increment(ref failures) >= 2)
                {
                    twoFailures.TrySetResult();
                }
            };
            dns.Stop();
            await twoFailures.Task.WaitAsync(TimeSpan.FromSeconds(30));

            Assert.Equal(["d1[127.0.0.2]", "d1[127.0.0.3]"], DestinationIds(proxy).Order());
            using var client = proxy.CreateClient();
            var served = new List<string>();
            for (var i = 0; i < 20; i++)
            {
                using var response = await client.GetAsync("/");
                Assert.Equal(HttpStatusCode.OK, response.StatusCode);
                served.Add(await response.Content.ReadAsStringAsync());
            }

            Assert.Equal(["127.0.0.2", "127.0.0.3"], served.Distinct().Order());
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
    public async Task DrainingTheConfiguredId_TakesEveryAddressItResolvedToOutOfRotation()
    {
        var backends = await StartBackendsAsync();
        try
        {
            using var dns = await Dnsmasq.StartAsync(Name, [Two, Three]);
            await using var proxy = await TestProxy.StartAsync(Config(backends[0].Port, dns.Resolver));
            await UntilDestinationsAsync(proxy, "d1[127.0.0.2]", "d1[127.0.0.3]");
            var lookup = proxy.Services.GetRequiredService<IProxyStateLookup>();
            var controls = proxy.Services.GetRequiredService<Gatehouse.Runtime.DestinationControls>();

            Assert.Equal(200, Gatehouse.Admin.AdminDestinations.Apply("c", "d1", "disable", lookup, controls).Status);
            using (var refused = await proxy.Client.GetAsync("/"))
            {
                Assert.Equal(HttpStatusCode.ServiceUnavailable, refused.StatusCode);
            }

            Assert.Equal(200, Gatehouse.Admin.AdminDestinations.Apply("c", "d1", "enable", lookup, controls).Status);
            Assert.Equal(HttpStatusCode.OK, (await proxy.Client.GetAsync("/")).StatusCode);
            Assert.Equal(404, Gatehouse.Admin.AdminDestinations.Apply("c", "nope", "disable", lookup, controls).Status);
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
    public async Task SrvRecords_GivePortsAndWeights()
    {
        await using var heavy = await TestBackend.StartAsync("heavy");
        await using var light = await TestBackend.StartAsync("light");
        using var dns = await Dnsmasq.StartAsync("backends.gatehouse.test", [IPAddress.Loopback],
            $"--srv-host=_http._tcp.{Name},backends.gatehouse.test,{heavy.Port},0,3",
            $"--srv-host=_http._tcp.{Name},backends.gatehouse.test,{light.Port},0,1");
        await using var proxy = await TestProxy.StartAsync(Configs.SingleCluster(
            $$"""      "d1": { "address": "http://_http._tcp.{{Name}}/" }""",
            $$""" "loadBalancingPolicy": "WeightedRoundRobin", "dns": { "resolve": true, "srv": true, "resolvers": [ "{{dns.Resolver}}" ] } """));
        await UntilDestinationsAsync(proxy, $"d1[127.0.0.1:{heavy.Port}]", $"d1[127.0.0.1:{light.Port}]");

        using var client = proxy.CreateClient();
        var served = new List<string>();
        for (var i = 0; i < 40; i++)
        {
            served.Add(await client.GetStringAsync("/"));
        }

        Assert.Equal(30, served.Count(s => s == "heavy"));
        Assert.Equal(10, served.Count(s => s == "light"));
    }
}
