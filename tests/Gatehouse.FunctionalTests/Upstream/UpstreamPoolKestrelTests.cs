using System.Text;
using Gatehouse.FunctionalTests.Infrastructure;
using Gatehouse.Http1;
using Gatehouse.Upstream;
using static Gatehouse.FunctionalTests.Upstream.UpstreamExchange;

namespace Gatehouse.FunctionalTests.Upstream;

/// <summary>Gatehouse's own HTTP/1.1 client against a real Kestrel backend.</summary>
public class UpstreamPoolKestrelTests
{
    private static Task<TestBackend> EchoBackend() => TestBackend.StartAsync("echo", async context =>
    {
        context.Response.Headers["X-Connection"] = context.Connection.Id;
        context.Response.Headers["X-Request-Framing"] = context.Request.Headers.TransferEncoding.Count > 0 ? "chunked" : $"length {context.Request.ContentLength}";
        using var reader = new StreamReader(context.Request.Body);
        var body = await reader.ReadToEndAsync();
        await context.Response.WriteAsync($"{context.Request.Method} {context.Request.Path}{context.Request.QueryString} [{body}]");
    });

    [Fact]
    public async Task SequentialRequests_ShareOneConnection()
    {
        await using var backend = await EchoBackend();
        await using var pool = PoolFor(Loopback(backend.Port));

        var first = await RunAsync(pool, Get("/a?x=1"));
        var second = await RunAsync(pool, Get("/b"));

        Assert.Equal(("GET /a?x=1 []", "GET /b []"), (first.Body, second.Body));
        Assert.Equal(first.Head.Fields.Values("x-connection").Single(), second.Head.Fields.Values("x-connection").Single());
        Assert.Equal(1, pool.ConnectionsOpened);
        Assert.Equal(1, pool.IdleCount);
    }

    [Fact]
    public async Task RequestBodies_AreSentWithTheFramingGatehouseChose()
    {
        await using var backend = await EchoBackend();
        await using var pool = PoolFor(Loopback(backend.Port));
        var fields = new[] { KeyValuePair.Create("Content-Length", "999"), KeyValuePair.Create("Transfer-Encoding", "gzip") };

        var sized = await RunAsync(pool, new UpstreamRequest("POST", "/sized", "b", fields)
        {
            BodyFraming = RequestBodyFraming.ContentLength, ContentLength = 5, Body = new MemoryStream("hello"u8.ToArray()),
        });
        var chunked = await RunAsync(pool, new UpstreamRequest("PUT", "/chunked", "b", fields)
        {
            BodyFraming = RequestBodyFraming.Chunked, Body = new MemoryStream(Encoding.ASCII.GetBytes(new string('z', 40_000))),
        });

        Assert.Equal("POST /sized [hello]", sized.Body);
        Assert.Equal("length 5", sized.Head.Fields.Values("x-request-framing").Single());
        Assert.Equal($"PUT /chunked [{new string('z', 40_000)}]", chunked.Body);
        Assert.Equal("chunked", chunked.Head.Fields.Values("x-request-framing").Single());
        Assert.Equal(BodyFraming.Chunked, chunked.Head.Framing); // Kestrel chunks a body it was not given a length for
        Assert.Equal(1, pool.ConnectionsOpened);
    }

    [Fact]
    public async Task ARequestBodyShorterThanItsContentLength_FailsAndIsNotReused()
    {
        await using var backend = await EchoBackend();
        await using var pool = PoolFor(Loopback(backend.Port));

        var failure = await Assert.ThrowsAsync<UpstreamException>(() => RunAsync(pool, new UpstreamRequest("POST", "/", "b", [])
        {
            BodyFraming = RequestBodyFraming.ContentLength, ContentLength = 10, Body = new MemoryStream("short"u8.ToArray()),
        }));

        Assert.Equal(UpstreamFailure.SendFailed, failure.Failure);
        Assert.Equal(0, pool.IdleCount);
        Assert.Equal("GET / []", (await RunAsync(pool, Get())).Body);
        Assert.Equal(2, pool.ConnectionsOpened);
    }

    [Fact]
    public async Task ABackendThatAnswersBeforeReadingTheBody_IsHeard_AndTheConnectionIsNotReused()
    {
        await using var backend = await TestBackend.StartAsync("early", context =>
        {
            context.Response.StatusCode = 413;
            return context.Response.WriteAsync("too large");
        });
        await using var pool = PoolFor(Loopback(backend.Port));
        var endless = new EndlessStream();

        var (head, body) = await RunAsync(pool, new UpstreamRequest("POST", "/", "b", [])
        {
            BodyFraming = RequestBodyFraming.ContentLength, ContentLength = 1L << 40, Body = endless,
        });

        Assert.Equal((413, "too large"), (head.StatusCode, body));
        Assert.Equal(0, pool.IdleCount);
        Assert.True(endless.Position < 1L << 40);
    }

    [Fact]
    public async Task HeadAndNoContent_HaveNoBody_AndKeepTheConnection()
    {
        await using var backend = await TestBackend.StartAsync("sized", context =>
        {
            if (context.Request.Path == "/empty")
            {
                context.Response.StatusCode = 204;
                return Task.CompletedTask;
            }

            context.Response.ContentLength = 5;
            return HttpMethods.IsHead(context.Request.Method) ? Task.CompletedTask : context.Response.WriteAsync("hello");
        });
        await using var pool = PoolFor(Loopback(backend.Port));

        var head = await RunAsync(pool, Get("/", "HEAD"));
        var empty = await RunAsync(pool, Get("/empty"));
        var get = await RunAsync(pool, Get("/"));

        Assert.Equal((200, "5", ""), (head.Head.StatusCode, head.Head.Fields.Values("content-length").Single(), head.Body));
        Assert.Equal((204, ""), (empty.Head.StatusCode, empty.Body));
        Assert.Equal("hello", get.Body);
        Assert.Equal(1, pool.ConnectionsOpened);
    }

    [Fact]
    public async Task ABackendThatIsDown_IsAConnectFailure()
    {
        await using var pool = PoolFor(Loopback(TestBackend.UnusedPort()));

        var failure = await Assert.ThrowsAsync<UpstreamException>(() => RunAsync(pool, Get()));

        Assert.Equal(UpstreamFailure.ConnectFailed, failure.Failure);
    }

    /// <summary>A request body that never ends (until its reader stops), like a slow upload the backend refuses.</summary>
    private sealed class EndlessStream : Stream
    {
        private long _position;

        public override bool CanRead => true;

        public override bool CanSeek => false;

        public override bool CanWrite => false;

        public override long Length => throw new NotSupportedException();

        public override long Position { get => Interlocked.Read(ref _position); set => throw new NotSupportedException(); }

        public override int Read(byte[] buffer, int offset, int count)
        {
            Array.Fill(buffer, (byte)'x', offset, count);
            Interlocked.Add(ref _position, count);
            return count;
        }

        public override void Flush()
        {
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}
