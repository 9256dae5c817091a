using System.Net.Sockets;
using System.Text;

namespace Gatehouse.FunctionalTests.Infrastructure;

/// <summary>A response as read off a raw socket: status, header block, body, and whether the server then closed.</summary>
public sealed record RawResponse(int Status, string Head, string Body, bool Closed)
{
    public bool HasHeader(string name, string value) =>
        Head.Split("\r\n").Any(l => l.StartsWith(name + ":", StringComparison.OrdinalIgnoreCase) && l[(name.Length + 1)..].Trim().Equals(value, StringComparison.OrdinalIgnoreCase));
}

/// <summary>Sends exact bytes to a server and reads HTTP/1.1 responses back, for tests of what a parser accepts.</summary>
public static class RawHttp
{
    /// <summary>Opens a connection, sends <paramref name="request"/> (Latin-1), reads one response and whether the server closed after it.</summary>
    public static async Task<RawResponse> SendAsync(Uri server, string request, TimeSpan? timeout = null)
    {
        using var client = new TcpClient();
        await client.ConnectAsync(server.Host, server.Port);
        var stream = client.GetStream();
        using var cancel = new CancellationTokenSource(timeout ?? TimeSpan.FromSeconds(10));
        await stream.WriteAsync(Encoding.Latin1.GetBytes(request), cancel.Token);
        var reader = new ResponseReader(stream);
        var response = await reader.ReadAsync(cancel.Token);
        return response with { Closed = await reader.IsClosedAsync(cancel.Token) };
    }

    /// <summary>Sends on one connection and reads every response until the server closes it or the time is up.</summary>
    public static async Task<List<RawResponse>> SendAllAsync(Uri server, string request, int expected, TimeSpan? timeout = null)
    {
        using var client = new TcpClient();
        await client.ConnectAsync(server.Host, server.Port);
        var stream = client.GetStream();
        using var cancel = new CancellationTokenSource(timeout ?? TimeSpan.FromSeconds(10));
        await stream.WriteAsync(Encoding.Latin1.GetBytes(request), cancel.Token);
        var reader = new ResponseReader(stream);
        var responses = new List<RawResponse>();
        while (responses.Count < expected)
        {
            var response = await reader.ReadAsync(cancel.Token);
            if (response.Status == 0)
            {
                break;
            }

            responses.Add(response);
        }

        return responses;
    }

    /// <summary>The length of the first complete request in <paramref name="buffer"/>, or 0 when more bytes are needed.</summary>
    public static int CompleteRequestLength(List<byte> buffer)
    {
        var bytes = buffer.ToArray();
        var headEnd = IndexOf(bytes, "\r\n\r\n"u8, 0);
        if (headEnd < 0)
        {
            return 0;
        }

        var head = Encoding.Latin1.GetString(bytes, 0, headEnd);
        var bodyStart = headEnd + 4;
        if (Header(head, "Transfer-Encoding") is { } te && te.Contains("chunked", StringComparison.OrdinalIgnoreCase))
        {
            return ChunkedEnd(bytes, bodyStart);
        }

        var contentLength = Header(head, "Content-Length") is { } cl ? int.Parse(cl, System.Globalization.CultureInfo.InvariantCulture) : 0;
        return bytes.Length >= bodyStart + contentLength ? bodyStart + contentLength : 0;
    }

    internal static string? Header(string head, string name) =>
        head.Split("\r\n").Skip(1).Where(l => l.StartsWith(name + ":", StringComparison.OrdinalIgnoreCase)).Select(l => l[(name.Length + 1)..].Trim()).FirstOrDefault();

    private static int ChunkedEnd(byte[] bytes, int position)
    {
        while (true)
        {
            var lineEnd = IndexOf(bytes, "\r\n"u8, position);
            if (lineEnd < 0)
            {
                return 0;
            }

            var sizeText = Encoding.Latin1.GetString(bytes, position, lineEnd - position).Split(';')[0].Trim();
            var size = Convert.ToInt32(sizeText, 16);
            position = lineEnd + 2;
            if (size == 0)
            {
                // Trailers, then an empty line.
                while (true)
                {
                    var end = IndexOf(bytes, "\r\n"u8, position);
                    if (end < 0)
                    {
                        return 0;
                    }

                    var empty = end == position;
                    position = end + 2;
                    if (empty)
                    {
                        return position;
                    }
                }
            }

            if (bytes.Length < position + size + 2)
            {
                return 0;
            }

            position += size + 2;
        }
    }

    internal static int IndexOf(byte[] bytes, ReadOnlySpan<byte> value, int start)
    {
        var found = bytes.AsSpan(start).IndexOf(value);
        return found < 0 ? -1 : start + found;
    }

    internal sealed class ResponseReader(NetworkStream stream)
    {
        private readonly List<byte> _buffer = [];
        private bool _eof;

        public async Task<RawResponse> ReadAsync(CancellationToken cancel)
        {
            int headEnd;
            while ((headEnd = IndexOf(_buffer.ToArray(), "\r\n\r\n"u8, 0)) < 0)
            {
                if (!await FillAsync(cancel))
                {
                    return new RawResponse(0, Encoding.Latin1.GetString(_buffer.ToArray()), "", true);
                }
            }

            var head = Encoding.Latin1.GetString(_buffer.GetRange(0, headEnd).ToArray());
            _buffer.RemoveRange(0, headEnd + 4);
            var status = int.Parse(head.Split(' ')[1], System.Globalization.CultureInfo.InvariantCulture);
            var body = new StringBuilder();
            if (Header(head, "Transfer-Encoding") is { } te && te.Contains("chunked", StringComparison.OrdinalIgnoreCase))
            {
                while (true)
                {
                    var line = await ReadLineAsync(cancel);
                    var size = Convert.ToInt32(line.Split(';')[0].Trim(), 16);
                    if (size == 0)
                    {
                        while ((await ReadLineAsync(cancel)).Length > 0)
                        {
                        }

                        break;
                    }

                    body.Append(await ReadBytesAsync(size, cancel));
                    await ReadLineAsync(cancel);
                }
            }
            else if (Header(head, "Content-Length") is { } cl)
            {
                body.Append(await ReadBytesAsync(int.Parse(cl, System.Globalization.CultureInfo.InvariantCulture), cancel));
            }

            return new RawResponse(status, head, body.ToString(), false);
        }

        /// <summary>True when the server closes the connection (or resets it) within a short wait with nothing more to read.</summary>
        public async Task<bool> IsClosedAsync(CancellationToken cancel)
        {
            if (_eof)
            {
                return true;
            }

            using var wait = CancellationTokenSource.CreateLinkedTokenSource(cancel);
            wait.CancelAfter(TimeSpan.FromSeconds(2));
            try
            {
                return !await FillAsync(wait.Token);
            }
            catch (OperationCanceledException) when (!cancel.IsCancellationRequested)
            {
                return false;
            }
        }

        private async Task<bool> FillAsync(CancellationToken cancel)
        {
            if (_eof)
            {
                return false;
            }

            var chunk = new byte[8192];
            int read;
            try
            {
                read = await stream.ReadAsync(chunk, cancel);
            }
            catch (IOException)
            {
                read = 0;
            }

            if (read == 0)
            {
                _eof = true;
                return false;
            }

            _buffer.AddRange(chunk.AsSpan(0, read));
            return true;
        }

        private async Task<string> ReadLineAsync(CancellationToken cancel)
        {
            int end;
            while ((end = IndexOf(_buffer.ToArray(), "\r\n"u8, 0)) < 0)
            {
                if (!await FillAsync(cancel))
                {
                    throw new IOException("connection closed inside a chunked body");
                }
            }

            var line = Encoding.Latin1.GetString(_buffer.GetRange(0, end).ToArray());
            _buffer.RemoveRange(0, end + 2);
            return line;
        }

        private async Task<string> ReadBytesAsync(int count, CancellationToken cancel)
        {
            while (_buffer.Count < count)
            {
                if (!await FillAsync(cancel))
                {
                    throw new IOException("connection closed inside a body");
                }
            }

            var text = Encoding.Latin1.GetString(_buffer.GetRange(0, count).ToArray());
            _buffer.RemoveRange(0, count);
            return text;
        }
    }
}
