using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;
using Gatehouse.Caching.Middleware;

// Cache hits measured in process, so that allocation per hit can be read exactly: Kestrel on loopback with
// UseHttpCache in front of an origin that sends the bench backend's bodies ("public, max-age=3600"), and one client
// connection that writes a ready request and reads the response into a fixed buffer, allocating nothing. Allocation
// is GC.GetTotalAllocatedBytes over the whole process divided by the requests; CPU is the process's (client included).
//   bench-cache-hits [REQUESTS] [SECONDS]    defaults 20000 and 10 (each path stops at whichever comes first)
var requests = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 20_000;
var seconds = args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 10;

var small = Encoding.ASCII.GetBytes("Hello, world!");
var large = new byte[100 * 1024];
for (var i = 0; i < large.Length; i++)
{
    large[i] = (byte)('a' + (i % 26));
}

var builder = WebApplication.CreateSlimBuilder(args);
builder.Logging.ClearProviders();
builder.WebHost.ConfigureKestrel(k =>
{
    k.AddServerHeader = false;
    k.Listen(IPAddress.Loopback, 0);
});
builder.Services.AddHttpCache();
builder.Services.AddSingleton<IHttpCacheSettingsProvider, EveryRoute>();
var app = builder.Build();
app.UseHttpCache();
app.Run(context =>
{
    var body = context.Request.Path.Value!.EndsWith("-100k", StringComparison.Ordinal) ? large : small;
    var response = context.Response;
    response.Headers.CacheControl = "public, max-age=3600";
    response.ContentType = body == large ? "application/octet-stream" : "text/plain";
    response.ContentLength = body.Length;
    return response.Body.WriteAsync(body, 0, body.Length);
});
await app.StartAsync();
var port = new Uri(app.Urls.First()).Port;

using var ticks = Environment.GetEnvironmentVariable("ALLOC_TYPES") == "1" ? new AllocationTicks() : null;
foreach (var (path, length) in new[] { ("/plain-small", small.Length), ("/cached-small", small.Length), ("/plain-100k", large.Length), ("/cached-100k", large.Length) })
{
    using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
    await socket.ConnectAsync(IPAddress.Loopback, port);
    var request = Encoding.ASCII.GetBytes($"GET {path} HTTP/1.1\r\nHost: bench\r\n\r\n");
    var buffer = new byte[256 * 1024];
    for (var i = 0; i < 2000; i++)
    {
        await ExchangeAsync(socket, request, buffer, length, keepHead: false); // warm up: tiered JIT, pools
    }
    Console.WriteLine($"{path}: a response head after warm-up:\n{await ExchangeAsync(socket, request, buffer, length)}");
    ticks?.Clear();
    var deadline = Stopwatch.StartNew();
    var cpu0 = Process.GetCurrentProcess().TotalProcessorTime;
    var bytes0 = GC.GetTotalAllocatedBytes(precise: true);
    var gen0 = GC.CollectionCount(0);
    var done = await LoopAsync(socket, request, buffer, length, requests, deadline, seconds);
    var bytes = GC.GetTotalAllocatedBytes(precise: true) - bytes0;
    var cpu = Process.GetCurrentProcess().TotalProcessorTime - cpu0;
    ticks?.Print();
    Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
        $"{path}: {done} hits, {(double)bytes / done:F0} B allocated/hit, {cpu.TotalMicroseconds / done:F1} µs CPU/hit (server and client), gen0 GCs {GC.CollectionCount(0) - gen0}, {done / deadline.Elapsed.TotalSeconds:F0} hits/s one connection"));
}
// The same hits without sockets: the pipeline called on one thread with a DefaultHttpContext per request (the socket
// runs above stored the entries under this scheme and host). What a hit costs the cache itself, less noisy than the
// socket runs on a busy machine: compare with the uncached /plain-* path, whose origin writes the same bytes.
var pipeline = ((IApplicationBuilder)app).Build();
foreach (var path in new[] { "/plain-small", "/cached-small", "/plain-100k", "/cached-100k" })
{
    await DirectAsync(pipeline, path, 100_000); // warm up past tiered compilation
    var cpu0 = Process.GetCurrentProcess().TotalProcessorTime;
    var bytes0 = GC.GetTotalAllocatedBytes(precise: true);
    var clock = Stopwatch.StartNew();
    var done = await DirectAsync(pipeline, path, requests * 10, seconds);
    var wall = clock.Elapsed;
    var cpu = Process.GetCurrentProcess().TotalProcessorTime - cpu0;
    var bytes = GC.GetTotalAllocatedBytes(precise: true) - bytes0;
    Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
        $"direct {path}: {done} requests, {(double)bytes / done:F0} B allocated/request, {cpu.TotalMicroseconds / done:F2} µs CPU/request, {wall.TotalMicroseconds / done:F2} µs wall/request"));
}
await app.StopAsync();
return 0;

static async Task<int> DirectAsync(RequestDelegate pipeline, string path, int requests, int seconds = int.MaxValue)
{
    var clock = Stopwatch.StartNew();
    var done = 0;
    while (done < requests && clock.Elapsed.TotalSeconds < seconds)
    {
        var context = new DefaultHttpContext();
        context.Request.Method = HttpMethods.Get;
        context.Request.Scheme = "http";
        context.Request.Host = new HostString("bench");
        context.Request.Path = path;
        context.Response.Body = Stream.Null;
        await pipeline(context);
        if (context.Response.StatusCode != 200 || (path.StartsWith("/cached", StringComparison.Ordinal) && !context.Response.Headers["Cache-Status"].ToString().Contains("; hit", StringComparison.Ordinal)))
        {
            throw new InvalidOperationException($"{path}: {context.Response.StatusCode} {context.Response.Headers["Cache-Status"]}");
        }
        done++;
    }
    return done;
}

// The measured loop, in one async method so that the client allocates nothing per request.
static async Task<int> LoopAsync(Socket socket, byte[] request, byte[] buffer, int bodyLength, int requests, Stopwatch deadline, int seconds)
{
    var done = 0;
    while (done < requests && deadline.Elapsed.TotalSeconds < seconds)
    {
        await socket.SendAsync(request.AsMemory(), SocketFlags.None);
        var read = 0;
        var headEnd = -1;
        while (headEnd < 0 || read < headEnd + 4 + bodyLength)
        {
            var n = await socket.ReceiveAsync(buffer.AsMemory(read), SocketFlags.None);
            if (n == 0)
            {
                throw new IOException("connection closed");
            }
            read += n;
            if (headEnd < 0)
            {
                headEnd = buffer.AsSpan(0, read).IndexOf("\r\n\r\n"u8);
            }
        }
        done++;
    }
    return done;
}

// Sends the request and reads one response with a Content-Length body of bodyLength into buffer; the head as text
// only when asked (the measured loop allocates nothing).
static async Task<string?> ExchangeAsync(Socket socket, byte[] request, byte[] buffer, int bodyLength, bool keepHead = true)
{
    await socket.SendAsync(request.AsMemory(), SocketFlags.None);
    var read = 0;
    var headEnd = -1;
    while (true)
    {
        var n = await socket.ReceiveAsync(buffer.AsMemory(read), SocketFlags.None);
        if (n == 0)
        {
            throw new IOException("connection closed");
        }
        read += n;
        if (headEnd < 0)
        {
            headEnd = buffer.AsSpan(0, read).IndexOf("\r\n\r\n"u8);
        }
        if (headEnd >= 0 && read >= headEnd + 4 + bodyLength)
        {
            if (read != headEnd + 4 + bodyLength)
            {
                throw new IOException("more bytes than one response");
            }
            return keepHead ? Encoding.ASCII.GetString(buffer, 0, headEnd) : null;
        }
    }
}

sealed class EveryRoute : IHttpCacheSettingsProvider
{
    // /plain-* are not cached: what Kestrel and the origin cost without the cache, for scale.
    public HttpCacheRouteSettings? GetSettings(HttpContext context) =>
        context.Request.Path.Value!.StartsWith("/plain-", StringComparison.Ordinal) ? null : HttpCacheRouteSettings.Default;
}

// With ALLOC_TYPES=1: the runtime's allocation samples (one per about 100 KB allocated) by type, to see what a hit allocates.
sealed class AllocationTicks : System.Diagnostics.Tracing.EventListener
{
    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, int> types = new();

    public void Clear() => types.Clear();

    public void Print()
    {
        foreach (var (type, count) in types.OrderByDescending(t => t.Value).Take(25))
        {
            Console.WriteLine($"    {count,6} {type}");
        }
    }

    protected override void OnEventSourceCreated(System.Diagnostics.Tracing.EventSource source)
    {
        if (source.Name == "Microsoft-Windows-DotNETRuntime")
        {
            EnableEvents(source, System.Diagnostics.Tracing.EventLevel.Verbose, (System.Diagnostics.Tracing.EventKeywords)0x1);
        }
    }

    protected override void OnEventWritten(System.Diagnostics.Tracing.EventWrittenEventArgs e)
    {
        if (e.EventName?.StartsWith("GCAllocationTick", StringComparison.Ordinal) == true && e.Payload is { } payload)
        {
            var index = e.PayloadNames!.IndexOf("TypeName");
            types.AddOrUpdate(index >= 0 ? payload[index]?.ToString() ?? "?" : "?", 1, (_, n) => n + 1);
        }
    }
}
