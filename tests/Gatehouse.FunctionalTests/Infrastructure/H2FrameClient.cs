using System.Buffers.Binary;
using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Text;

namespace Gatehouse.FunctionalTests.Infrastructure;

/// <summary>
/// A minimal HTTP/2 client that writes frames as given, for what HttpClient, h2load and nghttp will not send: HEADERS
/// followed at once by RST_STREAM, floods of SETTINGS or PING, WINDOW_UPDATEs out of bounds. TLS with ALPN h2, or h2c with prior
/// knowledge; header blocks are HPACK literals without indexing (RFC 7541 §6.2.2), so no encoder state is needed.
/// Frames are queued and sent on <see cref="FlushAsync"/>, so a batch leaves in few TLS records, as an attacker sends it.
/// </summary>
public sealed class H2FrameClient : IAsyncDisposable
{
    public const byte Data = 0x0, Headers = 0x1, RstStream = 0x3, Settings = 0x4, Ping = 0x6, GoAway = 0x7, WindowUpdate = 0x8, Continuation = 0x9;
    public const byte EndStream = 0x1, EndHeaders = 0x4, Ack = 0x1;
    public const uint Cancel = 0x8;

    private static readonly byte[] Preface = "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n"u8.ToArray();
    private readonly TcpClient _tcp;
    private readonly Stream _ssl;
    private readonly SemaphoreSlim _writeLock = new(1, 1);
    private readonly MemoryStream _pending = new();

    private H2FrameClient(TcpClient tcp, Stream ssl)
    {
        _tcp = tcp;
        _ssl = ssl;
    }

    /// <summary>Connects, negotiates h2, and sends the preface and an empty SETTINGS frame.</summary>
    public static Task<H2FrameClient> ConnectAsync(int port, CancellationToken cancellationToken = default) =>
        ConnectAsync(port, [], cancellationToken);

    /// <summary>Connects with these SETTINGS (RFC 9113 §6.5.2: 0x4 is SETTINGS_INITIAL_WINDOW_SIZE) in the first frame.</summary>
    public static Task<H2FrameClient> ConnectAsync(int port, (ushort Id, uint Value)[] settings, CancellationToken cancellationToken = default) =>
        ConnectAsync(port, settings, tls: true, cancellationToken);

    /// <summary>Connects over TLS (ALPN h2) or, with <paramref name="tls"/> false, in plain text with prior knowledge (h2c).</summary>
    public static async Task<H2FrameClient> ConnectAsync(int port, (ushort Id, uint Value)[] settings, bool tls, CancellationToken cancellationToken = default)
    {
        var tcp = new TcpClient { NoDelay = true };
        await tcp.ConnectAsync(IPAddress.Loopback, port, cancellationToken);
        Stream stream = tcp.GetStream();
        if (tls)
        {
            var ssl = new SslStream(stream, false, (_, certificate, _, _) => certificate is not null); // an attacker checks nothing more
            await ssl.AuthenticateAsClientAsync(new SslClientAuthenticationOptions
            {
                TargetHost = "gatehouse.test",
                ApplicationProtocols = [SslApplicationProtocol.Http2],
            }, cancellationToken).WaitAsync(TimeSpan.FromSeconds(10), cancellationToken);
            Assert.Equal(SslApplicationProtocol.Http2, ssl.NegotiatedApplicationProtocol);
            stream = ssl;
        }

        var client = new H2FrameClient(tcp, stream);
        client._pending.Write(Preface);
        var payload = new byte[6 * settings.Length];
        for (var i = 0; i < settings.Length; i++)
        {
            BinaryPrimitives.WriteUInt16BigEndian(payload.AsSpan(6 * i), settings[i].Id);
            BinaryPrimitives.WriteUInt32BigEndian(payload.AsSpan(6 * i + 2), settings[i].Value);
        }

        client.Frame(Settings, 0, 0, payload);
        await client.FlushAsync(cancellationToken);
        return client;
    }

    /// <summary>Queues one frame.</summary>
    public void Frame(byte type, byte flags, int streamId, ReadOnlySpan<byte> payload)
    {
        Span<byte> header = stackalloc byte[9];
        header[0] = (byte)(payload.Length >> 16);
        header[1] = (byte)(payload.Length >> 8);
        header[2] = (byte)payload.Length;
        header[3] = type;
        header[4] = flags;
        BinaryPrimitives.WriteInt32BigEndian(header[5..], streamId & int.MaxValue);
        lock (_pending)
        {
            _pending.Write(header);
            _pending.Write(payload);
        }
    }

    /// <summary>Queues a request's HEADERS (END_HEADERS, and END_STREAM when it has no body).</summary>
    public void Request(int streamId, string method, string path, bool endStream, params (string Name, string Value)[] headers)
    {
        var block = new MemoryStream();
        foreach (var (name, value) in new[] { (":method", method), (":scheme", "https"), (":authority", "gatehouse.test"), (":path", path) }.Concat(headers))
        {
            block.WriteByte(0x00); // literal header field without indexing, new name
            WriteString(block, name);
            WriteString(block, value);
        }

        Frame(Headers, (byte)(EndHeaders | (endStream ? EndStream : 0)), streamId, block.ToArray());
    }

    public void Reset(int streamId, uint errorCode = Cancel)
    {
        Span<byte> payload = stackalloc byte[4];
        BinaryPrimitives.WriteUInt32BigEndian(payload, errorCode);
        Frame(RstStream, 0, streamId, payload);
    }

    public void PingFrame(long opaque, bool ack = false)
    {
        Span<byte> payload = stackalloc byte[8];
        BinaryPrimitives.WriteInt64BigEndian(payload, opaque);
        Frame(Ping, ack ? Ack : (byte)0, 0, payload);
    }

    public void WindowUpdateFrame(int streamId, int increment)
    {
        Span<byte> payload = stackalloc byte[4];
        BinaryPrimitives.WriteInt32BigEndian(payload, increment);
        Frame(WindowUpdate, 0, streamId, payload);
    }

    /// <summary>
    /// Sends what is queued, in the order it was queued. Throws IOException once the server has closed the connection.
    /// </summary>
    /// <remarks>
    /// Two flushes may run at once: <see cref="ReadUntilClosedAsync"/> acknowledges the server's SETTINGS while a test
    /// is still queueing a batch, and its flush sends the first part of that batch. The queue is taken only once the
    /// write lock is held, so each flush writes before the next one takes what is queued. If the queue were taken
    /// before waiting for the lock, a later flush could write first: the server would get the batch's tail before its
    /// head, and Kestrel would end the connection with GOAWAY(STREAM_CLOSED) (HEADERS on a stream ID below one already
    /// opened) or GOAWAY(PROTOCOL_ERROR) (RST_STREAM on a stream not opened yet).
    /// </remarks>
    public async Task FlushAsync(CancellationToken cancellationToken = default)
    {
        await _writeLock.WaitAsync(cancellationToken);
        try
        {
            byte[] bytes;
            lock (_pending)
            {
                bytes = _pending.ToArray();
                _pending.SetLength(0);
            }

            await _ssl.WriteAsync(bytes, cancellationToken);
            await _ssl.FlushAsync(cancellationToken);
        }
        finally
        {
            _writeLock.Release();
        }
    }

    /// <summary>The next frame from the server, or null when the connection ended (FIN, reset or TLS close).</summary>
    public async Task<(byte Type, byte Flags, int StreamId, byte[] Payload)?> ReadFrameAsync(CancellationToken cancellationToken = default)
    {
        var header = new byte[9];
        try
        {
            await _ssl.ReadExactlyAsync(header, cancellationToken);
            var length = (header[0] << 16) | (header[1] << 8) | header[2];
            var payload = new byte[length];
            await _ssl.ReadExactlyAsync(payload, cancellationToken);
            return (header[3], header[4], BinaryPrimitives.ReadInt32BigEndian(header.AsSpan(5)) & int.MaxValue, payload);
        }
        catch (Exception ex) when (ex is IOException or EndOfStreamException or ObjectDisposedException or OperationCanceledException)
        {
            return null;
        }
    }

    /// <summary>Completes when the server acknowledges a PING (read by <see cref="ReadUntilClosedAsync"/>).</summary>
    public TaskCompletionSource PingAcknowledged { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>
    /// Reads until the connection ends or <paramref name="cancellationToken"/> fires, acknowledging the server's SETTINGS;
    /// returns the GOAWAY error code if one came.
    /// </summary>
    public async Task<ConnectionEnd> ReadUntilClosedAsync(CancellationToken cancellationToken)
    {
        uint? goAway = null;
        var frames = 0L;
        while (await ReadFrameAsync(cancellationToken) is { } frame)
        {
            frames++;
            if (frame.Type == GoAway && frame.Payload.Length >= 8)
            {
                goAway = BinaryPrimitives.ReadUInt32BigEndian(frame.Payload.AsSpan(4));
            }
            else if (frame.Type == Ping && (frame.Flags & Ack) != 0)
            {
                PingAcknowledged.TrySetResult();
            }
            else if (frame.Type == Settings && (frame.Flags & Ack) == 0)
            {
                Frame(Settings, Ack, 0, []);
                try
                {
                    await FlushAsync(cancellationToken);
                }
                catch (IOException)
                {
                }
            }
        }

        return new ConnectionEnd(goAway, frames, !cancellationToken.IsCancellationRequested);
    }

    /// <summary>The request's pseudo-header fields as HPACK literals, to start a hand-made header block.</summary>
    public static HpackBlock RequestBlock(string method, string path)
    {
        var block = new HpackBlock();
        foreach (var (name, value) in new[] { (":method", method), (":scheme", "https"), (":authority", "gatehouse.test"), (":path", path) })
        {
            block.Literal(name, value);
        }

        return block;
    }

    internal static void WriteString(Stream block, string value)
    {
        var bytes = Encoding.ASCII.GetBytes(value);
        WriteInteger(block, bytes.Length, 7, 0x00); // H = 0: no Huffman coding
        block.Write(bytes);
    }

    /// <summary>RFC 7541 §5.1 integer with an N-bit prefix.</summary>
    internal static void WriteInteger(Stream block, int value, int prefixBits, byte flags)
    {
        var max = (1 << prefixBits) - 1;
        if (value < max)
        {
            block.WriteByte((byte)(flags | value));
            return;
        }

        block.WriteByte((byte)(flags | max));
        value -= max;
        while (value >= 128)
        {
            block.WriteByte((byte)((value & 0x7f) | 0x80));
            value >>= 7;
        }

        block.WriteByte((byte)value);
    }

    public async ValueTask DisposeAsync()
    {
        await _ssl.DisposeAsync();
        _tcp.Dispose();
        _writeLock.Dispose();
    }
}

/// <summary>
/// How a connection ended: the GOAWAY error code when the server sent one (11 is ENHANCE_YOUR_CALM, 2 INTERNAL_ERROR),
/// how many frames came, and whether the server closed it (false: still open when the reader stopped).
/// </summary>
public readonly record struct ConnectionEnd(uint? GoAwayCode, long Frames, bool Closed)
{
    public override string ToString() => (GoAwayCode is { } code ? $"GOAWAY({code})" : "no GOAWAY") + (Closed ? ", closed" : ", open") + $", {Frames} frames";
}
