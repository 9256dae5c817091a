using System.Net;
using Gatehouse.Discovery;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using Yarp.ReverseProxy.Configuration;

namespace Gatehouse.Tests.Discovery;

/// <summary>The resolver over a scripted lookup and a fake clock: refreshes on the TTL, change tokens, last good answer.</summary>
public sealed class DnsDestinationResolverTests
{
    private static readonly DnsDestinationSettings Settings = new(TimeSpan.FromSeconds(5), TimeSpan.FromSeconds(60), [], Srv: false, Host: null);

    private readonly FakeTimeProvider _time = new();
    private readonly Queue<Func<DnsAnswer>> _script = new();
    private readonly List<DnsLookupOutcome> _outcomes = [];
    private readonly SemaphoreSlim _lookups = new(0);

    private Task<DnsAnswer> Lookup(string name, DnsDestinationSettings settings, CancellationToken cancellationToken)
    {
        try
        {
            var next = _script.Count > 1 ? _script.Dequeue() : _script.Peek();
            return Task.FromResult(next());
        }
        catch (Exception ex)
        {
            return Task.FromException<DnsAnswer>(ex);
        }
    }

    private DnsDestinationResolver Create()
    {
        var resolver = new DnsDestinationResolver(Lookup, _time, NullLogger<DnsDestinationResolver>.Instance);
        resolver.LookupCompleted += outcome =>
        {
            lock (_outcomes)
            {
                _outcomes.Add(outcome);
            }

            _lookups.Release();
        };
        return resolver;
    }

    private static DnsAnswer Answer(int ttlSeconds, params string[] addresses) =>
        new(addresses.Select(a => new ResolvedAddress(IPAddress.Parse(a))).ToList(), TimeSpan.FromSeconds(ttlSeconds));

    private static Dictionary<string, DestinationConfig> Configured() => new()
    {
        ["d1"] = new DestinationConfig { Address = "http://api.test:8080/", Metadata = Settings.ToMetadata().ToDictionary() },
        ["plain"] = new DestinationConfig { Address = "http://127.0.0.9:8080/" },
    };

    private async Task NextLookupAsync() => Assert.True(await _lookups.WaitAsync(TimeSpan.FromSeconds(10)), "no lookup happened");

    [Fact]
    public async Task Resolve_ExpandsNamedDestinations_AndPassesOthersThrough()
    {
        _script.Enqueue(() => Answer(30, "127.0.0.2", "127.0.0.3"));
        await using var resolver = Create();

        var resolved = await resolver.ResolveDestinationsAsync(Configured(), default);

        Assert.Equal(["d1[127.0.0.2]", "d1[127.0.0.3]", "plain"], resolved.Destinations.Keys.Order());
        Assert.NotNull(resolved.ChangeToken);
        Assert.False(resolved.ChangeToken.HasChanged);
    }

    [Fact]
    public async Task Resolve_WithoutDnsDestinations_ReturnsTheSameOnes()
    {
        await using var resolver = Create();
        var configured = new Dictionary<string, DestinationConfig> { ["plain"] = new() { Address = "http://127.0.0.9/" } };

        var resolved = await resolver.ResolveDestinationsAsync(configured, default);

        Assert.Same(configured, resolved.Destinations);
        Assert.Null(resolved.ChangeToken);
    }

    [Fact]
    public async Task ChangedAnswer_AfterTheTtl_FiresTheChangeToken()
    {
        _script.Enqueue(() => Answer(30, "127.0.0.2"));
        _script.Enqueue(() => Answer(30, "127.0.0.2", "127.0.0.4"));
        await using var resolver = Create();
        var first = await resolver.ResolveDestinationsAsync(Configured(), default);
        await NextLookupAsync();

        _time.Advance(TimeSpan.FromSeconds(29));
        Assert.False(first.ChangeToken!.HasChanged);
        _time.Advance(TimeSpan.FromSeconds(1));
        await NextLookupAsync();

        Assert.True(first.ChangeToken.HasChanged);
        var second = await resolver.ResolveDestinationsAsync(Configured(), default);
        Assert.Contains("d1[127.0.0.4]", second.Destinations.Keys);
        Assert.Contains("d1[127.0.0.2]", second.Destinations.Keys);
    }

    [Fact]
    public async Task SameAnswer_DoesNotFireTheChangeToken()
    {
        _script.Enqueue(() => Answer(0, "127.0.0.2"));
        await using var resolver = Create();
        var first = await resolver.ResolveDestinationsAsync(Configured(), default);
        await NextLookupAsync();

        _time.Advance(Settings.MinTtl); // TTL 0 is held to minTtl
        await NextLookupAsync();

        Assert.False(first.ChangeToken!.HasChanged);
    }

    [Fact]
    public async Task FailedLookups_KeepTheLastGoodAnswer_AndRetryAfterMinTtl()
    {
        _script.Enqueue(() => Answer(10, "127.0.0.2"));
        _script.Enqueue(() => throw new TimeoutException("no answer"));
        _script.Enqueue(() => throw new TimeoutException("no answer"));
        _script.Enqueue(() => Answer(10, "127.0.0.5"));
        await using var resolver = Create();
        var first = await resolver.ResolveDestinationsAsync(Configured(), default);
        await NextLookupAsync();

        _time.Advance(TimeSpan.FromSeconds(10));
        await NextLookupAsync();
        Assert.False(first.ChangeToken!.HasChanged);
        Assert.Contains("d1[127.0.0.2]", (await resolver.ResolveDestinationsAsync(Configured(), default)).Destinations.Keys);

        _time.Advance(Settings.MinTtl);
        await NextLookupAsync();
        _time.Advance(Settings.MinTtl);
        await NextLookupAsync();

        Assert.True(first.ChangeToken.HasChanged);
        Assert.Equal([false, false, true], _outcomes.Skip(1).Select(o => o.Succeeded).Take(2).Append(_outcomes[^1].Succeeded));
        Assert.Contains("d1[127.0.0.5]", (await resolver.ResolveDestinationsAsync(Configured(), default)).Destinations.Keys);
    }

    [Fact]
    public async Task FirstLookupFailing_GivesNoDestinationForTheName_UntilOneSucceeds()
    {
        _script.Enqueue(() => throw new TimeoutException("no answer"));
        _script.Enqueue(() => Answer(10, "127.0.0.2"));
        await using var resolver = Create();

        var first = await resolver.ResolveDestinationsAsync(Configured(), default);
        await NextLookupAsync();
        Assert.Equal(["plain"], first.Destinations.Keys);

        _time.Advance(Settings.MinTtl);
        await NextLookupAsync();
        Assert.True(first.ChangeToken!.HasChanged);
    }
}
