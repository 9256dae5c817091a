using System.Collections.Concurrent;
using Gatehouse.Caching.Storage;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Gatehouse.Caching.Middleware;

/// <summary>
/// stale-while-revalidate (RFC 5861 §3): refreshes a stored response in the background while it is served stale, with
/// at most one refresh per stored variant at a time. A refresh is a conditional GET sent through the rest of the
/// pipeline in a <see cref="SyntheticRequest"/>; its 304 freshens the entry, a full response replaces it, an error
/// leaves it as it is. Refreshes still running at shutdown are cancelled.
/// </summary>
internal sealed class BackgroundRevalidation(
    OriginForwarding forwarding,
    IServiceScopeFactory scopes,
    IOptions<HttpCacheOptions> options,
    TimeProvider time,
    ILogger<HttpCacheMiddleware> logger) : IAsyncDisposable, IDisposable
{
    private readonly ConcurrentDictionary<string, Task> _running = new(StringComparer.Ordinal);
    private readonly CancellationTokenSource _stopping = new();

    /// <summary>Starts a refresh of <paramref name="entry"/> unless one is running; false when none was started.</summary>
    public bool TryStart(CacheRequest request, CachedResponse entry, RequestDelegate next)
    {
        var id = entry.Key + "\n" + entry.VaryKey;
        if (_stopping.IsCancellationRequested)
        {
            return false;
        }
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        if (!_running.TryAdd(id, done.Task))
        {
            return false;
        }
        try
        {
            var lifetime = new CancellationTokenSource(options.Value.BackgroundRefreshTimeout, time);
            var stopping = _stopping.Token.UnsafeRegister(static state => ((CancellationTokenSource)state!).Cancel(), lifetime);
            var synthetic = SyntheticRequest.Create(request.Context, entry, request.Settings, scopes, lifetime);
            _ = Task.Run(async () =>
            {
                try
                {
                    await RefreshAsync(request.ForRefresh(synthetic.Context), entry, next);
                }
                finally
                {
                    await stopping.DisposeAsync();
                    await synthetic.DisposeAsync();
                    _running.TryRemove(id, out _);
                    done.TrySetResult();
                }
            });
            return true;
        }
        catch
        {
            _running.TryRemove(id, out _);
            done.TrySetResult();
            throw;
        }
    }

    /// <summary>Cancels the refreshes in progress and waits (briefly) for them to end.</summary>
    public async ValueTask DisposeAsync()
    {
        await _stopping.CancelAsync();
        try
        {
            await Task.WhenAll(_running.Values).WaitAsync(TimeSpan.FromSeconds(5));
        }
        catch (TimeoutException)
        {
            // They are cancelled; whatever is left ends on its own.
        }
        _stopping.Dispose();
    }

    /// <summary>Cancels the refreshes in progress without waiting for them.</summary>
    public void Dispose()
    {
        _stopping.Cancel();
    }

    private async Task RefreshAsync(CacheRequest refresh, CachedResponse entry, RequestDelegate next)
    {
        try
        {
            var result = await forwarding.RunAsync(refresh, next, new ForwardPlan(CacheForwardReason.Stale) { Validating = entry });
            switch (result.End)
            {
                case ForwardEnd.NotModified:
                    await forwarding.FreshenAsync(refresh, entry, result);
                    break;
                case ForwardEnd.Failed:
                    HttpCacheLog.BackgroundRefreshFailed(logger, entry.Key, result.Error!);
                    break;
                default:
                    // A full response was stored (or refused) by the forward itself; an origin error keeps the entry.
                    break;
            }
        }
        catch (Exception e)
        {
            HttpCacheLog.BackgroundRefreshFailed(logger, entry.Key, e);
        }
    }
}
