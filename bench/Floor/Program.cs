using System.Buffers;
using System.Collections.Concurrent;
using System.Security.Cryptography.X509Certificates;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using System.Buffers.Text;
using System.Globalization;
using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using Microsoft.AspNetCore.Connections.Features;

// Two measuring sticks for what .NET itself costs per proxied request on this machine (docs/performance.md).
// Usage: floor raw|kestrel PORT BACKEND_PORT [--tls CERT.pem KEY.pem] [--cache]
//   raw      sockets on both sides: read a GET's head, send it to the client's own backend connection, copy the
//            response back by its Content-Length. No HTTP server, no parsing beyond that, no thread hop of its own.
//            With --tls: the client side through SslStream, with no server underneath (what a server of Gatehouse's
//            own would pay for TLS). With --cache: each 200 answer is kept whole (head and body) in a file by path, and a
//            later GET for that path is answered with sendfile(2) (Socket.SendFileAsync), as nginx serves proxy_cache.
//   kestrel  Kestrel serves the client side (its HTTP/1.1 parser, pipes and HttpContext), and one terminal
//            middleware forwards over the same kind of raw backend connection, one per client connection.
//   --tls    (kestrel) HTTPS/1.1 on PORT with that certificate: Kestrel's TLS, nothing of Gatehouse's
//   --cache  (kestrel) keeps each 200 answer's body by path, and answers a later GET for that path from memory with one
//            write: the least a cache hit on Kestrel costs, with no freshness rules at all
// It handles exactly what bench/run.sh sends: GETs without bodies, responses with a Content-Length.
if (args.Length < 3 || !int.TryParse(args[1], NumberStyles.None, CultureInfo.InvariantCulture, out var port) ||
    !int.TryParse(args[2], NumberStyles.None, CultureInfo.InvariantCulture, out var backendPort))
{
    return Usage();
}

X509Certificate2? certificate = null;
ConcurrentDictionary<string, byte[]>? stored = null;
for (var i = 3; i < args.Length; i++)
{
    if (args[i] == "--tls" && i + 2 < args.Length)
    {
        certificate = X509Certificate2.CreateFromPemFile(args[i + 1], args[i + 2]);
        i += 2;
    }
    else if (args[i] == "--cache")
    {
        stored = new ConcurrentDictionary<string, byte[]>(StringComparer.Ordinal);
    }
    else
    {
        return Usage();
    }
}

var backend = new IPEndPoint(IPAddress.Loopback, backendPort);
if (args[0] == "raw")
{
    using var listener = new Socket(SocketType.Stream, ProtocolType.Tcp);
    listener.Bind(new IPEndPoint(IPAddress.Loopback, port));
    listener.Listen(4096);
    var files = stored is null ? null : Directory.CreateTempSubdirectory("floor-cache-").FullName;
    while (true)
    {
        var client = await listener.AcceptAsync();
        _ = Task.Run(() => certificate is not null ? RawTls.ServeAsync(client, backend, certificate)
            : files is not null ? RawCache.ServeAsync(client, backend, files) : Raw.ServeAsync(client, backend));
    }
}

if (args[0] != "kestrel")
{
    return Usage();
}

var builder = WebApplication.CreateBuilder();
builder.Logging.ClearProviders();
// FLOOR_INLINE_SCHEDULING=1: Kestrel runs its pipes' continuations inline (with DOTNET_SYSTEM_NET_SOCKETS_INLINE_COMPLETIONS=1,
// on the socket engine's own threads, as nginx runs everything on its event loops).
builder.WebHost.UseSockets(sockets => sockets.UnsafePreferInlineScheduling = Environment.GetEnvironmentVariable("FLOOR_INLINE_SCHEDULING") == "1");
builder.WebHost.ConfigureKestrel(kestrel =>
{
    kestrel.AddServerHeader = false;
    kestrel.Listen(IPAddress.Loopback, port, listen =>
    {
        // One backend connection per client connection: HTTP/2's concurrent streams would share it.
        listen.Protocols = HttpProtocols.Http1;
        if (certificate is not null)
        {
            listen.UseHttps(certificate);
        }
    });
});
var app = builder.Build();
app.Run(async context =>
{
    var key = context.Request.Path.Value ?? "/";
    if (stored is not null && stored.TryGetValue(key, out var hit))
    {
        context.Response.StatusCode = 200;
        context.Response.ContentLength = hit.Length;
        context.Response.Headers["X-Floor-Cache"] = "hit";
        await context.Response.BodyWriter.WriteAsync(hit);
        return;
    }

    var items = context.Features.Get<IConnectionItemsFeature>()!.Items;
    if (!items.TryGetValue(typeof(Upstream), out var found))
    {
        found = await Upstream.ConnectAsync(backend);
        items[typeof(Upstream)] = found;
        context.Features.Get<IConnectionLifetimeFeature>()!.ConnectionClosed.Register(u => ((Upstream)u!).Dispose(), found);
    }

    var body = await ((Upstream)found!).ForwardAsync(context, keep: stored is not null);
    if (body is not null)
    {
        stored![key] = body;
    }
});
await app.RunAsync();
return 0;

static int Usage()
{
    Console.Error.WriteLine("usage: floor raw|kestrel PORT BACKEND_PORT [--tls CERT.pem KEY.pem] [--cache]");
    return 2;
}

static class Raw
{
    public static async Task ServeAsync(Socket client, IPEndPoint backend)
    {
        using var _ = client;
        client.NoDelay = true;
        using var upstream = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        await upstream.ConnectAsync(backend);
        var request = ArrayPool<byte>.Shared.Rent(8192);
        var response = ArrayPool<byte>.Shared.Rent(65536);
        try
        {
            var filled = 0;
            while (true)
            {
                int headEnd;
                while ((headEnd = request.AsSpan(0, filled).IndexOf("\r\n\r\n"u8)) < 0)
                {
                    if (filled == request.Length)
                    {
                        return;
                    }

                    var n = await client.ReceiveAsync(request.AsMemory(filled), SocketFlags.None);
                    if (n == 0)
                    {
                        return;
                    }

                    filled += n;
                }

                var length = headEnd + 4;
                await upstream.SendAsync(request.AsMemory(0, length), SocketFlags.None);
                request.AsSpan(length, filled - length).CopyTo(request);
                filled -= length;
                if (!await CopyResponseAsync(upstream, client, response))
                {
                    return;
                }
            }
        }
        catch (SocketException)
        {
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(request);
            ArrayPool<byte>.Shared.Return(response);
        }
    }

    static async Task<bool> CopyResponseAsync(Socket upstream, Socket client, byte[] buffer)
    {
        var filled = 0;
        int headEnd;
        while ((headEnd = buffer.AsSpan(0, filled).IndexOf("\r\n\r\n"u8)) < 0)
        {
            var n = filled == buffer.Length ? 0 : await upstream.ReceiveAsync(buffer.AsMemory(filled), SocketFlags.None);
            if (n == 0)
            {
                return false;
            }

            filled += n;
        }

        var remaining = headEnd + 4 + Head.ContentLength(buffer.AsSpan(0, headEnd));
        while (true)
        {
            var chunk = (int)Math.Min(filled, remaining);
            await client.SendAsync(buffer.AsMemory(0, chunk), SocketFlags.None);
            remaining -= chunk;
            if (remaining <= 0)
            {
                return true;
            }

            filled = await upstream.ReceiveAsync(buffer, SocketFlags.None);
            if (filled == 0)
            {
                return false;
            }
        }
    }
}

/// <summary>Raw, with the client side through SslStream: the TLS a server of its own pays, with no server underneath.</summary>
static class RawTls
{
    public static async Task ServeAsync(Socket client, IPEndPoint backend, X509Certificate2 certificate)
    {
        client.NoDelay = true;
        await using var tls = new SslStream(new NetworkStream(client, ownsSocket: true));
        using var upstream = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        var request = ArrayPool<byte>.Shared.Rent(8192);
        var response = ArrayPool<byte>.Shared.Rent(65536);
        try
        {
            await tls.AuthenticateAsServerAsync(new SslServerAuthenticationOptions
            {
                ServerCertificate = certificate,
                ApplicationProtocols = [SslApplicationProtocol.Http11],
            });
            await upstream.ConnectAsync(backend);
            var filled = 0;
            while (true)
            {
                int headEnd;
                while ((headEnd = request.AsSpan(0, filled).IndexOf("\r\n\r\n"u8)) < 0)
                {
                    var n = filled == request.Length ? 0 : await tls.ReadAsync(request.AsMemory(filled));
                    if (n == 0)
                    {
                        return;
                    }

                    filled += n;
                }

                var length = headEnd + 4;
                await upstream.SendAsync(request.AsMemory(0, length), SocketFlags.None);
                request.AsSpan(length, filled - length).CopyTo(request);
                filled -= length;
                if (!await CopyResponseAsync(upstream, tls, response))
                {
                    return;
                }
            }
        }
        catch (Exception e) when (e is SocketException or IOException or System.Security.Authentication.AuthenticationException)
        {
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(request);
            ArrayPool<byte>.Shared.Return(response);
        }
    }

    static async Task<bool> CopyResponseAsync(Socket upstream, Stream client, byte[] buffer)
    {
        var filled = 0;
        int headEnd;
        while ((headEnd = buffer.AsSpan(0, filled).IndexOf("\r\n\r\n"u8)) < 0)
        {
            var n = filled == buffer.Length ? 0 : await upstream.ReceiveAsync(buffer.AsMemory(filled), SocketFlags.None);
            if (n == 0)
            {
                return false;
            }

            filled += n;
        }

        var remaining = headEnd + 4 + Head.ContentLength(buffer.AsSpan(0, headEnd));
        while (true)
        {
            var chunk = (int)Math.Min(filled, remaining);
            await client.WriteAsync(buffer.AsMemory(0, chunk));
            remaining -= chunk;
            if (remaining <= 0)
            {
                return true;
            }

            filled = await upstream.ReceiveAsync(buffer, SocketFlags.None);
            if (filled == 0)
            {
                return false;
            }
        }
    }
}

/// <summary>
/// Raw, answering repeated GETs from files with sendfile(2): a 200 from the backend is kept whole, head and body, in a
/// file named by a hash of its path, held open, and a later GET for that path is one sendfile of it (SendPacketsAsync
/// with the file's handle and an explicit offset, so concurrent hits share it). Socket.SendFileAsync(path) is not
/// used: it opens the file per call and leaves the handle to the finalizer (the floor ran out of file descriptors).
/// No freshness rules; only what bench/run.sh sends.
/// </summary>
static class RawCache
{
    static readonly ConcurrentDictionary<string, FileStream> Files = new(StringComparer.Ordinal);

    public static async Task ServeAsync(Socket client, IPEndPoint backend, string directory)
    {
        using var _ = client;
        client.NoDelay = true;
        Socket? upstream = null;
        var request = ArrayPool<byte>.Shared.Rent(8192);
        var response = ArrayPool<byte>.Shared.Rent(256 * 1024);
        try
        {
            var filled = 0;
            while (true)
            {
                int headEnd;
                while ((headEnd = request.AsSpan(0, filled).IndexOf("\r\n\r\n"u8)) < 0)
                {
                    var n = filled == request.Length ? 0 : await client.ReceiveAsync(request.AsMemory(filled), SocketFlags.None);
                    if (n == 0)
                    {
                        return;
                    }

                    filled += n;
                }

                var length = headEnd + 4;
                var line = request.AsSpan(0, request.AsSpan(0, length).IndexOf("\r\n"u8));
                var target = line[(line.IndexOf((byte)' ') + 1)..];
                var path = System.Text.Encoding.ASCII.GetString(target[..target.IndexOf((byte)' ')]);
                if (Files.TryGetValue(path, out var file))
                {
                    await SendFileAsync(client, file);
                }
                else
                {
                    if (upstream is null)
                    {
                        upstream = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
                        await upstream.ConnectAsync(backend);
                    }

                    await upstream.SendAsync(request.AsMemory(0, length), SocketFlags.None);
                    if (!await ForwardAndKeepAsync(upstream, client, response, path, directory))
                    {
                        return;
                    }
                }

                request.AsSpan(length, filled - length).CopyTo(request);
                filled -= length;
            }
        }
        catch (SocketException)
        {
        }
        catch (Exception e)
        {
            Console.Error.WriteLine(e);
        }
        finally
        {
            upstream?.Dispose();
            ArrayPool<byte>.Shared.Return(request);
            ArrayPool<byte>.Shared.Return(response);
        }
    }

    static Task SendFileAsync(Socket socket, FileStream file)
    {
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var send = new SocketAsyncEventArgs { SendPacketsElements = [new SendPacketsElement(file, 0, (int)file.Length)] };
        send.Completed += (_, e) => Complete(e, done);
        if (!socket.SendPacketsAsync(send))
        {
            Complete(send, done);
        }

        return done.Task;

        static void Complete(SocketAsyncEventArgs e, TaskCompletionSource done)
        {
            if (e.SocketError == SocketError.Success)
            {
                done.TrySetResult();
            }
            else
            {
                done.TrySetException(new SocketException((int)e.SocketError));
            }

            e.Dispose();
        }
    }

    /// <summary>Copies one response to the client; a 200 that fits the buffer is also written to a file for later hits.</summary>
    static async Task<bool> ForwardAndKeepAsync(Socket upstream, Socket client, byte[] buffer, string path, string directory)
    {
        var filled = 0;
        int headEnd;
        while ((headEnd = buffer.AsSpan(0, filled).IndexOf("\r\n\r\n"u8)) < 0)
        {
            var n = filled == buffer.Length ? 0 : await upstream.ReceiveAsync(buffer.AsMemory(filled), SocketFlags.None);
            if (n == 0)
            {
                return false;
            }

            filled += n;
        }

        var whole = headEnd + 4 + Head.ContentLength(buffer.AsSpan(0, headEnd));
        while (filled < whole && filled < buffer.Length)
        {
            var n = await upstream.ReceiveAsync(buffer.AsMemory(filled, (int)Math.Min(buffer.Length, whole) - filled), SocketFlags.None);
            if (n == 0)
            {
                return false;
            }

            filled += n;
        }

        if (filled == whole && buffer.AsSpan(9, 3).SequenceEqual("200"u8))
        {
            // The stored head says it came from the store (bench/run.sh checks that the measured requests are hits).
            var head = System.Text.Encoding.ASCII.GetString(buffer, 0, headEnd);
            var statusEnd = head.IndexOf("\r\n", StringComparison.Ordinal);
            statusEnd = statusEnd < 0 ? head.Length : statusEnd;
            head = head[..statusEnd] + "\r\nX-Floor-Cache: hit" + head[statusEnd..] + "\r\n\r\n";
            var file = Path.Combine(directory, Convert.ToHexString(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(path))));
            var temporary = file + "." + Guid.NewGuid().ToString("N");
            await using (var stream = File.Create(temporary))
            {
                await stream.WriteAsync(System.Text.Encoding.ASCII.GetBytes(head));
                await stream.WriteAsync(buffer.AsMemory(headEnd + 4, (int)whole - headEnd - 4));
            }

            File.Move(temporary, file, overwrite: true);
            var opened = new FileStream(file, FileMode.Open, FileAccess.Read, FileShare.Read, 1, FileOptions.Asynchronous);
            if (!Files.TryAdd(path, opened))
            {
                await opened.DisposeAsync();
            }
        }

        await client.SendAsync(buffer.AsMemory(0, (int)Math.Min(filled, whole)), SocketFlags.None);
        var remaining = whole - filled;
        while (remaining > 0)
        {
            var n = await upstream.ReceiveAsync(buffer, SocketFlags.None);
            if (n == 0)
            {
                return false;
            }

            var chunk = (int)Math.Min(n, remaining);
            await client.SendAsync(buffer.AsMemory(0, chunk), SocketFlags.None);
            remaining -= chunk;
        }

        return true;
    }
}

static class Head
{
    public static long ContentLength(ReadOnlySpan<byte> head)
    {
        var at = head.IndexOf("\r\nContent-Length:"u8);
        if (at < 0)
        {
            at = head.IndexOf("\r\ncontent-length:"u8);
        }

        if (at < 0)
        {
            return 0;
        }

        var value = head[(at + 17)..];
        var end = value.IndexOf("\r\n"u8);
        value = (end < 0 ? value : value[..end]).Trim((byte)' ');
        return Utf8Parser.TryParse(value, out long length, out _) ? length : 0;
    }
}

sealed class Upstream : IDisposable
{
    readonly Socket socket;
    readonly byte[] buffer = new byte[65536];

    Upstream(Socket socket) => this.socket = socket;

    public static async Task<Upstream> ConnectAsync(IPEndPoint backend)
    {
        var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        await socket.ConnectAsync(backend);
        return new Upstream(socket);
    }

    /// <summary>Forwards the request; with <paramref name="keep"/>, returns a 200's whole body as well.</summary>
    public async Task<byte[]?> ForwardAsync(HttpContext context, bool keep)
    {
        var head = buffer.AsSpan();
        var written = 0;
        written += Put(head, written, context.Request.Method);
        head[written++] = (byte)' ';
        written += Put(head, written, context.Request.Path.Value ?? "/");
        written += Put(head, written, context.Request.QueryString.Value ?? "");
        written += Put(head, written, " HTTP/1.1\r\nHost: backend\r\n\r\n");
        await socket.SendAsync(buffer.AsMemory(0, written), SocketFlags.None);

        var filled = 0;
        int headEnd;
        while ((headEnd = buffer.AsSpan(0, filled).IndexOf("\r\n\r\n"u8)) < 0)
        {
            var n = filled == buffer.Length ? 0 : await socket.ReceiveAsync(buffer.AsMemory(filled), SocketFlags.None);
            if (n == 0)
            {
                context.Abort();
                return null;
            }

            filled += n;
        }

        var length = Head.ContentLength(buffer.AsSpan(0, headEnd));
        context.Response.StatusCode = Utf8Parser.TryParse(buffer.AsSpan(9, 3), out int status, out _) ? status : 502;
        context.Response.ContentLength = length;
        var kept = keep && status == 200 ? new byte[length] : null;
        var at = 0;
        var body = headEnd + 4;
        while (true)
        {
            var chunk = (int)Math.Min(filled - body, length);
            if (kept is not null)
            {
                buffer.AsSpan(body, chunk).CopyTo(kept.AsSpan(at));
            }

            at += chunk;
            await context.Response.BodyWriter.WriteAsync(buffer.AsMemory(body, chunk));
            length -= chunk;
            if (length <= 0)
            {
                return kept;
            }

            body = 0;
            filled = await socket.ReceiveAsync(buffer, SocketFlags.None);
            if (filled == 0)
            {
                context.Abort();
                return null;
            }
        }
    }

    static int Put(Span<byte> to, int at, string text) => System.Text.Encoding.ASCII.GetBytes(text, to[at..]);

    public void Dispose() => socket.Dispose();
}
