using System.Diagnostics;
using System.Net;
using Gatehouse.FunctionalTests.Infrastructure;
using static Gatehouse.FunctionalTests.Protection.ProtectionHelpers;

namespace Gatehouse.FunctionalTests.Protection;

/// <summary>
/// Sustained rates over several windows with real requests and the real clock: the accepted count is within ±5% of what
/// the policy allows for the time that passed. Windows are whole seconds so the limiters' 100 ms replenishment tick
/// is small beside them; the client sends far faster than the limit so the limiter, not the client, sets the count.
/// Each run ends between two window or segment boundaries, since those ticks may come up to ~0.1 s late each.
/// </summary>
public sealed class RateLimitRateTests
{
    [Theory]
    // 20 per 1 s window, windows starting at 0, 1 and 2 s: 60 in 2.5 s.
    [InlineData("""{ "algorithm": "fixedWindow", "permitLimit": 20, "window": "1s" }""", 2.5, 60)]
    // 20 per 2 s in 1 s segments: the permits used at 0 come back when their segment slides out at 2 s: 40 in 3.2 s.
    [InlineData("""{ "algorithm": "slidingWindow", "permitLimit": 20, "window": "2s", "segmentsPerWindow": 2 }""", 3.2, 40)]
    // A full bucket of 20, then 20 tokens a second: 70 in 2.5 s.
    [InlineData("""{ "algorithm": "tokenBucket", "permitLimit": 20, "tokensPerPeriod": 20, "replenishmentPeriod": "1s" }""", 2.5, 70)]
    public async Task SustainedLoad_AcceptedCountMatchesThePolicy_WithinFivePercent(string policy, double seconds, int expected)
    {
        var run = TimeSpan.FromSeconds(seconds);
        await using var backend = await TestBackend.StartAsync("b");
        await using var proxy = await TestProxy.StartAsync(Config(backend, routeExtra: """, "rateLimit": "p" """, rootExtra: $$""", "rateLimits": { "p": {{policy}} }"""));

        // The limiter starts with the first request; time from its answer, so the first request's own latency
        // (connection, JIT) does not shift the windows against the clock.
        using (var first = await proxy.Client.GetAsync("/x"))
        {
            Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        }

        var accepted = 1;
        var sent = 1;
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < run)
        {
            using var response = await proxy.Client.GetAsync("/x");
            sent++;
            if (response.StatusCode == HttpStatusCode.OK)
            {
                accepted++;
            }
            else
            {
                Assert.Equal(HttpStatusCode.TooManyRequests, response.StatusCode);
            }
        }

        Assert.True(sent >= 3 * expected, $"the client sent only {sent} requests; the test needs a client much faster than the limit");
        Assert.InRange(accepted, expected * 0.95, expected * 1.05);
        Assert.Equal(accepted, backend.Requests);
    }
}
