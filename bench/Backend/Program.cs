using System.Globalization;
using System.Net;
using System.Text;

// The benchmark backend: fixed bodies from memory, no logging, loopback only.
//   /small  13 bytes, text/plain
//   /100k   102,400 bytes, application/octet-stream
//   /cached-small, /cached-100k  the same bodies with "Cache-Control: public, max-age=3600" (for the cache benchmark)
//   /count  how many /cached-* requests the backend has answered so far (so a run can check its cache hit)
// Usage: bench-backend PORT
if (args.Length != 1 || !int.TryParse(args[0], NumberStyles.None, CultureInfo.InvariantCulture, out var port))
{
    Console.Error.WriteLine("usage: bench-backend PORT");
    return 2;
}

var small = Encoding.ASCII.GetBytes("Hello, world!");
var large = new byte[100 * 1024];
for (var i = 0; i < large.Length; i++)
{
    large[i] = (byte)('a' + (i % 26));
}

var builder = WebApplication.CreateSlimBuilder(args);
builder.Logging.ClearProviders();
builder.WebHost.ConfigureKestrel(kestrel =>
{
    kestrel.AddServerHeader = false;
    kestrel.Limits.MaxConcurrentConnections = null;
    kestrel.Listen(IPAddress.Loopback, port);
});

var app = builder.Build();
app.MapGet("/small", (HttpContext context) => Write(context, small, "text/plain"));
app.MapGet("/100k", (HttpContext context) => Write(context, large, "application/octet-stream"));
long cachedRequests = 0;
app.MapGet("/cached-small", (HttpContext context) => WriteCacheable(context, small, "text/plain"));
app.MapGet("/cached-100k", (HttpContext context) => WriteCacheable(context, large, "application/octet-stream"));
app.MapGet("/count", () => Interlocked.Read(ref cachedRequests).ToString(CultureInfo.InvariantCulture));
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
