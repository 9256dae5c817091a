using System.Net;
using System.Threading.RateLimiting;
using Gatehouse.Configuration;
using Gatehouse.Protection;
using Microsoft.AspNetCore.Http;

namespace Gatehouse.Tests.Protection;

public class RateLimitTests
{
    private static RateLimitPolicy Policy(string algorithm, int permitLimit = 10, string key = "ip", string window = "1h", int tokensPerPeriod = 1, string period = "1h", int queueLimit = 0, string name = "p") =>
        RateLimitPolicy.From(name, new RateLimitDefinition
        {
            Algorithm = algorithm,
            Key = key,
            PermitLimit = permitLimit,
            Window = Duration.Parse(window),
            TokensPerPeriod = tokensPerPeriod,
            ReplenishmentPeriod = Duration.Parse(period),
            QueueLimit = queueLimit,
        });

    private static DefaultHttpContext Request(string ip = "198.51.100.1", string? apiKey = null)
    {
        var context = new DefaultHttpContext();
        context.Connection.RemoteIpAddress = IPAddress.Parse(ip);
        if (apiKey is not null)
        {
            context.Request.Headers["X-Api-Key"] = apiKey;
        }

        return context;
    }

    private static int Accepted(PartitionedRateLimiter<HttpContext> limiter, int attempts, Func<HttpContext>? request = null)
    {
        var accepted = 0;
        for (var i = 0; i < attempts; i++)
        {
            using var lease = limiter.AttemptAcquire((request ?? (() => Request()))());
            accepted += lease.IsAcquired ? 1 : 0;
        }

        return accepted;
    }

    [Theory]
    [InlineData(RateLimitAlgorithms.FixedWindow)]
    [InlineData(RateLimitAlgorithms.SlidingWindow)]
    [InlineData(RateLimitAlgorithms.TokenBucket)]
    public void WithinOneWindow_ExactlyThePermitLimitIsAccepted(string algorithm)
    {
        using var limiter = RateLimiterRegistry.Create(Policy(algorithm, permitLimit: 40));

        Assert.Equal(40, Accepted(limiter, 100));
    }

    [Fact]
    public void Concurrency_LimitsRequestsInFlight_AndAPermitReturnsWhenARequestEnds()
    {
        using var limiter = RateLimiterRegistry.Create(Policy(RateLimitAlgorithms.Concurrency, permitLimit: 2));
        var first = limiter.AttemptAcquire(Request());
        using var second = limiter.AttemptAcquire(Request());
        using (var third = limiter.AttemptAcquire(Request()))
        {
            Assert.True(first.IsAcquired && second.IsAcquired);
            Assert.False(third.IsAcquired);
        }

        first.Dispose();
        using var fourth = limiter.AttemptAcquire(Request());
        Assert.True(fourth.IsAcquired);
    }

    [Fact]
    public void EachClientIp_HasItsOwnBudget()
    {
        using var limiter = RateLimiterRegistry.Create(Policy(RateLimitAlgorithms.FixedWindow, permitLimit: 3));

        Assert.Equal(3, Accepted(limiter, 5, () => Request("198.51.100.1")));
        Assert.Equal(3, Accepted(limiter, 5, () => Request("2001:db8::1")));
        Assert.Equal(0, Accepted(limiter, 1, () => Request("198.51.100.1")));
    }

    [Fact]
    public void HeaderKey_PartitionsByValue_AndFallsBackToTheClientIp()
    {
        using var limiter = RateLimiterRegistry.Create(Policy(RateLimitAlgorithms.FixedWindow, permitLimit: 2, key: "header:X-Api-Key"));

        Assert.Equal(2, Accepted(limiter, 4, () => Request("198.51.100.1", "key-a")));
        Assert.Equal(2, Accepted(limiter, 4, () => Request("198.51.100.1", "key-b")));
        // No key: counted by address, apart from any key (a key equal to the address text shares nothing with it).
        Assert.Equal(2, Accepted(limiter, 4, () => Request("198.51.100.1")));
        Assert.Equal(2, Accepted(limiter, 4, () => Request("198.51.100.2", "198.51.100.1")));
    }

    [Fact]
    public void TokenBucket_FailedLease_SaysWhenToRetry()
    {
        using var limiter = RateLimiterRegistry.Create(Policy(RateLimitAlgorithms.TokenBucket, permitLimit: 1, tokensPerPeriod: 1, period: "30s"));
        using var first = limiter.AttemptAcquire(Request());
        using var second = limiter.AttemptAcquire(Request());

        Assert.True(first.IsAcquired);
        Assert.False(second.IsAcquired);
        Assert.True(second.TryGetMetadata(MetadataName.RetryAfter, out var retryAfter));
        Assert.Equal(TimeSpan.FromSeconds(30), retryAfter);
    }

    [Theory]
    [InlineData("ip", RateLimitKeyKind.ClientIp, "")]
    [InlineData("IP", RateLimitKeyKind.ClientIp, "")]
    [InlineData("header:X-Api-Key", RateLimitKeyKind.Header, "X-Api-Key")]
    [InlineData("Cookie:session", RateLimitKeyKind.Cookie, "session")]
    [InlineData("route:tenant", RateLimitKeyKind.RouteValue, "tenant")]
    public void Key_Parses(string text, RateLimitKeyKind kind, string name)
    {
        Assert.True(RateLimitKey.TryParse(text, out var key));
        Assert.Equal(new RateLimitKey(kind, name), key);
    }

    [Theory]
    [InlineData("")]
    [InlineData("path")]
    [InlineData("header:")]
    [InlineData("header: X")]
    [InlineData("query:x")]
    public void Key_RejectsOtherText(string text)
    {
        Assert.False(RateLimitKey.TryParse(text, out _));
    }

    [Fact]
    public void CookieAndRouteValueKeys_ReadTheRequest()
    {
        var context = Request();
        context.Request.Headers.Cookie = "session=abc; other=1";
        context.Request.RouteValues["tenant"] = "acme";

        Assert.Equal(new RateLimitPartitionKey(false, "abc"), new RateLimitKey(RateLimitKeyKind.Cookie, "session").PartitionOf(context));
        Assert.Equal(new RateLimitPartitionKey(false, "acme"), new RateLimitKey(RateLimitKeyKind.RouteValue, "tenant").PartitionOf(context));
        Assert.Equal(new RateLimitPartitionKey(true, "198.51.100.1"), new RateLimitKey(RateLimitKeyKind.Cookie, "missing").PartitionOf(context));
    }

    [Theory]
    [InlineData(RateLimitAlgorithms.FixedWindow, "\"p\";q=10;w=3600")]
    [InlineData(RateLimitAlgorithms.SlidingWindow, "\"p\";q=10;w=3600")]
    [InlineData(RateLimitAlgorithms.Concurrency, "\"p\";q=10;qu=\"concurrent-requests\"")]
    public void PolicyHeader_FollowsTheDraft11StructuredFieldSyntax(string algorithm, string expected)
    {
        Assert.Equal(expected, Policy(algorithm).PolicyHeader);
    }

    [Fact]
    public void PolicyHeader_TokenBucket_AdvertisesTheTimeToRefillFromEmpty()
    {
        // 20 tokens at 5 per second: empty to full in 4 seconds.
        Assert.Equal("\"burst\";q=20;w=4", Policy(RateLimitAlgorithms.TokenBucket, permitLimit: 20, tokensPerPeriod: 5, period: "1s", name: "burst").PolicyHeader);
    }

    [Fact]
    public void RateLimitField_CarriesRemainingAndResetSeconds()
    {
        var policy = Policy(RateLimitAlgorithms.FixedWindow, name: "per \"ip\"");

        Assert.Equal("\"per \\\"ip\\\"\";r=42", RateLimitHeaders.Format(policy, 42, null));
        Assert.Equal("\"per \\\"ip\\\"\";r=0;t=13", RateLimitHeaders.Format(policy, -1, TimeSpan.FromSeconds(12.2)));
    }

    [Theory]
    [InlineData(0, 1)]
    [InlineData(0.2, 1)]
    [InlineData(1, 1)]
    [InlineData(59.01, 60)]
    public void RetryAfter_IsWholeSecondsRoundedUp_NeverZero(double seconds, int expected)
    {
        Assert.Equal(expected, RateLimitHeaders.RetryAfterSeconds(TimeSpan.FromSeconds(seconds)));
    }

    [Fact]
    public void Registry_UnchangedPolicyAfterReload_KeepsItsCounts()
    {
        using var registry = new RateLimiterRegistry();
        var before = Policy(RateLimitAlgorithms.FixedWindow, permitLimit: 3);
        registry.Apply([before]);
        Assert.Equal(3, Accepted(registry.For(before), 5));

        var reloaded = Policy(RateLimitAlgorithms.FixedWindow, permitLimit: 3);
        Assert.NotSame(before, reloaded);
        registry.Apply([reloaded]);
        Assert.Equal(0, Accepted(registry.For(reloaded), 2));
    }

    [Fact]
    public void Registry_ChangedPolicyAfterReload_StartsFresh()
    {
        using var registry = new RateLimiterRegistry();
        var before = Policy(RateLimitAlgorithms.FixedWindow, permitLimit: 3);
        registry.Apply([before]);
        Assert.Equal(3, Accepted(registry.For(before), 5));

        var changed = Policy(RateLimitAlgorithms.FixedWindow, permitLimit: 4);
        registry.Apply([changed]);
        Assert.Equal(4, Accepted(registry.For(changed), 6));
    }

    [Fact]
    public void Registry_RequestsOfBothGenerationsDuringAReload_ShareOneCount_NoFreshAllowanceFromSwitching()
    {
        using var registry = new RateLimiterRegistry();
        var before = Policy(RateLimitAlgorithms.FixedWindow, permitLimit: 3);
        var changed = Policy(RateLimitAlgorithms.FixedWindow, permitLimit: 4);
        registry.Apply([before]);
        registry.Apply([changed]);

        // Requests of the old and the new generation alternate: one limiter counts them all, 4 in all.
        var accepted = 0;
        for (var i = 0; i < 10; i++)
        {
            accepted += Accepted(registry.For(i % 2 == 0 ? before : changed), 1);
        }

        Assert.Equal(4, accepted);
    }

    [Fact]
    public void Registry_RemovedPolicy_IsDropped_AndStartsFreshIfItComesBack()
    {
        using var registry = new RateLimiterRegistry();
        var policy = Policy(RateLimitAlgorithms.FixedWindow, permitLimit: 2);
        registry.Apply([policy]);
        Assert.Equal(2, Accepted(registry.For(policy), 3));

        registry.Apply([]);
        registry.Apply([policy]);

        Assert.Equal(2, Accepted(registry.For(policy), 3));
    }

    [Fact]
    public async Task QueueLimit_LetsThatManyWaitForAPermit_AndRefusesTheRest()
    {
        using var limiter = RateLimiterRegistry.Create(Policy(RateLimitAlgorithms.Concurrency, permitLimit: 1, queueLimit: 1));
        var holding = await limiter.AcquireAsync(Request());
        var waiting = limiter.AcquireAsync(Request());
        using var refused = await limiter.AcquireAsync(Request());

        Assert.True(holding.IsAcquired);
        Assert.False(waiting.IsCompleted);
        Assert.False(refused.IsAcquired);

        holding.Dispose();
        using var admitted = await waiting.AsTask().WaitAsync(TimeSpan.FromSeconds(10));
        Assert.True(admitted.IsAcquired);
    }
}
