using System.Buffers.Binary;
using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text.Json.Nodes;
using Gatehouse.FunctionalTests.Admin;
using Gatehouse.FunctionalTests.Infrastructure;
using Gatehouse.FunctionalTests.Tls;

namespace Gatehouse.FunctionalTests.Protection;

/// <summary>
/// HTTP/2 and TLS attacks that a limit answers, run on loopback against a real Gatehouse (TLS, ALPN h2) in front of a
/// real Kestrel backend, with a normal HttpClient served meanwhile: CONTINUATION floods, HPACK bombs and table size
/// abuse, zero-window stalls, stream exhaustion, silent and half-finished TLS handshakes. Every attack is bounded in
/// count and time; memory is this test process's (Gatehouse, backend and clients together).
/// </summary>
public sealed class Http2LimitsTests : IDisposable
{
    private const uint ProtocolError = 0x1, CompressionError = 0x9, RefusedStream = 0x7;
    private readonly TestPki _pki = TestPki.Create();

    public void Dispose() => _pki.Dispose();

    private string Config(TestBackend backend, string limits = "{}", string tls = "{}")
    {
        var root = JsonNode.Parse(_pki.WithTls($$"""
            {
              "listeners": [ { "address": "127.0.0.1", "port": 0 } ],
              "server": { "drainTimeout": "3s" },
              "limits": {{limits}},
              "accessLog": { "enabled": false },
              "routes": { "all": { "clusterId": "c", "match": { "pathPrefix": "/" } } },
              "clusters": { "c": { "destinations": { "d1": { "address": "{{backend.Address}}" } } } }
            }
            """))!.AsObject();
        foreach (var (name, value) in JsonNode.Parse(tls)!.AsObject().ToList())
        {
            root["tls"]![name] = value?.DeepClone();
        }

        return root.ToJsonString();
    }

    private static void Report(string line) => TestContext.Current.TestOutputHelper?.WriteLine(line);

    [Fact]
    public async Task ContinuationFlood_OfHeaderFields_IsCutOffAtTheHeaderLimit_NormalClientIsServed()
    {
        await using var backend = await TestBackend.StartAsync("b");
        var proxy = await TestProxy.StartAsync(Config(backend));
        await using var normal = NormalTraffic.Start(_pki, proxy.Address);
        try
        {
            // HEADERS without END_HEADERS, then CONTINUATIONs of 1 KB header fields: at most 10,000 frames (10 MB).
            await using var attacker = await H2FrameClient.ConnectAsync(proxy.Address.Port);
            using var reading = new CancellationTokenSource(TimeSpan.FromSeconds(30));
            var end = attacker.ReadUntilClosedAsync(reading.Token);
            await SettledAsync(attacker);
            var rssBefore = Rss();
            attacker.Frame(H2FrameClient.Headers, 0, 1, H2FrameClient.RequestBlock("GET", "/continued").ToArray());
            var sent = 0;
            var filler = new string('x', 1000);
            for (var batch = 0; batch < 100 && !end.IsCompleted; batch++)
            {
                for (var i = 0; i < 100; i++, sent++)
                {
                    attacker.Frame(H2FrameClient.Continuation, 0, 1, new HpackBlock().Literal($"x-fill-{sent}", filler).ToArray());
                }

                if (!await TryFlushAsync(attacker))
                {
                    break;
                }
            }

            var result = await end.WaitAsync(TimeSpan.FromSeconds(30));
            var (served, failures) = await normal.StopAsync();
            var rise = Rss() - rssBefore;
            Report($"CONTINUATION flood of 1 KB fields: {sent} frames written; connection {result}; normal client {served} served, {failures.Count} failed; RSS {rise / 1048576:+0;-0} MB");
            Assert.InRange(rise, long.MinValue, AttackMemoryBound);
            Assert.True(result.Closed, result.ToString());
            Assert.NotNull(result.GoAwayCode);
            Assert.Equal(0, backend.Requests - served);
            Assert.Empty(failures);
            Assert.True(served > 0);
        }
        finally
        {
            await proxy.DisposeAsync();
        }
    }

    /// <summary>
    /// Headers that never end without reaching a size limit: a flood of empty CONTINUATIONs (no header bytes at all;
    /// Kestrel has no count of them) and a trickle of one small field every 200 ms. The flood spends the frame budget
    /// (limits.http2.maxControlFrames): GOAWAY(ENHANCE_YOUR_CALM) at once, then the close after the guard's linger (1 s).
    /// Only time ends the trickle: limits.requestHeadersTimeout (2 s here) closes the connection.
    /// </summary>
    [Theory]
    [InlineData("flood")]
    [InlineData("trickle")]
    public async Task HeadersThatNeverEnd_AreCutOff_NormalClientIsServed(string pace)
    {
        await using var backend = await TestBackend.StartAsync("b");
        var proxy = await TestProxy.StartAsync(Config(backend, limits: """{ "requestHeadersTimeout": "2s" }"""));
        await using var normal = NormalTraffic.Start(_pki, proxy.Address);
        try
        {
            await using var attacker = await H2FrameClient.ConnectAsync(proxy.Address.Port);
            using var reading = new CancellationTokenSource(TimeSpan.FromSeconds(30));
            var end = attacker.ReadUntilClosedAsync(reading.Token);
            await SettledAsync(attacker);
            var rssBefore = Rss();
            attacker.Frame(H2FrameClient.Headers, 0, 1, H2FrameClient.RequestBlock("GET", "/continued").ToArray());
            var clock = Stopwatch.StartNew();
            var sent = 0L;
            var perBatch = pace == "flood" ? 1000 : 1;
            while (clock.Elapsed < TimeSpan.FromSeconds(15) && !end.IsCompleted)
            {
                for (var i = 0; i < perBatch; i++)
                {
                    attacker.Frame(H2FrameClient.Continuation, 0, 1, pace == "flood" ? [] : new HpackBlock().Literal($"x-{sent}", "1").ToArray());
                }

                if (!await TryFlushAsync(attacker))
                {
                    break;
                }

                sent += perBatch;
                await Task.WhenAny(end, Task.Delay(pace == "flood" ? 10 : 200));
            }

            var result = await end.WaitAsync(TimeSpan.FromSeconds(30));
            var elapsed = clock.Elapsed;
            var (served, failures) = await normal.StopAsync();
            var rise = Rss() - rssBefore;
            Report($"CONTINUATION {(pace == "flood" ? "flood of empty frames" : "trickle of small fields")}: {sent} frames in {elapsed.TotalSeconds:F1} s; connection {result}; normal client {served} served, {failures.Count} failed; RSS {rise / 1048576:+0;-0} MB");
            Assert.InRange(rise, long.MinValue, AttackMemoryBound);
            Assert.True(result.Closed, result.ToString());
            if (pace == "flood")
            {
                Assert.Equal(0xbu, result.GoAwayCode);
                Assert.InRange(elapsed, TimeSpan.Zero, TimeSpan.FromSeconds(4));
            }
            else
            {
                // Kestrel checks its timeouts once a second: 2 s ends within about 4.
                Assert.InRange(elapsed, TimeSpan.FromSeconds(1.5), TimeSpan.FromSeconds(8));
            }

            Assert.Equal(0, backend.Requests - served);
            Assert.Empty(failures);
        }
        finally
        {
            await proxy.DisposeAsync();
        }
    }

    [Fact]
    public async Task HpackBomb_ASmallBlockDecodingToMegabytes_IsRefused_MemoryStaysBounded()
    {
        await using var backend = await TestBackend.StartAsync("b");
        var proxy = await TestProxy.StartAsync(Config(backend));
        await using var normal = NormalTraffic.Start(_pki, proxy.Address);
        try
        {
            // One 4,000-byte field enters the dynamic table, then 4,000 one-byte... two-byte references to it: a block of
            // about 12 KB that decodes to 16 MB. 20 connections × 10 streams: 3.2 GB if anything decoded it all.
            var block = H2FrameClient.RequestBlock("GET", "/bomb").Indexed("x-bomb", new string('b', 4000));
            for (var i = 0; i < 4000; i++)
            {
                block.Reference(62);
            }

            var headerBlock = block.ToArray();
            var rssBefore = Rss();
            var ends = new List<ConnectionEnd>();
            var answers = new ConcurrentBag<string>();
            for (var connection = 0; connection < 20; connection++)
            {
                await using var attacker = await H2FrameClient.ConnectAsync(proxy.Address.Port);
                for (var stream = 1; stream < 20; stream += 2)
                {
                    SendHeaderBlock(attacker, stream, headerBlock);
                }

                await TryFlushAsync(attacker);
                ends.Add(await ReadAnswersAsync(attacker, answers));
            }

            var rssAfter = Rss();
            var (served, failures) = await normal.StopAsync();
            Report($"HPACK bomb ({headerBlock.Length} bytes decoding to {4000L * 4006 / 1_000_000} MB, 200 streams on 20 connections): "
                + $"[{string.Join("; ", ends.GroupBy(e => e with { Frames = 0 }).Select(g => $"{g.Count()} × {g.Key}"))}], answers [{string.Join(", ", answers.GroupBy(a => a).Select(g => $"{g.Count()} × {g.Key}"))}]; "
                + $"RSS {rssBefore / 1048576} → {rssAfter / 1048576} MB; normal client {served} served, {failures.Count} failed");
            Assert.Equal(0, backend.Requests - served);
            Assert.DoesNotContain(answers, a => a.StartsWith("status 2", StringComparison.Ordinal));
            Assert.InRange(rssAfter - rssBefore, long.MinValue, 200L * 1048576);
            Assert.Empty(failures);
            Assert.True(served > 0);
        }
        finally
        {
            await proxy.DisposeAsync();
        }
    }

    [Fact]
    public async Task HpackTableSizeUpdate_AboveTheAnnouncedSize_IsACompressionError()
    {
        await using var backend = await TestBackend.StartAsync("b");
        var proxy = await TestProxy.StartAsync(Config(backend));
        try
        {
            await using var attacker = await H2FrameClient.ConnectAsync(proxy.Address.Port);
            using var reading = new CancellationTokenSource(TimeSpan.FromSeconds(20));
            var end = attacker.ReadUntilClosedAsync(reading.Token);
            var block = new HpackBlock().TableSizeUpdate(1 << 30).Literal(":method", "GET").Literal(":scheme", "https")
                .Literal(":authority", "gatehouse.test").Literal(":path", "/grow");
            attacker.Frame(H2FrameClient.Headers, H2FrameClient.EndHeaders | H2FrameClient.EndStream, 1, block.ToArray());
            await TryFlushAsync(attacker);

            var result = await end;
            Report($"dynamic table size update to 2^30 (announced {Hosting.GatehouseProtection.Http2HeaderTableSize}): connection {result}");
            Assert.Equal(CompressionError, result.GoAwayCode);
            Assert.True(result.Closed);
            Assert.Equal(0, backend.Requests);
        }
        finally
        {
            await proxy.DisposeAsync();
        }
    }

    [Fact]
    public async Task StreamExhaustion_StreamsPastTheLimit_AreRefused_NormalClientIsServed()
    {
        var held = new HeldSlowRequest();
        var arrived = 0;
        var allArrived = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var backend = await TestBackend.StartAsync("b", async context =>
        {
            if (context.Request.Path == "/slow" && Interlocked.Increment(ref arrived) == Hosting.GatehouseProtection.Http2MaxStreamsPerConnection)
            {
                allArrived.TrySetResult();
            }

            await held.Handler("b")(context);
        });
        var proxy = await TestProxy.StartAsync(Config(backend));
        await using var normal = NormalTraffic.Start(_pki, proxy.Address);
        try
        {
            // 150 streams held by the backend on one connection: 100 are allowed at once.
            const int limit = Hosting.GatehouseProtection.Http2MaxStreamsPerConnection;
            var rssBefore = Rss();
            await using var attacker = await H2FrameClient.ConnectAsync(proxy.Address.Port);
            for (var stream = 1; stream < 300; stream += 2)
            {
                attacker.Request(stream, "GET", "/slow", endStream: true);
            }

            await attacker.FlushAsync();
            var refused = new HashSet<int>();
            while (refused.Count < 150 - limit && await attacker.ReadFrameAsync().WaitAsync(TimeSpan.FromSeconds(20)) is { } frame)
            {
                if (frame.Type == H2FrameClient.RstStream && BinaryPrimitives.ReadUInt32BigEndian(frame.Payload) == RefusedStream)
                {
                    refused.Add(frame.StreamId);
                }
            }

            await allArrived.Task.WaitAsync(TimeSpan.FromSeconds(20));
            var (served, failures) = await normal.StopAsync();
            var rise = Rss() - rssBefore;
            Report($"stream exhaustion: 150 streams opened, {refused.Count} refused (REFUSED_STREAM), {Volatile.Read(ref arrived)} reached the backend; normal client {served} served, {failures.Count} failed; RSS {rise / 1048576:+0;-0} MB");
            Assert.InRange(rise, long.MinValue, AttackMemoryBound);
            Assert.Equal(150 - limit, refused.Count);
            Assert.Equal(limit, Volatile.Read(ref arrived));
            Assert.Empty(failures);
            Assert.True(served > 0);
        }
        finally
        {
            held.Release();
            await proxy.DisposeAsync();
        }
    }

    /// <summary>
    /// A client that never opens its flow-control window (SETTINGS_INITIAL_WINDOW_SIZE 0, no WINDOW_UPDATE) on 100
    /// streams of 1 MB: Gatehouse must not buffer the bodies (backpressure reaches the backend), and the minimum response
    /// data rate is what could end such streams: this measures whether it does.
    /// </summary>
    [Fact]
    public async Task ZeroWindow_ResponsesAreNotBuffered_MemoryStaysBounded_NormalClientIsServed()
    {
        var body = new byte[1 << 20];
        await using var backend = await TestBackend.StartAsync("b", async context =>
        {
            if (context.Request.Path == "/big")
            {
                // 16 KB writes, so that the backend's own buffering stays small and backpressure reaches it.
                context.Response.ContentLength = body.Length;
                for (var offset = 0; offset < body.Length; offset += 16384)
                {
                    await context.Response.Body.WriteAsync(body.AsMemory(offset, 16384), context.RequestAborted);
                }

                return;
            }

            await context.Response.WriteAsync("ok");
        });
        var proxy = await TestProxy.StartAsync(Config(backend, limits: """{ "minResponseDataRate": { "bytesPerSecond": 240, "gracePeriod": "2s" } }"""));
        await using var normal = NormalTraffic.Start(_pki, proxy.Address);
        try
        {
            var rssBefore = Rss();
            var attackers = new List<(H2FrameClient Client, Task<ConnectionEnd> End, CancellationTokenSource Reading)>();
            for (var connection = 0; connection < 4; connection++)
            {
                var attacker = await H2FrameClient.ConnectAsync(proxy.Address.Port, [(0x4, 0)]);
                for (var stream = 1; stream < 50; stream += 2)
                {
                    attacker.Request(stream, "GET", "/big", endStream: true);
                }

                await attacker.FlushAsync();
                var reading = new CancellationTokenSource(TimeSpan.FromSeconds(12));
                attackers.Add((attacker, attacker.ReadUntilClosedAsync(reading.Token), reading));
            }

            await backend.WhenRequestsReach(100).WaitAsync(TimeSpan.FromSeconds(20));
            var clock = Stopwatch.StartNew();
            // What the stalled streams hold, one second in (a measurement window, not a wait for an event).
            await Task.Delay(TimeSpan.FromSeconds(1));
            var (rssStalled, heapStalled) = (Rss(), GC.GetTotalMemory(forceFullCollection: false));
            var ends = new List<ConnectionEnd>();
            foreach (var (client, end, reading) in attackers)
            {
                ends.Add(await end);
                reading.Dispose();
                await client.DisposeAsync();
            }

            var closedAfter = clock.Elapsed;
            var rssAfter = Rss();
            var (served, failures) = await normal.StopAsync();
            Report($"zero window, 100 streams × 1 MB on 4 connections: [{string.Join("; ", ends.GroupBy(e => e with { Frames = 0 }).Select(g => $"{g.Count()} × {g.Key}"))}] {closedAfter.TotalSeconds:F1} s after the last stream reached the backend; "
                + $"RSS {rssBefore / 1048576} → {rssStalled / 1048576} MB stalled (GC heap {heapStalled / 1048576} MB) → {rssAfter / 1048576} MB after; normal client {served} served, {failures.Count} failed");
            Assert.All(ends, e => Assert.True(e.Closed, e.ToString()));
            Assert.InRange(rssStalled - rssBefore, long.MinValue, 60L * 1048576);
            Assert.Empty(failures);
            Assert.True(served > 0);
        }
        finally
        {
            await proxy.DisposeAsync();
        }
    }

    /// <summary>
    /// Clients that connect and send nothing, or half a ClientHello, are closed at tls.handshakeTimeout, with the
    /// ClientHello peek (minProtocol 1.2: the default listener peeks to choose TLS 1.3 resumption) and without (1.3).
    /// </summary>
    [Theory]
    [InlineData("1.2")]
    [InlineData("1.3")]
    public async Task TlsHandshakeTimeout_SilentAndHalfFinishedHandshakes_AreClosed_NormalClientIsServed(string minProtocol)
    {
        await using var backend = await TestBackend.StartAsync("b");
        var proxy = await TestProxy.StartAsync(Config(backend, tls: $$"""{ "handshakeTimeout": "1s", "minProtocol": "{{minProtocol}}" }"""));
        await using var normal = NormalTraffic.Start(_pki, proxy.Address);
        try
        {
            // 100 silent connections and 100 that send the first 60 bytes of a ClientHello announcing 512.
            byte[] half = [0x16, 3, 1, 2, 4, 1, 0, 2, 0, 3, 3, .. new byte[49]];
            var rssBefore = Rss();
            var clock = Stopwatch.StartNew();
            var closings = Enumerable.Range(0, 200).Select(i => Task.Run(async () =>
            {
                using var tcp = new TcpClient();
                await tcp.ConnectAsync(IPAddress.Loopback, proxy.Address.Port);
                var stream = tcp.GetStream();
                if (i % 2 == 1)
                {
                    await stream.WriteAsync(half);
                }

                var buffer = new byte[4096];
                try
                {
                    while (await stream.ReadAsync(buffer).AsTask().WaitAsync(TimeSpan.FromSeconds(20)) > 0)
                    {
                    }
                }
                catch (IOException)
                {
                    // reset by the server: closed as well
                }

                return clock.Elapsed;
            })).ToList();
            var closedAfter = await Task.WhenAll(closings);
            var rise = Rss() - rssBefore;
            var (served, failures) = await normal.StopAsync();
            Assert.InRange(rise, long.MinValue, AttackMemoryBound);
            Report($"TLS handshake timeout 1 s (minProtocol {minProtocol}): 200 connections (100 silent, 100 half a ClientHello) closed after "
                + $"{closedAfter.Min().TotalSeconds:F1} to {closedAfter.Max().TotalSeconds:F1} s; normal client {served} served, {failures.Count} failed; RSS {rise / 1048576:+0;-0} MB");
            Assert.All(closedAfter, t => Assert.InRange(t, TimeSpan.FromSeconds(0.8), TimeSpan.FromSeconds(6)));
            Assert.Empty(failures);
            Assert.True(served > 0);
        }
        finally
        {
            await proxy.DisposeAsync();
        }
    }

    /// <summary>HEADERS and as many CONTINUATIONs as the block needs, in frames of 16 KB (SETTINGS_MAX_FRAME_SIZE).</summary>
    private static void SendHeaderBlock(H2FrameClient client, int streamId, byte[] block)
    {
        const int frame = 16384;
        for (var offset = 0; offset < block.Length; offset += frame)
        {
            var last = offset + frame >= block.Length;
            var type = offset == 0 ? H2FrameClient.Headers : H2FrameClient.Continuation;
            var flags = (byte)((last ? H2FrameClient.EndHeaders : 0) | (offset == 0 ? H2FrameClient.EndStream : 0));
            client.Frame(type, flags, streamId, block.AsSpan(offset, Math.Min(frame, block.Length - offset)));
        }
    }

    /// <summary>Reads until the connection closes or 10 s pass, noting each stream's answer (a status or a reset code).</summary>
    private static async Task<ConnectionEnd> ReadAnswersAsync(H2FrameClient client, ConcurrentBag<string> answers)
    {
        uint? goAway = null;
        var frames = 0L;
        using var reading = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        while (await client.ReadFrameAsync(reading.Token) is { } frame)
        {
            frames++;
            switch (frame.Type)
            {
                case H2FrameClient.GoAway when frame.Payload.Length >= 8:
                    goAway = BinaryPrimitives.ReadUInt32BigEndian(frame.Payload.AsSpan(4));
                    break;
                case H2FrameClient.RstStream:
                    answers.Add($"RST_STREAM({BinaryPrimitives.ReadUInt32BigEndian(frame.Payload)})");
                    break;
                case H2FrameClient.Headers when frame.Payload.Length > 0:
                    // Kestrel's HPACK encoder indexes :status from the static table (RFC 7541 Appendix A: 8 is 200,
                    // 13 is 404, 14 is 500); anything else is a literal.
                    answers.Add((frame.Payload[0] & 0x7f) is var index && index is >= 8 and <= 14
                        ? $"status {new[] { 200, 204, 206, 304, 400, 404, 500 }[index - 8]}"
                        : "status (literal)");
                    break;
            }
        }

        return new ConnectionEnd(goAway, frames, !reading.IsCancellationRequested);
    }

    /// <summary>
    /// Waits until the reader has acknowledged the server's SETTINGS (its PING answer comes after them): an ACK written
    /// later could land between a HEADERS frame and its CONTINUATIONs, which is itself a PROTOCOL_ERROR (RFC 9113 §6.10).
    /// </summary>
    private static async Task SettledAsync(H2FrameClient client)
    {
        client.PingFrame(7);
        await client.FlushAsync();
        await client.PingAcknowledged.Task.WaitAsync(TimeSpan.FromSeconds(10));
    }

    private static async Task<bool> TryFlushAsync(H2FrameClient client)
    {
        try
        {
            await client.FlushAsync();
            return true;
        }
        catch (IOException)
        {
            return false;
        }
    }

    /// <summary>
    /// The bound each attack test states for the rise of this process's RSS during the attack (Gatehouse runs in it,
    /// with the attacker, the normal client and the backend): 100 MB, room for GC timing and other test classes
    /// running meanwhile. An attack that made Gatehouse hold per-frame or per-stream state would pass it.
    /// </summary>
    private const long AttackMemoryBound = 100L * 1048576;

    private static long Rss()
    {
        GC.Collect();
        GC.WaitForPendingFinalizers();
        using var process = Process.GetCurrentProcess();
        return process.WorkingSet64;
    }
}
