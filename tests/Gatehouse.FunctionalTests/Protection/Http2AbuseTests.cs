using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Text.Json;
using Gatehouse.FunctionalTests.Infrastructure;
using Gatehouse.FunctionalTests.Tls;
using Microsoft.Extensions.Logging;

namespace Gatehouse.FunctionalTests.Protection;

/// <summary>
/// HTTP/2 attacks run on loopback against a real Gatehouse (TLS, ALPN h2) in front of a real Kestrel backend, with a
/// normal HttpClient served meanwhile: client cancels in the access log, resets before forwarding, rapid reset
/// (CVE-2023-44487), SETTINGS and PING floods. Every attack is bounded in count and time.
/// </summary>
public sealed class Http2AbuseTests : IDisposable
{
    private readonly TestPki _pki = TestPki.Create();
    private readonly string _logPath = Path.Combine(Path.GetTempPath(), $"gatehouse-h2abuse-{Guid.NewGuid():N}.log");

    public void Dispose()
    {
        _pki.Dispose();
        File.Delete(_logPath);
    }

    // A short drain: after rapid reset Kestrel holds some aborted connections that never end (docs/protection.md).
    private string Config(TestBackend backend) => _pki.WithTls($$"""
        {
          "listeners": [ { "address": "127.0.0.1", "port": 0 } ],
          "accessLog": { "format": "json", "path": "{{_logPath}}" },
          "server": { "drainTimeout": "3s" },
          "routes": { "all": { "clusterId": "c", "match": { "pathPrefix": "/" } } },
          "clusters": { "c": { "destinations": { "d1": { "address": "{{backend.Address}}" } } } }
        }
        """);

    private HttpClient NormalClient(Version version) => new(new SocketsHttpHandler
    {
        SslOptions = { RemoteCertificateValidationCallback = (_, certificate, _, _) => _pki.Issued(certificate) },
    })
    {
        Timeout = TimeSpan.FromSeconds(30),
        DefaultRequestVersion = version,
        DefaultVersionPolicy = HttpVersionPolicy.RequestVersionExact,
    };

    private async Task<List<(string Uri, int Status)>> AccessLogAsync() =>
        (await File.ReadAllLinesAsync(_logPath))
            .Select(line => JsonDocument.Parse(line).RootElement)
            .Select(e => (e.GetProperty("uri").GetString()!, e.GetProperty("status").GetInt32()))
            .ToList();

    private static void Report(string line) => TestContext.Current.TestOutputHelper?.WriteLine(line);

    [Theory]
    [InlineData("1.1")]
    [InlineData("2.0")]
    public async Task AClientsCancel_IsLoggedAs499(string version)
    {
        var entered = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var backend = await TestBackend.StartAsync("slow", async context =>
        {
            if (context.Request.Path != "/slow")
            {
                await context.Response.WriteAsync("ok");
                return;
            }

            entered.TrySetResult();
            try
            {
                await Task.Delay(Timeout.Infinite, context.RequestAborted);
            }
            catch (OperationCanceledException)
            {
            }
        });
        var proxy = await TestProxy.StartAsync(Config(backend));
        try
        {
            using var client = NormalClient(Version.Parse(version));
            using var cancel = new CancellationTokenSource();
            // HTTP/2: HttpClient sends RST_STREAM(CANCEL); HTTP/1.1: it closes the connection.
            var sending = client.GetAsync(new Uri(proxy.Address, "/slow"), cancel.Token);
            await entered.Task.WaitAsync(TimeSpan.FromSeconds(10));
            await cancel.CancelAsync();
            await Assert.ThrowsAnyAsync<OperationCanceledException>(() => sending);
            using var after = await client.GetAsync(new Uri(proxy.Address, "/after"));
            Assert.Equal(HttpStatusCode.OK, after.StatusCode);
        }
        finally
        {
            await proxy.DisposeAsync();
        }

        Assert.Contains(("/slow", 499), await AccessLogAsync());
    }

    [Fact]
    public async Task ARequestResetMidBody_IsNeverForwarded_AndLoggedAs499()
    {
        var paths = new ConcurrentQueue<string>();
        await using var backend = await TestBackend.StartAsync("b", context =>
        {
            paths.Enqueue(context.Request.Path);
            return context.Response.WriteAsync("ok");
        });
        var proxy = await TestProxy.StartAsync(Config(backend));
        try
        {
            await using var attacker = await H2FrameClient.ConnectAsync(proxy.Address.Port);
            attacker.Request(1, "POST", "/upload", endStream: false, ("content-length", "10"));
            attacker.Frame(H2FrameClient.Data, 0, 1, "12345"u8);
            await attacker.FlushAsync();
            // The same connection still works, and its next request proves the reset was processed before it.
            attacker.Reset(1);
            attacker.Request(3, "GET", "/next", endStream: true);
            await attacker.FlushAsync();
            while (await attacker.ReadFrameAsync().WaitAsync(TimeSpan.FromSeconds(10)) is { } frame
                   && !(frame.StreamId == 3 && (frame.Flags & H2FrameClient.EndStream) != 0))
            {
            }
        }
        finally
        {
            await proxy.DisposeAsync();
        }

        Assert.Equal(["/next"], paths);
        var log = await AccessLogAsync();
        Assert.Contains(("/upload", 499), log);
        Assert.Contains(("/next", 200), log);
    }

    [Theory]
    [InlineData("lean")]
    [InlineData("yarp")]
    public async Task BodilessPostStreams_AreNeverForwarded_WhileTheirBodiesDoNotCome(string forwarder)
    {
        var paths = new ConcurrentQueue<string>();
        await using var backend = await TestBackend.StartAsync("b", context =>
        {
            paths.Enqueue(context.Request.Path);
            return context.Response.WriteAsync("ok");
        });
        // YARP's HttpClient sends a request's head before its body; the body buffer is what holds these back there.
        var proxy = await TestProxy.StartAsync(Config(backend).Replace("\"listeners\"", $"\"forwarder\": \"{forwarder}\", \"listeners\"", StringComparison.Ordinal));
        var attackers = new List<H2FrameClient>();
        try
        {
            // 10 connections × 99 POST streams that announce a body (with a length or without) and never send it.
            for (var connection = 0; connection < 10; connection++)
            {
                var attacker = await H2FrameClient.ConnectAsync(proxy.Address.Port);
                attackers.Add(attacker);
                for (var stream = 1; stream < 199; stream += 2)
                {
                    if (stream % 4 == 1)
                    {
                        attacker.Request(stream, "POST", "/upload", endStream: false, ("content-length", "10"));
                    }
                    else
                    {
                        attacker.Request(stream, "POST", "/upload", endStream: false);
                    }
                }

                // A complete request on the same connection, after all of them: once it is answered, Kestrel has read
                // and dispatched every stream before it.
                attacker.Request(199, "GET", "/next", endStream: true);
                await attacker.FlushAsync();
                while (await attacker.ReadFrameAsync().WaitAsync(TimeSpan.FromSeconds(10)) is { } frame
                       && !(frame.StreamId == 199 && (frame.Flags & H2FrameClient.EndStream) != 0))
                {
                }
            }

            using var normal = NormalClient(HttpVersion.Version20);
            using var answer = await normal.GetAsync(new Uri(proxy.Address, "/canary"));
            Assert.Equal(HttpStatusCode.OK, answer.StatusCode);
        }
        finally
        {
            foreach (var attacker in attackers)
            {
                await attacker.DisposeAsync();
            }

            await proxy.DisposeAsync();
        }

        Report($"bodiless POST streams ({forwarder}): 990 opened, {paths.Count(p => p == "/upload")} reached the backend");
        Assert.DoesNotContain("/upload", paths);
        Assert.Equal(10, paths.Count(p => p == "/next"));
    }

    /// <summary>
    /// Rapid reset (CVE-2023-44487): no reset request reaches the backend (the frame guard sees each RST_STREAM before
    /// Kestrel acts on it, and a connection past <c>limits.http2.maxResets</c> is given nothing more), every attack
    /// connection gets GOAWAY(ENHANCE_YOUR_CALM) and is closed, a normal client is served, and the log has one line.
    /// </summary>
    [Fact]
    public async Task RapidReset_NoResetRequestReachesTheBackend_AttackerGetsEnhanceYourCalm_NormalClientIsServed_LogStaysQuiet()
    {
        await using var backend = await TestBackend.StartAsync("b");
        var logs = new CapturedLogs();
        var proxy = await TestProxy.StartAsync(Config(backend), builder =>
        {
            builder.Logging.AddProvider(logs);
            // Kestrel's events, at the debug level they are written at, only to this test's capture: to report which fired.
            builder.Logging.AddFilter<CapturedLogs>("Microsoft.AspNetCore.Server.Kestrel", LogLevel.Debug);
        });
        try
        {
            using var client = NormalClient(HttpVersion.Version20);
            using var stop = new CancellationTokenSource();
            var (served, failures) = (0, new ConcurrentQueue<string>());
            var normal = Task.Run(async () =>
            {
                while (!stop.IsCancellationRequested)
                {
                    try
                    {
                        using var response = await client.GetAsync(new Uri(proxy.Address, "/normal"));
                        if (response.StatusCode == HttpStatusCode.OK)
                        {
                            served++;
                        }
                        else
                        {
                            failures.Enqueue(response.StatusCode.ToString());
                        }
                    }
                    catch (HttpRequestException ex)
                    {
                        failures.Enqueue(ex.Message);
                    }
                }
            });

            GC.Collect();
            GC.WaitForPendingFinalizers();
            var rssBefore = Environment.WorkingSet;
            // 4 attackers for 5 s, each reconnecting when Gatehouse closes its connection (at most 25 connections each),
            // sending batches of 200 × (HEADERS + RST_STREAM(CANCEL)).
            var deadline = Stopwatch.StartNew();
            var sent = 0L;
            var attacks = Enumerable.Range(0, 4).Select(_ => Task.Run(async () =>
            {
                var results = new List<(ConnectionEnd result, bool Answered, int Batches)>();
                while (deadline.Elapsed < TimeSpan.FromSeconds(5) && results.Count < 25)
                {
                    results.Add(await RapidResetConnectionAsync(proxy.Address.Port, deadline, () => Interlocked.Add(ref sent, 200)));
                }

                return results;
            })).ToList();
            var ends = (await Task.WhenAll(attacks)).SelectMany(r => r).ToList();
            await stop.CancelAsync();
            await normal;

            GC.Collect();
            GC.WaitForPendingFinalizers();
            var rise = Environment.WorkingSet - rssBefore;
            var forwarded = backend.Requests - served;
            var noisy = logs.AtLeast(LogLevel.Warning).ToList();
            Report($"rapid reset: {sent} reset streams sent in {deadline.Elapsed.TotalSeconds:F1} s; {forwarded} reached the backend; RSS {rise / 1048576:+0;-0} MB; "
                + $"normal client {served} served, {failures.Count} failed; {ends.Count} attack connections [{string.Join("; ", ends.GroupBy(e => e.result with { Frames = 0 } + (e.Answered ? ", answered PING" : "")).Select(g => $"{g.Count()} × {g.Key}"))}]; "
                + $"{noisy.Count} log lines at warning or above:\n" + string.Join("\n", noisy)
                + "\nKestrel's events at debug, by kind:\n" + string.Join("\n", logs.AtLeast(LogLevel.Debug)
                    .Where(l => l.Contains("Kestrel", StringComparison.Ordinal)).Select(l => System.Text.RegularExpressions.Regex.Replace(l, "0HN[0-9A-Z]+(:[0-9A-F]+)?", "*"))
                    .GroupBy(l => l[..Math.Min(l.Length, 140)]).Select(g => $"{g.Count()} × {g.Key}")));
            Assert.Empty(failures);
            Assert.True(served > 0);
            Assert.Equal(0, forwarded);
            // The whole process (Gatehouse, 4 attackers, the backend): reset streams leave nothing behind.
            Assert.InRange(rise, long.MinValue, 100L * 1048576);
            Assert.InRange(noisy.Count, 1, 3);
            // A connection that reset more than limits.http2.maxResets (200, one batch) streams got GOAWAY(ENHANCE_YOUR_CALM)
            // and was closed; one the deadline stopped within the budget is still served (its PING answered).
            Assert.Contains(ends, e => e.Batches > 1);
            Assert.All(ends, e => Assert.True(
                e.result == new ConnectionEnd(EnhanceYourCalm, e.result.Frames, Closed: true) || (e.Batches <= 1 && e.Answered),
                $"{e.result} after {e.Batches} batches{(e.Answered ? ", answered PING" : "")}"));
        }
        finally
        {
            await proxy.DisposeAsync();
        }
    }

    /// <summary>
    /// Control-frame floods: every kind of frame that costs the server work without carrying a request, in batches of
    /// 1,000 on one connection (TLS and h2c), spends the connection's budget (<c>limits.http2.maxControlFrames</c>,
    /// 1,000): the attacker gets GOAWAY(ENHANCE_YOUR_CALM) and the connection is closed, at once, while a normal client
    /// is served. Kestrel alone answers every SETTINGS and PING with an ACK and never closes such a connection.
    /// </summary>
    [Theory]
    [InlineData("PING", true)]
    [InlineData("SETTINGS", true)]
    [InlineData("PRIORITY", true)]
    [InlineData("WINDOW_UPDATE", true)]
    [InlineData("empty DATA", true)]
    [InlineData("unknown type", true)]
    [InlineData("PING", false)]
    [InlineData("SETTINGS", false)]
    public async Task ControlFrameFlood_IsCutOffWithEnhanceYourCalm_NormalClientIsServed(string kind, bool tls)
    {
        await using var backend = await TestBackend.StartAsync("b");
        var proxy = await TestProxy.StartAsync(tls ? Config(backend) : H2cConfig(backend));
        try
        {
            await using var normal = NormalTraffic.Start(tls ? _pki : null, proxy.Address);
            using var process = Process.GetCurrentProcess();
            GC.Collect();
            process.Refresh();
            var (rssBefore, cpuBefore) = (process.WorkingSet64, process.TotalProcessorTime);
            var clock = Stopwatch.StartNew();
            await using var attacker = await H2FrameClient.ConnectAsync(proxy.Address.Port, [], tls);
            using var reading = new CancellationTokenSource(TimeSpan.FromSeconds(20));
            var end = attacker.ReadUntilClosedAsync(reading.Token);
            if (kind == "empty DATA")
            {
                attacker.Request(1, "POST", "/upload", endStream: false);
            }

            var sent = 0L;
            // Batches of 1,000 frames for 3 s, at most 2,000 batches, until Gatehouse closes the connection.
            for (var batch = 0; batch < 2000 && clock.Elapsed < TimeSpan.FromSeconds(3) && !end.IsCompleted; batch++)
            {
                for (var i = 0; i < 1000; i++)
                {
                    switch (kind)
                    {
                        case "PING":
                            attacker.PingFrame(i);
                            break;
                        case "SETTINGS":
                            attacker.Frame(H2FrameClient.Settings, 0, 0, []);
                            break;
                        case "PRIORITY":
                            // Stream 3 depends on stream 0 with weight 16 (RFC 9113 §6.3).
                            attacker.Frame(0x2, 0, 3, [0, 0, 0, 0, 15]);
                            break;
                        case "WINDOW_UPDATE":
                            attacker.WindowUpdateFrame(0, 1);
                            break;
                        case "empty DATA":
                            attacker.Frame(H2FrameClient.Data, 0, 1, []);
                            break;
                        default:
                            attacker.Frame(0xFA, 0, 0, [1, 2, 3, 4]);
                            break;
                    }
                }

                try
                {
                    await attacker.FlushAsync();
                    sent += 1000;
                }
                catch (IOException)
                {
                    break;
                }
            }

            var result = await end;
            var elapsed = clock.Elapsed;
            process.Refresh();
            var (rssAfter, cpuAfter) = (process.WorkingSet64, process.TotalProcessorTime);
            await normal.FiveServed;
            var (served, failures) = await normal.StopAsync();
            Report($"{kind} flood ({(tls ? "TLS" : "h2c")}): {sent} frames sent; connection {result} after {elapsed.TotalMilliseconds:F0} ms; "
                + $"normal client {served} served, {failures.Count} failed; process CPU {(cpuAfter - cpuBefore).TotalSeconds / elapsed.TotalSeconds * 100:F0} %, "
                + $"RSS {rssBefore / 1048576} → {rssAfter / 1048576} MB");
            Assert.Empty(failures);
            Assert.True(served >= 5);
            Assert.Equal(new ConnectionEnd(EnhanceYourCalm, result.Frames, Closed: true), result);
            // What Kestrel answered before the cut (an ACK per PING or SETTINGS) is bounded by the budget.
            Assert.InRange(result.Frames, 1, 1100);
            Assert.InRange(rssAfter - rssBefore, long.MinValue, 64L << 20);
        }
        finally
        {
            await proxy.DisposeAsync();
        }
    }

    private const uint EnhanceYourCalm = 0xb;

    /// <summary>
    /// What the frame budget must never cut: HttpClient on one HTTP/2 connection downloading 40 MB (thousands of
    /// WINDOW_UPDATEs and its RTT PINGs), 100 requests at once, and 400 responses abandoned after their headers (an
    /// RST_STREAM each, twice <c>limits.http2.maxResets</c>) between as many completed ones. All on the one connection.
    /// </summary>
    [Fact]
    public async Task LegitimateTraffic_ManyWindowUpdatesAndCancels_IsNeverCut()
    {
        var big = new byte[4 << 20];
        await using var backend = await TestBackend.StartAsync("b", async context =>
        {
            switch (context.Request.Path.Value)
            {
                case "/big":
                    await context.Response.Body.WriteAsync(big);
                    break;
                case "/held":
                    await context.Response.WriteAsync("started");
                    await context.Response.Body.FlushAsync();
                    await Task.Delay(Timeout.Infinite, context.RequestAborted).ContinueWith(_ => { }, TaskScheduler.Default);
                    break;
                default:
                    await context.Response.WriteAsync("ok");
                    break;
            }
        });
        var proxy = await TestProxy.StartAsync(Config(backend));
        try
        {
            var connections = 0;
            using var client = new HttpClient(new SocketsHttpHandler
            {
                SslOptions = { RemoteCertificateValidationCallback = (_, certificate, _, _) => _pki.Issued(certificate) },
                ConnectCallback = async (context, cancellationToken) =>
                {
                    Interlocked.Increment(ref connections);
                    var socket = new System.Net.Sockets.Socket(System.Net.Sockets.SocketType.Stream, System.Net.Sockets.ProtocolType.Tcp) { NoDelay = true };
                    await socket.ConnectAsync(context.DnsEndPoint, cancellationToken);
                    return new System.Net.Sockets.NetworkStream(socket, ownsSocket: true);
                },
            })
            {
                Timeout = TimeSpan.FromSeconds(30),
                DefaultRequestVersion = HttpVersion.Version20,
                DefaultVersionPolicy = HttpVersionPolicy.RequestVersionExact,
            };

            for (var i = 0; i < 10; i++)
            {
                Assert.Equal(big.Length, (await client.GetByteArrayAsync(new Uri(proxy.Address, "/big"))).Length);
            }

            var burst = await Task.WhenAll(Enumerable.Range(0, 100).Select(i => client.GetStringAsync(new Uri(proxy.Address, $"/normal?{i}"))));
            Assert.All(burst, body => Assert.Equal("ok", body));

            for (var i = 0; i < 400; i++)
            {
                using (var held = await client.GetAsync(new Uri(proxy.Address, "/held"), HttpCompletionOption.ResponseHeadersRead))
                {
                    Assert.Equal(HttpStatusCode.OK, held.StatusCode);
                }

                Assert.Equal("ok", await client.GetStringAsync(new Uri(proxy.Address, "/normal")));
            }

            Assert.Equal(1, connections);
        }
        finally
        {
            await proxy.DisposeAsync();
        }
    }

    // The same proxy as Config, on a plain listener that speaks HTTP/2 with prior knowledge (h2c) only.
    private static string H2cConfig(TestBackend backend) => $$"""
        {
          "listeners": [ { "address": "127.0.0.1", "port": 0, "protocols": "h2" } ],
          "server": { "drainTimeout": "3s" },
          "routes": { "all": { "clusterId": "c", "match": { "pathPrefix": "/" } } },
          "clusters": { "c": { "destinations": { "d1": { "address": "{{backend.Address}}" } } } }
        }
        """;

    /// <summary>One attack connection: batches of 200 reset streams until Gatehouse closes it or 5 s have passed.</summary>
    private static async Task<(ConnectionEnd result, bool Answered, int Batches)> RapidResetConnectionAsync(int port, Stopwatch deadline, Action batchSent)
    {
        await using var attacker = await H2FrameClient.ConnectAsync(port);
        using var reading = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        var end = attacker.ReadUntilClosedAsync(reading.Token);
        var stream = 1;
        var batches = 0;
        for (var batch = 0; batch < 100 && deadline.Elapsed < TimeSpan.FromSeconds(5) && !end.IsCompleted; batch++)
        {
            for (var i = 0; i < 200; i++, stream += 2)
            {
                attacker.Request(stream, "GET", "/reset", endStream: true);
                attacker.Reset(stream);
            }

            try
            {
                await attacker.FlushAsync();
                batches++;
                batchSent();
            }
            catch (IOException)
            {
                break;
            }
        }

        // A connection still open answers a PING if it is still served; one being closed ends soon after.
        attacker.PingFrame(42);
        try
        {
            await attacker.FlushAsync();
        }
        catch (IOException)
        {
        }

        await Task.WhenAny(end, attacker.PingAcknowledged.Task).WaitAsync(TimeSpan.FromSeconds(15));
        await reading.CancelAsync();
        return (await end, attacker.PingAcknowledged.Task.IsCompleted, batches);
    }
}
