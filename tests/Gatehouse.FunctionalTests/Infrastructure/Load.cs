using System.Collections.Concurrent;

namespace Gatehouse.FunctionalTests.Infrastructure;

/// <summary>A bounded load generator: a few workers send requests until stopped, a count is reached or time runs out.</summary>
public sealed class Load : IAsyncDisposable
{
    private readonly CancellationTokenSource _stop;
    private readonly Task[] _workers;
    private long _succeeded;

    private Load(HttpClient client, Func<int, HttpRequestMessage> request, int workers, TimeSpan limit)
    {
        _stop = new CancellationTokenSource(limit);
        _workers = Enumerable.Range(0, workers).Select(w => Task.Run(async () =>
        {
            var i = 0;
            while (!_stop.IsCancellationRequested)
            {
                try
                {
                    using var response = await client.SendAsync(request(w * 1_000_000 + i++), _stop.Token);
                    var body = await response.Content.ReadAsStringAsync(_stop.Token);
                    if (response.IsSuccessStatusCode)
                    {
                        Interlocked.Increment(ref _succeeded);
                        Served.AddOrUpdate(body, 1, (_, n) => n + 1);
                    }
                    else
                    {
                        Failures.Add($"{(int)response.StatusCode}: {body}");
                    }
                }
                catch (OperationCanceledException) when (_stop.IsCancellationRequested)
                {
                }
                catch (Exception ex)
                {
                    Failures.Add(ex.GetType().Name + ": " + ex.Message);
                }
            }
        })).ToArray();
    }

    public long Succeeded => Interlocked.Read(ref _succeeded);

    public ConcurrentBag<string> Failures { get; } = [];

    /// <summary>How many successful responses carried each body (backends answer with their name).</summary>
    public ConcurrentDictionary<string, long> Served { get; } = new();

    public static Load Start(HttpClient client, string path, int workers = 4, TimeSpan? limit = null) =>
        new(client, _ => new HttpRequestMessage(HttpMethod.Get, path), workers, limit ?? TimeSpan.FromSeconds(60));

    /// <summary>Requests made by <paramref name="request"/> from a sequence number (absolute URIs can spread them over several proxies).</summary>
    public static Load Start(HttpClient client, Func<int, HttpRequestMessage> request, int workers = 4, TimeSpan? limit = null) =>
        new(client, request, workers, limit ?? TimeSpan.FromSeconds(60));

    public async Task StopAsync()
    {
        await _stop.CancelAsync();
        await Task.WhenAll(_workers);
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync();
        _stop.Dispose();
    }
}
