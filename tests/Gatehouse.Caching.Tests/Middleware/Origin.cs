using System.Collections.Concurrent;
using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Time.Testing;

namespace Gatehouse.Caching.Tests.Middleware;

/// <summary>
/// A real Kestrel origin on 127.0.0.1: a handler per path, a count of requests and of body bytes sent per path, the
/// requests' header fields, and a way to await the n-th request of a path. Its Date follows the tests' clock.
/// </summary>
internal sealed class Origin : IAsyncDisposable
{
    private readonly FakeTimeProvider _time;
    private readonly ConcurrentDictionary<string, Func<HttpContext, int, Task>> _handlers = new();
    private readonly ConcurrentDictionary<string, PathRecord> _paths = new();
    private WebApplication? _app;

    private Origin(FakeTimeProvider time)
    {
        _time = time;
    }

    public Uri Address { get; private set; } = null!;

    public static async Task<Origin> StartAsync(FakeTimeProvider time)
    {
        var origin = new Origin(time);
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(k => k.Listen(IPAddress.Loopback, 0));
        var app = builder.Build();
        app.Run(origin.HandleAsync);
        await app.StartAsync();
        origin.Address = new Uri(app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First());
        origin._app = app;
        return origin;
    }

    /// <summary>Answers requests for <paramref name="path"/>; the handler gets the request's number (1 for the first).</summary>
    public void Map(string path, Func<HttpContext, int, Task> handler) => _handlers[path] = handler;

    public int Requests(string path) => Record(path).Count;

    public long BodyBytes(string path, int request) => Record(path).BodyBytes.GetValueOrDefault(request);

    /// <summary>The request header fields of request number <paramref name="request"/> of a path.</summary>
    public IHeaderDictionary RequestHeaders(string path, int request) => Record(path).Headers[request];

    public string RequestMethod(string path, int request) => Record(path).Methods[request];

    public Task WhenRequests(string path, int count) => Record(path).WhenCount(count);

    public async Task StopAsync()
    {
        if (_app is { } app)
        {
            _app = null;
            await app.StopAsync();
            await app.DisposeAsync();
        }
    }

    public ValueTask DisposeAsync() => new(StopAsync());

    private PathRecord Record(string path) => _paths.GetOrAdd(path, _ => new PathRecord());

    private async Task HandleAsync(HttpContext context)
    {
        var path = context.Request.Path.Value!;
        var record = Record(path);
        var headers = new HeaderDictionary();
        foreach (var (name, value) in context.Request.Headers)
        {
            headers[name] = value;
        }
        var number = record.Arrived(context.Request.Method, headers);
        context.Response.Headers.Date = Http.Date(_time.GetUtcNow());
        var counting = new CountingStream(context.Response.Body);
        context.Response.Body = counting;
        try
        {
            if (_handlers.TryGetValue(path, out var handler))
            {
                await handler(context, number);
            }
            else
            {
                context.Response.StatusCode = StatusCodes.Status404NotFound;
            }
        }
        finally
        {
            record.BodyBytes[number] = counting.Written;
        }
    }

    private sealed class PathRecord
    {
        private readonly List<(int Count, TaskCompletionSource Reached)> _waiters = [];
        private int _count;

        public ConcurrentDictionary<int, IHeaderDictionary> Headers { get; } = new();

        public ConcurrentDictionary<int, string> Methods { get; } = new();

        public ConcurrentDictionary<int, long> BodyBytes { get; } = new();

        public int Count
        {
            get
            {
                lock (_waiters)
                {
                    return _count;
                }
            }
        }

        public int Arrived(string method, IHeaderDictionary headers)
        {
            lock (_waiters)
            {
                var number = ++_count;
                Headers[number] = headers;
                Methods[number] = method;
                _waiters.RemoveAll(w => _count >= w.Count && w.Reached.TrySetResult());
                return number;
            }
        }

        public Task WhenCount(int count)
        {
            lock (_waiters)
            {
                if (_count >= count)
                {
                    return Task.CompletedTask;
                }
                var reached = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
                _waiters.Add((count, reached));
                return reached.Task;
            }
        }
    }

    private sealed class CountingStream(Stream inner) : Stream
    {
        private long _written;

        public long Written => Interlocked.Read(ref _written);

        public override bool CanRead => false;

        public override bool CanSeek => false;

        public override bool CanWrite => true;

        public override long Length => throw new NotSupportedException();

        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

        public override void Flush() => inner.Flush();

        public override Task FlushAsync(CancellationToken cancellationToken) => inner.FlushAsync(cancellationToken);

        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count)
        {
            Interlocked.Add(ref _written, count);
            inner.Write(buffer, offset, count);
        }

        public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
        {
            Interlocked.Add(ref _written, buffer.Length);
            return inner.WriteAsync(buffer, cancellationToken);
        }

        public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
            WriteAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();
    }
}
