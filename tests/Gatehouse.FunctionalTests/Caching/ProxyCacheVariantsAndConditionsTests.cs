using System.Net;
using System.Net.Sockets;
using System.Text;
using Gatehouse.FunctionalTests.Infrastructure;

namespace Gatehouse.FunctionalTests.Caching;

/// <summary>
/// RFC 9111 through a real Gatehouse: §4.1 Vary normalisation and POST responses, §4.3.2 client conditionals on a
/// stored response without Last-Modified, and a backend's 103 Early Hints before the final response.
/// </summary>
public sealed class ProxyCacheVariantsAndConditionsTests
{
    private static string CachedConfig(string destinations) =>
        Configs.SingleCluster(destinations, routeExtra: ", \"cache\": { \"enabled\": true }");

    private static async Task<HttpResponseMessage> GetAsync(TestProxy proxy, string path, params (string Name, string Value)[] headers)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, path);
        foreach (var (name, value) in headers)
        {
            Assert.True(request.Headers.TryAddWithoutValidation(name, value));
        }
        return await proxy.Client.SendAsync(request);
    }

    // §4.1: spellings that mean the same (case, whitespace, weight spelling, order of different weights) share a
    // variant; a q=0 member does not, since "not acceptable" is not the same as not mentioned.
    [Fact]
    public async Task EquivalentAcceptLanguageSpellings_ShareAVariant_ZeroWeightDoesNot_Section4_1()
    {
        await using var origin = await TestBackend.StartAsync("origin", context =>
        {
            var page = "for " + context.Request.Headers.AcceptLanguage;
            context.Response.Headers.CacheControl = "max-age=60";
            context.Response.Headers.Vary = "Accept-Language";
            context.Response.ContentLength = Encoding.UTF8.GetByteCount(page);
            return context.Response.WriteAsync(page);
        });
        await using var proxy = await TestProxy.StartAsync(CachedConfig(Configs.Destinations(origin)));

        using var first = await GetAsync(proxy, "/page", ("Accept-Language", "en-GB,fr;q=0.5"));
        using var same = await GetAsync(proxy, "/page", ("Accept-Language", "FR;q=0.50 , EN-gb"));
        using var refusingGerman = await GetAsync(proxy, "/page", ("Accept-Language", "en-GB,fr;q=0.5,de;q=0"));

        Assert.Equal("for en-GB,fr;q=0.5", await same.Content.ReadAsStringAsync());
        Assert.StartsWith("Gatehouse; hit", same.Headers.GetValues("Cache-Status").Last(), StringComparison.Ordinal);
        Assert.Contains("fwd=vary-miss", refusingGerman.Headers.GetValues("Cache-Status").Last(), StringComparison.Ordinal);
        Assert.Equal(2, origin.Requests);
    }

    // §4.3.2: a stored response without Last-Modified answers a client's If-None-Match with 304 only when its ETag
    // matches, and a tag that does not match gives the 200 whatever If-Modified-Since says (RFC 9110 §13.1.3 MUST ignore
    // it then). An If-Modified-Since alone is evaluated against the stored Date: RFC 9111 §4.3.2 says a cache SHOULD,
    // when the stored response has no Last-Modified; the stored response was what it is at least since its Date.
    [Fact]
    public async Task StoredResponseWithoutLastModified_Gives304OnlyOnAMatchingValidator_Section4_3_2()
    {
        await using var origin = await TestBackend.StartAsync("origin", context =>
        {
            context.Response.Headers.CacheControl = "max-age=60";
            context.Response.Headers.ETag = "\"v1\"";
            context.Response.ContentLength = 4;
            return context.Response.WriteAsync("body");
        });
        await using var proxy = await TestProxy.StartAsync(CachedConfig(Configs.Destinations(origin)));
        using var stored = await GetAsync(proxy, "/r");
        var date = stored.Headers.Date!.Value;

        using var matching = await GetAsync(proxy, "/r", ("If-None-Match", "\"v1\""));
        using var other = await GetAsync(proxy, "/r", ("If-None-Match", "\"v0\""));
        using var otherWithLaterDate = await GetAsync(proxy, "/r", ("If-None-Match", "\"v0\""), ("If-Modified-Since", date.AddHours(1).ToString("R")));
        using var beforeDate = await GetAsync(proxy, "/r", ("If-Modified-Since", date.AddHours(-1).ToString("R")));
        using var sinceDate = await GetAsync(proxy, "/r", ("If-Modified-Since", date.ToString("R")));

        Assert.Null(stored.Content.Headers.LastModified);
        Assert.Equal(HttpStatusCode.NotModified, matching.StatusCode);
        Assert.Equal("\"v1\"", matching.Headers.ETag!.Tag);
        Assert.Equal(HttpStatusCode.OK, other.StatusCode);
        Assert.Equal("body", await other.Content.ReadAsStringAsync());
        Assert.Equal(HttpStatusCode.OK, otherWithLaterDate.StatusCode);
        Assert.Equal(HttpStatusCode.OK, beforeDate.StatusCode);
        Assert.Equal(HttpStatusCode.NotModified, sinceDate.StatusCode); // §4.3.2 SHOULD: Date stands in for Last-Modified
        Assert.All([matching, other, otherWithLaterDate, beforeDate, sinceDate], response =>
            Assert.StartsWith("Gatehouse; hit", response.Headers.GetValues("Cache-Status").Last(), StringComparison.Ordinal));
        Assert.Equal(1, origin.Requests);
    }

    // RFC 9110 §15.2, RFC 9111 §3: a backend's 103 Early Hints is not stored and its fields are not those of the final
    // response; the client gets the 200 as the backend sent it, and later a hit without the hint's fields.
    [Fact]
    public async Task EarlyHintsBeforeTheFinalResponse_AreNotStoredNorMerged_Section3()
    {
        await using var backend = EarlyHintsBackend.Start();
        await using var proxy = await TestProxy.StartAsync(CachedConfig($"\"d1\": {{ \"address\": \"{backend.Address}\" }}"));

        using var first = await GetAsync(proxy, "/page");
        using var second = await GetAsync(proxy, "/page");

        foreach (var response in new[] { first, second })
        {
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.Equal("final", await response.Content.ReadAsStringAsync());
            Assert.False(response.Headers.Contains("Link"));
            Assert.False(response.Headers.Contains("X-Hint"));
            Assert.Equal("yes", response.Headers.GetValues("X-Final").Single());
        }
        Assert.StartsWith("Gatehouse; hit", second.Headers.GetValues("Cache-Status").Last(), StringComparison.Ordinal);
        Assert.Equal(1, backend.Requests);
    }

    // RFC 9111 §4.1 / RFC 9110 §9.3.3 allow (MAY) reusing a cacheable POST response whose Content-Location is the
    // target for a later GET; Gatehouse declines (docs/caching-rfc9111.md says why): the POST invalidates the target
    // (§4.4) and its response is not stored, so the GET goes to the backend.
    [Fact]
    public async Task PostResponseWithContentLocationOfTheTarget_IsNotReusedForAGet_Section4_1()
    {
        await using var origin = await TestBackend.StartAsync("origin", context =>
        {
            var page = context.Request.Method + " answer";
            context.Response.Headers.CacheControl = "max-age=60";
            context.Response.Headers.ContentLocation = "/doc";
            context.Response.ContentLength = page.Length;
            return context.Response.WriteAsync(page);
        });
        await using var proxy = await TestProxy.StartAsync(CachedConfig(Configs.Destinations(origin)));

        using var post = await proxy.Client.PostAsync("/doc", new StringContent("x"));
        using var get = await GetAsync(proxy, "/doc");

        Assert.Contains("fwd=method", post.Headers.GetValues("Cache-Status").Last(), StringComparison.Ordinal);
        Assert.Equal("GET answer", await get.Content.ReadAsStringAsync());
        Assert.Contains("fwd=uri-miss", get.Headers.GetValues("Cache-Status").Last(), StringComparison.Ordinal);
        Assert.Equal(2, origin.Requests);
    }

    /// <summary>A raw HTTP/1.1 backend that answers every request with a 103 Early Hints and then a cacheable 200.</summary>
    private sealed class EarlyHintsBackend : IAsyncDisposable
    {
        private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
        private readonly CancellationTokenSource _stop = new(TimeSpan.FromSeconds(60));
        private Task _accepting = Task.CompletedTask;
        private int _requests;

        public string Address => $"http://127.0.0.1:{((IPEndPoint)_listener.LocalEndpoint).Port}/";

        public int Requests => Volatile.Read(ref _requests);

        public static EarlyHintsBackend Start()
        {
            var backend = new EarlyHintsBackend();
            backend._listener.Start();
            backend._accepting = Task.Run(backend.AcceptAsync);
            return backend;
        }

        private async Task AcceptAsync()
        {
            try
            {
                while (!_stop.IsCancellationRequested)
                {
                    var client = await _listener.AcceptTcpClientAsync(_stop.Token);
                    _ = Task.Run(() => ServeAsync(client));
                }
            }
            catch (OperationCanceledException)
            {
            }
            catch (SocketException)
            {
            }
        }

        private async Task ServeAsync(TcpClient client)
        {
            using var _ = client;
            var stream = client.GetStream();
            var buffer = new byte[16 * 1024];
            var received = new StringBuilder();
            try
            {
                // Bounded: at most 100 requests per connection, each head at most 16 KiB.
                for (var served = 0; served < 100; served++)
                {
                    while (!received.ToString().Contains("\r\n\r\n", StringComparison.Ordinal))
                    {
                        var read = await stream.ReadAsync(buffer, _stop.Token);
                        if (read == 0 || received.Length > buffer.Length)
                        {
                            return;
                        }
                        received.Append(Encoding.Latin1.GetString(buffer, 0, read));
                    }
                    var text = received.ToString();
                    received.Remove(0, text.IndexOf("\r\n\r\n", StringComparison.Ordinal) + 4);
                    Interlocked.Increment(ref _requests);
                    var hints = "HTTP/1.1 103 Early Hints\r\nLink: </style.css>; rel=preload; as=style\r\nX-Hint: 1\r\n\r\n";
                    await stream.WriteAsync(Encoding.Latin1.GetBytes(hints), _stop.Token);
                    await stream.FlushAsync(_stop.Token);
                    var final = "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nCache-Control: max-age=60\r\nX-Final: yes\r\n"
                        + $"Date: {DateTimeOffset.UtcNow:R}\r\nContent-Length: 5\r\n\r\nfinal";
                    await stream.WriteAsync(Encoding.Latin1.GetBytes(final), _stop.Token);
                }
            }
            catch (Exception exception) when (exception is IOException or OperationCanceledException or SocketException)
            {
            }
        }

        public async ValueTask DisposeAsync()
        {
            await _stop.CancelAsync();
            _listener.Stop();
            await _accepting;
            _stop.Dispose();
        }
    }
}
