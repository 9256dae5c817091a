using System.Net;
using Gatehouse.FunctionalTests.Infrastructure;
using static Gatehouse.FunctionalTests.Protection.ProtectionHelpers;

namespace Gatehouse.FunctionalTests.Protection;

/// <summary>
/// Rate limits through a real Gatehouse. Windows are long (an hour) so counts are exact and never depend on timing;
/// replenishment is checked by waiting as long as Retry-After tells the client to.
/// </summary>
public sealed class RateLimitTests
{
    private static string Policy(string name, string body) => $$"""
        , "rateLimits": { "{{name}}": {{body}} }
        """;

    private static async Task<(int Accepted, int Limited, HttpResponseMessage? FirstLimited)> SendAsync(HttpClient client, int count, Action<HttpRequestMessage>? shape = null)
    {
        var accepted = 0;
        var limited = 0;
        HttpResponseMessage? first = null;
        for (var i = 0; i < count; i++)
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, "/x");
            shape?.Invoke(request);
            var response = await client.SendAsync(request);
            if (response.StatusCode == HttpStatusCode.OK)
            {
                accepted++;
                response.Dispose();
            }
            else
            {
                Assert.Equal(HttpStatusCode.TooManyRequests, response.StatusCode);
                limited++;
                if (first is null)
                {
                    first = response;
                }
                else
                {
                    response.Dispose();
                }
            }
        }

        return (accepted, limited, first);
    }

    [Theory]
    [InlineData("fixedWindow", """{ "algorithm": "fixedWindow", "permitLimit": 20, "window": "1h" }""", "\"p\";q=20;w=3600")]
    [InlineData("slidingWindow", """{ "algorithm": "slidingWindow", "permitLimit": 20, "window": "1h", "segmentsPerWindow": 4 }""", "\"p\";q=20;w=3600")]
    [InlineData("tokenBucket", """{ "algorithm": "tokenBucket", "permitLimit": 20, "tokensPerPeriod": 1, "replenishmentPeriod": "1h" }""", "\"p\";q=20;w=72000")]
    public async Task WithinAWindow_ExactlyThePolicysCountIsAccepted_TheRestGet429(string algorithm, string policy, string policyHeader)
    {
        await using var backend = await TestBackend.StartAsync(algorithm);
        await using var proxy = await TestProxy.StartAsync(Config(backend, routeExtra: """, "rateLimit": "p" """, rootExtra: Policy("p", policy)));

        var (accepted, limited, first) = await SendAsync(proxy.Client, 30);

        using (first)
        {
            Assert.Equal((20, 10), (accepted, limited));
            Assert.Equal(20, backend.Requests);
            Assert.True(int.Parse(first!.Headers.GetValues("Retry-After").Single(), System.Globalization.CultureInfo.InvariantCulture) >= 1);
            Assert.Equal(policyHeader, first.Headers.GetValues("RateLimit-Policy").Single());
            Assert.Matches("^\"p\";r=0;t=[0-9]+$", first.Headers.GetValues("RateLimit").Single());
            var id = first.Headers.GetValues("X-Request-Id").Single();
            Assert.Equal($"429 Too Many Requests: slow down; see Retry-After.\nRequest id: {id}\n", await first.Content.ReadAsStringAsync());
        }
    }

    [Fact]
    public async Task AcceptedResponses_CarryTheRemainingQuota()
    {
        await using var backend = await TestBackend.StartAsync("b");
        await using var proxy = await TestProxy.StartAsync(Config(backend, routeExtra: """, "rateLimit": "p" """,
            rootExtra: Policy("p", """{ "algorithm": "fixedWindow", "permitLimit": 3, "window": "1h" }""")));

        var remaining = new List<string>();
        for (var i = 0; i < 3; i++)
        {
            using var response = await proxy.Client.GetAsync("/x");
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            remaining.Add(response.Headers.GetValues("RateLimit").Single());
        }

        Assert.Equal(["\"p\";r=2", "\"p\";r=1", "\"p\";r=0"], remaining);
    }

    [Fact]
    public async Task Concurrency_LimitsRequestsInFlight_AndFreesAPermitWhenOneEnds()
    {
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var backend = await TestBackend.StartAsync("slow", async context =>
        {
            if (context.Request.Path == "/hold")
            {
                await release.Task.WaitAsync(TimeSpan.FromSeconds(30));
            }

            await context.Response.WriteAsync("done");
        });
        await using var proxy = await TestProxy.StartAsync(Config(backend, routeExtra: """, "rateLimit": "c" """,
            rootExtra: Policy("c", """{ "algorithm": "concurrency", "permitLimit": 2 }""")));

        var held = new[] { proxy.Client.GetAsync("/hold"), proxy.Client.GetAsync("/hold") };
        await backend.WhenRequestsReach(2).WaitAsync(TimeSpan.FromSeconds(10));
        using (var third = await proxy.Client.GetAsync("/x"))
        {
            Assert.Equal(HttpStatusCode.TooManyRequests, third.StatusCode);
            Assert.Equal("1", third.Headers.GetValues("Retry-After").Single());
            Assert.Equal("\"c\";q=2;qu=\"concurrent-requests\"", third.Headers.GetValues("RateLimit-Policy").Single());
        }

        release.SetResult();
        foreach (var response in await Task.WhenAll(held))
        {
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            response.Dispose();
        }

        using var after = await proxy.Client.GetAsync("/x");
        Assert.Equal(HttpStatusCode.OK, after.StatusCode);
    }

    [Fact]
    public async Task TokenBucket_RefillsByTheTimeRetryAfterSays()
    {
        await using var backend = await TestBackend.StartAsync("b");
        await using var proxy = await TestProxy.StartAsync(Config(backend, routeExtra: """, "rateLimit": "p" """,
            rootExtra: Policy("p", """{ "algorithm": "tokenBucket", "permitLimit": 3, "tokensPerPeriod": 3, "replenishmentPeriod": "2500ms" }""")));

        var (accepted, _, first) = await SendAsync(proxy.Client, 5);
        Assert.Equal(3, accepted);
        var retryAfter = int.Parse(first!.Headers.GetValues("Retry-After").Single(), System.Globalization.CultureInfo.InvariantCulture);
        first.Dispose();
        // The time to the next refill (at most the 2.5 s period), rounded up to whole seconds.
        Assert.InRange(retryAfter, 1, 3);

        // A well-behaved client waits as told; by then the bucket is full again, and holds no more than its size. The
        // period is long enough that the next refill is at least a second away, so a slow machine sending the five
        // requests cannot see a second refill. (The framework's limiters read the system clock, not a TimeProvider.)
        await Task.Delay(TimeSpan.FromSeconds(retryAfter));
        var (refilled, limited, second) = await SendAsync(proxy.Client, 5);
        second?.Dispose();

        Assert.Equal((3, 2), (refilled, limited));
    }

    [Fact]
    public async Task HeaderKey_EachApiKeyHasItsOwnBudget_AndExemptClientsAreNeverLimited()
    {
        await using var backend = await TestBackend.StartAsync("b");
        await using var proxy = await TestProxy.StartAsync(Config(backend, routeExtra: """, "rateLimit": "k" """,
            rootExtra: Policy("k", """{ "algorithm": "fixedWindow", "key": "header:X-Api-Key", "permitLimit": 4, "window": "1h" }""")));

        Assert.Equal(4, (await SendAsync(proxy.Client, 6, r => r.Headers.Add("X-Api-Key", "a"))).Accepted);
        Assert.Equal(4, (await SendAsync(proxy.Client, 6, r => r.Headers.Add("X-Api-Key", "b"))).Accepted);
        Assert.Equal(0, (await SendAsync(proxy.Client, 2, r => r.Headers.Add("X-Api-Key", "a"))).Accepted);

        await proxy.ReloadAsync(Config(backend, routeExtra: """, "rateLimit": "k" """,
            rootExtra: Policy("k", """{ "algorithm": "fixedWindow", "key": "header:X-Api-Key", "permitLimit": 4, "window": "1h", "exempt": ["127.0.0.0/8"] }""")));
        Assert.Equal(10, (await SendAsync(proxy.Client, 10, r => r.Headers.Add("X-Api-Key", "a"))).Accepted);
    }

    [Fact]
    public async Task Reload_KeepsTheCountsOfAnUnchangedPolicy_AndAChangedPolicyStartsFresh()
    {
        await using var backend = await TestBackend.StartAsync("b");
        const string policy = """{ "algorithm": "fixedWindow", "permitLimit": 5, "window": "1h" }""";
        await using var proxy = await TestProxy.StartAsync(Config(backend, routeExtra: """, "rateLimit": "p" """, rootExtra: Policy("p", policy)));
        Assert.Equal(5, (await SendAsync(proxy.Client, 7)).Accepted);

        // Something else changes: the policy keeps its counts.
        var unchanged = await proxy.ReloadAsync(Config(backend, routeExtra: """, "rateLimit": "p", "timeout": "20s" """, rootExtra: Policy("p", policy)));
        Assert.True(unchanged.Applied);
        Assert.Equal(0, (await SendAsync(proxy.Client, 2)).Accepted);

        var changed = await proxy.ReloadAsync(Config(backend, routeExtra: """, "rateLimit": "p" """,
            rootExtra: Policy("p", """{ "algorithm": "fixedWindow", "permitLimit": 6, "window": "1h" }""")));
        Assert.True(changed.Applied);
        Assert.Equal(6, (await SendAsync(proxy.Client, 8)).Accepted);
    }

    [Fact]
    public async Task Reload_RemovingAPolicy_RetiresItsLimiter_EvenWithNoRequestBeforeItComesBack()
    {
        await using var backend = await TestBackend.StartAsync("b");
        var limited = Config(backend, routeExtra: """, "rateLimit": "p" """, rootExtra: Policy("p", """{ "algorithm": "fixedWindow", "permitLimit": 3, "window": "1h" }"""));
        await using var proxy = await TestProxy.StartAsync(limited);
        Assert.Equal(3, (await SendAsync(proxy.Client, 4)).Accepted);

        // The reload itself retires the removed policy's limiter: no request has to pass in between.
        Assert.True((await proxy.ReloadAsync(Config(backend))).Applied);
        Assert.True((await proxy.ReloadAsync(limited)).Applied);

        Assert.Equal(3, (await SendAsync(proxy.Client, 4)).Accepted);
    }

    [Fact]
    public async Task CacheHits_AreRateLimitedToo_AndNeverReplayAnotherRequestsQuota()
    {
        await using var backend = await TestBackend.StartAsync("b", async context =>
        {
            context.Response.Headers.CacheControl = "public, max-age=600";
            await context.Response.WriteAsync("page");
        });
        await using var proxy = await TestProxy.StartAsync(Config(backend, routeExtra: """, "rateLimit": "p", "cache": { "enabled": true } """,
            rootExtra: Policy("p", """{ "algorithm": "fixedWindow", "permitLimit": 3, "window": "1h" }""")));

        var quotas = new List<string>();
        for (var i = 0; i < 3; i++)
        {
            using var response = await proxy.Client.GetAsync("/page");
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            quotas.Add(response.Headers.GetValues("RateLimit").Single());
        }

        using var limited = await proxy.Client.GetAsync("/page");

        Assert.Equal(1, backend.Requests);
        Assert.Equal(["\"p\";r=2", "\"p\";r=1", "\"p\";r=0"], quotas);
        Assert.Equal(HttpStatusCode.TooManyRequests, limited.StatusCode);
    }
}
