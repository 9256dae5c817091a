using System.Globalization;
using System.Net.Sockets;
using System.Text;
using Gatehouse.FunctionalTests.Infrastructure;
using Microsoft.AspNetCore.Http;

namespace Gatehouse.FunctionalTests.Exhaustion;

/// <summary>
/// 1,000 concurrent uploads, each longer than the request body buffer, through a real Gatehouse process: the memory
/// they cost it is bounded by the buffer and the connections, not by the bodies (docs/reliability.md, "Exhaustion").
/// </summary>
public sealed class ConcurrentUploadsMemoryTests
{
    private const int Uploads = 1000;
    private const int BodyBytes = 256 * 1024; // four times the default 64 KB buffer
    private const int FirstPartBytes = 128 * 1024; // past the buffer: every upload is forwarded before its end is sent

    /// <summary>
    /// The bound on Gatehouse's peak RSS above its idle baseline while 1,000 uploads are in flight together. Measured
    /// (bench/uploads.sh, docs/reliability.md): +66 to +83 MB, about 64 KB per upload (the body copy's pooled buffer);
    /// the bound leaves room for GC timing on a loaded machine. Bodies held whole would add 250 MB on top and fail it.
    /// </summary>
    private const long BoundBytes = 200L * 1024 * 1024;

    private static readonly byte[] Body = Enumerable.Repeat((byte)'u', BodyBytes).ToArray();

    [Theory]
    [InlineData("buffered")]
    [InlineData("streamed")]
    public Task ThousandConcurrentUploads_RaiseRssByLessThanTheBound_AndAllComplete(string route) =>
        RunAsync(route, chunked: false, backendStalls: false, BodyBytes, BoundBytes);

    /// <summary>
    /// The client faster than the backend: each upload of 1 MB is sent whole at once, chunked (so the buffered route
    /// reads its first 64 KB into the body buffer), while the backend reads 16 KB of each and then nothing until all
    /// 1,000 are in flight. What waits is held by the kernel's socket buffers and, in Gatehouse, by the socket
    /// transport's read-ahead per connection (64 KB), not by the bodies: about 190 KB per upload on the buffered route,
    /// against about 900 KB with Kestrel's default read-ahead of 1 MB (bench/uploads.sh). The bound is 300 KB each.
    /// </summary>
    [Theory]
    [InlineData("buffered")]
    [InlineData("streamed")]
    public Task ThousandUploads_ToABackendThatStopsReading_AreHeldByTheReadAhead_NotByTheirBodies(string route) =>
        RunAsync(route, chunked: true, backendStalls: true, LargeBodyBytes, 300L * 1024 * 1024);

    private const int LargeBodyBytes = 1024 * 1024;

    private static readonly byte[] LargeBody = Enumerable.Repeat((byte)'u', LargeBodyBytes).ToArray();

    private static async Task RunAsync(string route, bool chunked, bool backendStalls, int bodyBytes, long boundBytes)
    {
        var body = bodyBytes == LargeBodyBytes ? LargeBody : Body;
        var inFlight = 0;
        var allInFlight = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var backend = await TestBackend.StartAsync("b", async context =>
        {
            if (Interlocked.Increment(ref inFlight) >= Uploads)
            {
                allInFlight.TrySetResult();
            }

            var buffer = new byte[16 * 1024];
            long read = 0;
            try
            {
                int n;
                while ((n = await context.Request.Body.ReadAsync(buffer)) > 0)
                {
                    read += n;
                    if (backendStalls && read >= buffer.Length && !context.Request.Path.StartsWithSegments($"/{route}/warm"))
                    {
                        await allInFlight.Task;
                    }
                }
            }
            finally
            {
                Interlocked.Decrement(ref inFlight);
            }

            var answer = read.ToString(CultureInfo.InvariantCulture);
            context.Response.ContentLength = answer.Length;
            await context.Response.WriteAsync(answer);
        });
        var port = TestBackend.UnusedPort();
        var configPath = await Configs.WriteAloneAsync($$"""
            {
              "listeners": [ { "address": "127.0.0.1", "port": {{port}} } ],
              "accessLog": { "enabled": false },
              "routes": {
                "buffered": { "clusterId": "c", "match": { "pathPrefix": "/buffered" } },
                "streamed": { "clusterId": "c", "match": { "pathPrefix": "/streamed" }, "limits": { "requestBodyBufferBytes": 0 } }
              },
              "clusters": { "c": { "destinations": { "d1": { "address": "{{backend.Address}}" } } } }
            }
            """);
        await using var gatehouse = GatehouseProcess.Start("run", "--config", configPath);
        await gatehouse.WaitForLineAsync("listening on", TimeSpan.FromSeconds(120)); // a busy machine starts it slowly

        // Warm-up (JIT, pools), then the baseline; VmHWM is reset to it so that it then holds the peak of the run.
        await Task.WhenAll(Enumerable.Range(0, 20).Select(i => UploadAsync(port, $"/{route}/warm/{i}", Task.CompletedTask, chunked, body)));
        var baseline = ProcessMemory(gatehouse.Id, "VmRSS");
        await File.WriteAllTextAsync($"/proc/{gatehouse.Id}/clear_refs", "5");

        // Every upload sends its head and half its body, then waits until the backend has all 1,000 in flight.
        var rest = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var uploads = Enumerable.Range(0, Uploads).Select(i => UploadAsync(port, $"/{route}/{i}", backendStalls ? Task.CompletedTask : rest.Task, chunked, body)).ToList();
        try
        {
            if (await Task.WhenAny(allInFlight.Task, Task.Delay(TimeSpan.FromSeconds(120))) != allInFlight.Task)
            {
                var ended = uploads.Where(u => u.IsCompleted).ToList();
                Assert.Fail($"{route}: the backend never had {Uploads} uploads in flight together (it has {Volatile.Read(ref inFlight)}); " +
                    $"{ended.Count} uploads ended early: {string.Join("; ", ended.Take(3).Select(u => u.Exception?.InnerException?.Message ?? u.Result))}");
            }

            var concurrentRss = ProcessMemory(gatehouse.Id, "VmRSS");
            rest.TrySetResult();
            var answers = await Task.WhenAll(uploads).WaitAsync(TimeSpan.FromSeconds(120));
            Assert.All(answers, answer => Assert.Equal($"200 {bodyBytes}", answer));
            var peak = ProcessMemory(gatehouse.Id, "VmHWM");
            var rise = peak - baseline;
            TestContext.Current.TestOutputHelper?.WriteLine(
                $"{route}{(backendStalls ? ", backend stalled" : "")}: RSS {baseline / 1048576} MB idle, {concurrentRss / 1048576} MB with all in flight, peak {peak / 1048576} MB: +{rise / 1048576} MB, {rise / Uploads / 1024} KB per upload (bound {boundBytes / 1048576} MB)");
            Assert.True(rise < boundBytes,
                $"{route}: RSS rose by {rise / 1048576} MB ({rise / Uploads / 1024} KB per upload) with {Uploads} uploads in flight; the bound is {boundBytes / 1048576} MB (baseline {baseline / 1048576} MB, with all in flight {concurrentRss / 1048576} MB)");
        }
        finally
        {
            rest.TrySetResult();
            Directory.Delete(Path.GetDirectoryName(configPath)!, recursive: true);
        }
    }

    /// <summary>One upload on a connection of its own: head and the first part, then the rest once <paramref name="sendRest"/> completes.</summary>
    private static async Task<string> UploadAsync(int port, string path, Task sendRest, bool chunked, byte[] body)
    {
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        await socket.ConnectAsync("127.0.0.1", port);
        await using var stream = new NetworkStream(socket, ownsSocket: false);
        var framing = chunked ? "Transfer-Encoding: chunked" : $"Content-Length: {body.Length}";
        await stream.WriteAsync(Encoding.ASCII.GetBytes(
            $"POST {path} HTTP/1.1\r\nHost: uploads.test\r\nContent-Type: application/octet-stream\r\n{framing}\r\nConnection: close\r\n\r\n"));
        await WritePartAsync(stream, body.AsMemory(0, FirstPartBytes), chunked);
        await sendRest;
        await WritePartAsync(stream, body.AsMemory(FirstPartBytes), chunked);
        if (chunked)
        {
            await stream.WriteAsync("0\r\n\r\n"u8.ToArray());
        }

        using var reader = new StreamReader(stream, Encoding.ASCII);
        var response = await reader.ReadToEndAsync();
        var status = response.Split(' ', 3)[1];
        var content = response[(response.IndexOf("\r\n\r\n", StringComparison.Ordinal) + 4)..];
        return $"{status} {content}";
    }

    private static async Task WritePartAsync(Stream stream, ReadOnlyMemory<byte> part, bool chunked)
    {
        if (chunked)
        {
            await stream.WriteAsync(Encoding.ASCII.GetBytes($"{part.Length:x}\r\n"));
        }

        await stream.WriteAsync(part);
        if (chunked)
        {
            await stream.WriteAsync("\r\n"u8.ToArray());
        }
    }

    /// <summary>A line of /proc/PID/status in bytes (VmRSS: now; VmHWM: the peak since the last reset).</summary>
    private static long ProcessMemory(int pid, string field)
    {
        var line = File.ReadLines($"/proc/{pid}/status").Single(l => l.StartsWith(field + ":", StringComparison.Ordinal));
        return long.Parse(line[(field.Length + 1)..].Trim().Split(' ')[0], CultureInfo.InvariantCulture) * 1024;
    }
}
