using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using Gatehouse.FunctionalTests.Infrastructure;
using Gatehouse.Overload;
using Microsoft.Extensions.DependencyInjection;
using Yarp.ReverseProxy;

namespace Gatehouse.FunctionalTests.Overload;

/// <summary>
/// maxConcurrentRequests with a queue, through a real Gatehouse in front of a backend that holds every request until the
/// test lets it go: at most 2 at the backend at a time, the rest served in the order they came, and 503 with Retry-After
/// for a request whose queue timeout runs out or that finds the queue full.
/// </summary>
public sealed class DestinationQueueTests
{
    private sealed class HoldingBackend : IAsyncDisposable
    {
        private readonly SemaphoreSlim _release = new(0);
        private int _inside;
        private int _most;
        private readonly CountWatch _arrived = new();

        public ConcurrentQueue<string> Arrivals { get; } = new();

        public int Most => Volatile.Read(ref _most);

        public TestBackend Backend { get; private set; } = null!;

        public static async Task<HoldingBackend> StartAsync()
        {
            var holding = new HoldingBackend();
            holding.Backend = await TestBackend.StartAsync("slow", holding.HandleAsync);
            return holding;
        }

        private async Task HandleAsync(HttpContext context)
        {
            var now = Interlocked.Increment(ref _inside);
            int most;
            while ((most = Volatile.Read(ref _most)) < now && Interlocked.CompareExchange(ref _most, now, most) != most)
            {
            }

            Arrivals.Enqueue(context.Request.Headers["X-Seq"].ToString());
            _arrived.Increment();

            try
            {
                await _release.WaitAsync(context.RequestAborted);
            }
            finally
            {
                Interlocked.Decrement(ref _inside);
            }

            await context.Response.WriteAsync("done " + context.Request.Headers["X-Seq"]);
        }

        public void ReleaseOne() => _release.Release();

        /// <summary>
        /// Completes once <paramref name="count"/> requests have been recorded in <see cref="Arrivals"/> (the backend's
        /// request count moves before the handler records, so two requests may record out of the order they were counted).
        /// </summary>
        public Task WhenArrived(int count) => _arrived.WhenReaches(count);

        public async ValueTask DisposeAsync()
        {
            _release.Release(1000);
            await Backend.DisposeAsync();
        }
    }

    private static ConcurrencyGate GateOf(TestProxy proxy)
    {
        Assert.True(proxy.Services.GetRequiredService<IProxyStateLookup>().TryGetCluster("c", out var cluster));
        var destination = cluster.Destinations.Values.Single();
        return proxy.Services.GetRequiredService<DestinationGates>().Existing(destination) ?? throw new InvalidOperationException("no gate yet");
    }

    /// <summary>Waits (bounded) until the gate shows <paramref name="waiting"/> queued requests.</summary>
    private static async Task UntilWaitingAsync(TestProxy proxy, int waiting)
    {
        var deadline = Stopwatch.StartNew();
        while (GateOf(proxy).Waiting != waiting)
        {
            Assert.True(deadline.Elapsed < TimeSpan.FromSeconds(10), $"the queue never held {waiting} (it holds {GateOf(proxy).Waiting})");
            await Task.Delay(5);
        }
    }

    private static Task<HttpResponseMessage> Send(HttpClient client, int seq)
    {
        var request = new HttpRequestMessage(HttpMethod.Get, "/");
        request.Headers.Add("X-Seq", seq.ToString(System.Globalization.CultureInfo.InvariantCulture));
        return client.SendAsync(request);
    }

    [Fact]
    public async Task TwentyConcurrentRequests_AreServedTwoAtATime_InArrivalOrder_WithoutFailure()
    {
        await using var slow = await HoldingBackend.StartAsync();
        await using var proxy = await TestProxy.StartAsync(Configs.SingleCluster(Configs.Destinations(slow.Backend),
            """ "maxConcurrentRequests": 2, "queue": { "size": 50, "timeout": "30s" } """));
        using var client = proxy.CreateClient();

        // Each request is sent once the one before it is at the backend or in the queue, so the arrival order is known.
        var responses = new List<Task<HttpResponseMessage>>();
        for (var seq = 0; seq < 20; seq++)
        {
            responses.Add(Send(client, seq));
            if (seq < 2)
            {
                await slow.WhenArrived(seq + 1).WaitAsync(TimeSpan.FromSeconds(10));
            }
            else
            {
                await UntilWaitingAsync(proxy, seq - 1);
            }
        }

        // Let the backend finish one request at a time: each time exactly the next in line reaches it.
        for (var served = 2; served < 20; served++)
        {
            slow.ReleaseOne();
            await slow.WhenArrived(served + 1).WaitAsync(TimeSpan.FromSeconds(10));
        }

        slow.ReleaseOne();
        slow.ReleaseOne();
        var answers = await Task.WhenAll(responses).WaitAsync(TimeSpan.FromSeconds(30));

        Assert.All(answers, a => Assert.Equal(HttpStatusCode.OK, a.StatusCode));
        Assert.Equal(Enumerable.Range(0, 20).Select(i => i.ToString(System.Globalization.CultureInfo.InvariantCulture)), slow.Arrivals);
        Assert.Equal(2, slow.Most);
        Assert.Equal(0, GateOf(proxy).Active);
    }

    [Fact]
    public async Task QueueTimeout_RunningOut_Answers503WithRetryAfter_AndTheBackendNeverSeesTheRequest()
    {
        await using var slow = await HoldingBackend.StartAsync();
        await using var proxy = await TestProxy.StartAsync(Configs.SingleCluster(Configs.Destinations(slow.Backend),
            """ "maxConcurrentRequests": 2, "queue": { "size": 10, "timeout": "400ms" } """));
        using var client = proxy.CreateClient();
        var held = new[] { Send(client, 0), Send(client, 1) };
        await slow.Backend.WhenRequestsReach(2).WaitAsync(TimeSpan.FromSeconds(10));

        var waited = Stopwatch.StartNew();
        using var refused = await Send(client, 2);
        waited.Stop();

        Assert.Equal(HttpStatusCode.ServiceUnavailable, refused.StatusCode);
        Assert.Equal(TimeSpan.FromSeconds(1), refused.Headers.RetryAfter?.Delta);
        Assert.True(waited.Elapsed >= TimeSpan.FromMilliseconds(390), $"refused after {waited.ElapsedMilliseconds} ms, before the queue timeout");
        Assert.Equal(2, slow.Backend.Requests);

        slow.ReleaseOne();
        slow.ReleaseOne();
        Assert.All(await Task.WhenAll(held), a => Assert.Equal(HttpStatusCode.OK, a.StatusCode));
        // With the slots free again, the next request is served at once.
        var next = Send(client, 3);
        await slow.Backend.WhenRequestsReach(3).WaitAsync(TimeSpan.FromSeconds(10));
        slow.ReleaseOne();
        Assert.Equal(HttpStatusCode.OK, (await next).StatusCode);
    }

    [Fact]
    public async Task FullQueue_Answers503AtOnce()
    {
        await using var slow = await HoldingBackend.StartAsync();
        await using var proxy = await TestProxy.StartAsync(Configs.SingleCluster(Configs.Destinations(slow.Backend),
            """ "maxConcurrentRequests": 1, "queue": { "size": 1, "timeout": "30s" } """));
        using var client = proxy.CreateClient();
        var held = Send(client, 0);
        await slow.Backend.WhenRequestsReach(1).WaitAsync(TimeSpan.FromSeconds(10));
        var queued = Send(client, 1);
        await UntilWaitingAsync(proxy, 1);

        var waited = Stopwatch.StartNew();
        using var refused = await Send(client, 2);

        Assert.Equal(HttpStatusCode.ServiceUnavailable, refused.StatusCode);
        Assert.True(waited.Elapsed < TimeSpan.FromSeconds(10));
        Assert.Equal(TimeSpan.FromSeconds(30), refused.Headers.RetryAfter?.Delta);
        slow.ReleaseOne();
        slow.ReleaseOne();
        Assert.Equal(HttpStatusCode.OK, (await held).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await queued).StatusCode);
    }

    [Fact]
    public async Task WithTwoDestinations_ARequestGoesWhereThereIsRoom_BeforeQueueing()
    {
        await using var first = await HoldingBackend.StartAsync();
        await using var second = await HoldingBackend.StartAsync();
        await using var proxy = await TestProxy.StartAsync(Configs.SingleCluster(
            Configs.Destinations(("a", first.Backend, 1), ("b", second.Backend, 1)),
            """ "maxConcurrentRequests": 1, "loadBalancingPolicy": "FirstAlphabetical" """));
        using var client = proxy.CreateClient();

        var one = Send(client, 0);
        await first.Backend.WhenRequestsReach(1).WaitAsync(TimeSpan.FromSeconds(10));
        var two = Send(client, 1);
        // FirstAlphabetical would pick "a" again; "a" is full, so "b" (which has room) takes it.
        await second.Backend.WhenRequestsReach(1).WaitAsync(TimeSpan.FromSeconds(10));

        first.ReleaseOne();
        second.ReleaseOne();
        Assert.Equal(HttpStatusCode.OK, (await one).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await two).StatusCode);
    }
}
