using System.Globalization;
using System.Net;
using System.Text;

// The benchmark backend: fixed bodies from memory, no logging, loopback only.
//   /small  13 bytes, text/plain
//   /rr-small  the same, for the round-robin scenario (the proxies send /rr-* to a cluster of every PORT given)
//   /100k   102,400 bytes, application/octet-stream
//   /cached-small, /cached-100k  the same bodies with "Cache-Control: public, max-age=3600" (for the cache benchmark)
//   /html-100k, /cached-html-100k  102,400 bytes of text/html that compress like a real page (about 3:1), the second
//                cacheable (for the compression benchmark, bench/compression.sh)
//   /count  how many /cached-* requests the backend has answered so far (so a run can check its cache hit)
//   /rr-count  how many /rr-small requests each port has answered: "PORT COUNT" lines (so a run can check round robin)
//   POST /bench.Echo/Unary  a gRPC unary call (on any port, meant for BENCH_H2C_PORT): the request's message echoed
//                as application/grpc with the trailer grpc-status: 0 (for bench/grpc.sh)
// Usage: bench-backend PORT [PORT...]   (one process listening on every port given)
//        BENCH_H2C_PORT=PORT adds a port that speaks cleartext HTTP/2 only (h2c with prior knowledge, as gRPC services do)
var ports = new List<int>();
foreach (var arg in args)
{
    if (!int.TryParse(arg, NumberStyles.None, CultureInfo.InvariantCulture, out var p))
    {
        ports.Clear();
        break;
    }

    ports.Add(p);
}

if (ports.Count == 0)
{
    Console.Error.WriteLine("usage: bench-backend PORT [PORT...]");
    return 2;
}

var small = Encoding.ASCII.GetBytes("Hello, world!");
var large = new byte[100 * 1024];
for (var i = 0; i < large.Length; i++)
{
    large[i] = (byte)('a' + (i % 26));
}

// A page of varied markup: words drawn from a fixed seed, so gzip meets a real page's redundancy rather than a pattern.
var html = new StringBuilder("<!doctype html><html><head><title>Benchmark page</title></head><body>\n");
var random = new Random(16);
string[] words = ["gateway", "request", "cache", "proxy", "header", "stream", "the", "of", "and", "response", "client", "server", "route", "cluster"];
while (html.Length < 100 * 1024 - 32)
{
    html.Append("<p class=\"c").Append(random.Next(20)).Append("\">");
    for (var w = 0; w < 12; w++)
    {
        html.Append(words[random.Next(words.Length)]).Append(' ').Append(random.Next(10000)).Append(' ');
    }
    html.Append("</p>\n");
}
var page = Encoding.ASCII.GetBytes(html.ToString().PadRight(100 * 1024 - 15)[..(100 * 1024 - 15)] + "</body></html>\n");

var builder = WebApplication.CreateSlimBuilder();
builder.Logging.ClearProviders();
builder.WebHost.ConfigureKestrel(kestrel =>
{
    kestrel.AddServerHeader = false;
    kestrel.Limits.MaxConcurrentConnections = null;
    foreach (var port in ports)
    {
        kestrel.Listen(IPAddress.Loopback, port);
    }

    if (int.TryParse(Environment.GetEnvironmentVariable("BENCH_H2C_PORT"), NumberStyles.None, CultureInfo.InvariantCulture, out var h2c))
    {
        kestrel.Listen(IPAddress.Loopback, h2c, listen => listen.Protocols = Microsoft.AspNetCore.Server.Kestrel.Core.HttpProtocols.Http2);
    }
});

var app = builder.Build();
app.MapGet("/small", (HttpContext context) => Write(context, small, "text/plain"));
app.MapGet("/100k", (HttpContext context) => Write(context, large, "application/octet-stream"));
long cachedRequests = 0;
var rrRequests = new long[ports.Count];
app.MapGet("/cached-small", (HttpContext context) => WriteCacheable(context, small, "text/plain"));
app.MapGet("/cached-100k", (HttpContext context) => WriteCacheable(context, large, "application/octet-stream"));
app.MapGet("/html-100k", (HttpContext context) => Write(context, page, "text/html; charset=utf-8"));
app.MapGet("/cached-html-100k", (HttpContext context) => WriteCacheable(context, page, "text/html; charset=utf-8"));
app.MapGet("/count", () => Interlocked.Read(ref cachedRequests).ToString(CultureInfo.InvariantCulture));
app.MapGet("/rr-small", (HttpContext context) =>
{
    var index = ports.IndexOf(context.Connection.LocalPort);
    if (index >= 0)
    {
        Interlocked.Increment(ref rrRequests[index]);
    }

    return Write(context, small, "text/plain");
});
app.MapGet("/rr-count", () => string.Concat(ports.Select((port, i) =>
    string.Create(CultureInfo.InvariantCulture, $"{port} {Interlocked.Read(ref rrRequests[i])}\n"))));
app.MapPost("/bench.Echo/Unary", async (HttpContext context) =>
{
    var message = new MemoryStream();
    await context.Request.Body.CopyToAsync(message);
    context.Response.ContentType = "application/grpc";
    await context.Response.Body.WriteAsync(message.GetBuffer().AsMemory(0, (int)message.Length));
    context.Response.AppendTrailer("grpc-status", "0");
});
await app.RunAsync();
return 0;

Task WriteCacheable(HttpContext context, byte[] body, string contentType)
{
    Interlocked.Increment(ref cachedRequests);
    context.Response.Headers.CacheControl = "public, max-age=3600";
    return Write(context, body, contentType);
}

static Task Write(HttpContext context, byte[] body, string contentType)
{
    var response = context.Response;
    response.ContentType = contentType;
    response.ContentLength = body.Length;
    return response.Body.WriteAsync(body, 0, body.Length);
}
