using Microsoft.Extensions.Primitives;

namespace Gatehouse.Discovery;

/// <summary>
/// One name under watch: looked up again when its answer's TTL (bounded by the configured minimum and maximum) runs out,
/// after the minimum TTL when a lookup failed. A failed lookup keeps the last good answer. <see cref="Changed"/> fires
/// only when the set of addresses changes, so YARP re-applies a cluster only then.
/// </summary>
public sealed class DnsNameWatch : IAsyncDisposable
{
    private readonly string _name;
    private readonly DnsDestinationSettings _settings;
    private readonly Func<string, DnsDestinationSettings, CancellationToken, Task<DnsAnswer>> _lookup;
    private readonly TimeProvider _time;
    private readonly Action<DnsLookupOutcome> _report;
    private readonly CancellationTokenSource _stop = new();
    private readonly TaskCompletionSource _firstLookup = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private CancellationTokenSource _changed = new();
    private DnsAnswer? _answer;
    private Task? _loop;

    public DnsNameWatch(string name, DnsDestinationSettings settings, Func<string, DnsDestinationSettings, CancellationToken, Task<DnsAnswer>> lookup, TimeProvider time, Action<DnsLookupOutcome> report)
    {
        _name = name;
        _settings = settings;
        _lookup = lookup;
        _time = time;
        _report = report;
    }

    /// <summary>The last good answer; null until a lookup has succeeded.</summary>
    public DnsAnswer? Answer => Volatile.Read(ref _answer);

    /// <summary>A token that fires when the answer next changes. Read it before <see cref="Answer"/>, so no change is missed.</summary>
    public IChangeToken Changed => new CancellationChangeToken(Volatile.Read(ref _changed).Token);

    /// <summary>Starts watching (once) and completes when the first lookup has ended, whatever its outcome.</summary>
    public Task StartAsync()
    {
        lock (_stop)
        {
            _loop ??= Task.Run(RunAsync);
        }

        return _firstLookup.Task;
    }

    private async Task RunAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            // The change token fires and the next wait starts before the outcome is reported, so whoever the report
            // wakes sees the change, and a listener that moves the clock (a test's fake one) moves this wait too.
            Task next;
            try
            {
                var answer = await _lookup(_name, _settings, _stop.Token).ConfigureAwait(false);
                var previous = Answer;
                Volatile.Write(ref _answer, answer);
                if (!answer.SameDestinations(previous))
                {
                    // Not disposed: YARP may still register on the token it was handed.
                    var changed = Interlocked.Exchange(ref _changed, new CancellationTokenSource());
                    await changed.CancelAsync().ConfigureAwait(false);
                }

                next = Task.Delay(DnsDecisions.RefreshAfter(answer.Ttl, _settings.MinTtl, _settings.MaxTtl), _time, _stop.Token);
                _report(new DnsLookupOutcome(_name, answer, null));
            }
            catch (OperationCanceledException) when (_stop.IsCancellationRequested)
            {
                break;
            }
            catch (Exception ex)
            {
                next = Task.Delay(DnsDecisions.RetryAfterFailure(_settings.MinTtl), _time, _stop.Token);
                _report(new DnsLookupOutcome(_name, null, ex.Message));
            }

            _firstLookup.TrySetResult();
            try
            {
                await next.ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                break;
            }
        }

        _firstLookup.TrySetResult();
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync().ConfigureAwait(false);
        if (_loop is { } loop)
        {
            await loop.ConfigureAwait(false);
        }

        _stop.Dispose();
    }
}

/// <summary>How one lookup ended: the answer, or why it failed (the last good answer then stays).</summary>
public sealed record DnsLookupOutcome(string Name, DnsAnswer? Answer, string? Error)
{
    public bool Succeeded => Answer is not null;
}
