using System.Collections.Concurrent;
using System.Net;
using Gatehouse.FunctionalTests.Tls;

namespace Gatehouse.FunctionalTests.Infrastructure;

/// <summary>
/// A well-behaved HTTP/2 client asking for /normal in a loop while an attack runs: what it was served and every failure
/// (a status other than 200, or an exception) are counted until <see cref="StopAsync"/>. Over TLS (ALPN h2) or, without
/// a PKI, h2c with prior knowledge.
/// </summary>
public sealed class NormalTraffic : IAsyncDisposable
{
    private readonly HttpClient _client;
    private readonly CancellationTokenSource _stop = new();
    private readonly ConcurrentQueue<string> _failures = new();
    private readonly Task _loop;
    private readonly TaskCompletionSource _fiveServed = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private int _served;

    private NormalTraffic(TestPki? pki, Uri address)
    {
        _client = new HttpClient(new SocketsHttpHandler
        {
            SslOptions = { RemoteCertificateValidationCallback = (_, certificate, _, _) => pki?.Issued(certificate) == true },
        })
        {
            Timeout = TimeSpan.FromSeconds(30),
            DefaultRequestVersion = HttpVersion.Version20,
            DefaultVersionPolicy = HttpVersionPolicy.RequestVersionExact,
        };
        _loop = Task.Run(async () =>
        {
            var uri = new Uri(address, "/normal");
            while (!_stop.IsCancellationRequested)
            {
                try
                {
                    using var response = await _client.GetAsync(uri);
                    if (response.StatusCode == HttpStatusCode.OK)
                    {
                        if (Interlocked.Increment(ref _served) >= 5)
                        {
                            _fiveServed.TrySetResult();
                        }
                    }
                    else
                    {
                        _failures.Enqueue(response.StatusCode.ToString());
                    }
                }
                catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException)
                {
                    _failures.Enqueue(ex.Message);
                }

                await Task.Delay(5);
            }
        });
    }

    public static NormalTraffic Start(TestPki? pki, Uri address) => new(pki, address);

    /// <summary>Completes once five requests were answered 200 (or after 10 s: the caller's assertions then tell).</summary>
    public Task FiveServed => _fiveServed.Task.WaitAsync(TimeSpan.FromSeconds(10)).ContinueWith(_ => { }, TaskScheduler.Default);

    /// <summary>Stops the loop: how many answers were 200, and what failed.</summary>
    public async Task<(int Served, IReadOnlyCollection<string> Failures)> StopAsync()
    {
        await _stop.CancelAsync();
        await _loop;
        return (Volatile.Read(ref _served), _failures.ToArray());
    }

    public async ValueTask DisposeAsync()
    {
        if (!_stop.IsCancellationRequested)
        {
            await StopAsync();
        }

        _client.Dispose();
        _stop.Dispose();
    }
}
