using System.Buffers;
using System.IO.Pipelines;
using System.Net;
using System.Net.Sockets;
using Gatehouse.Http1;

namespace Gatehouse.Upstream;

/// <summary>
/// One HTTP/1.1 connection to a backend: one exchange at a time, head written into the pipe's pooled buffers, the
/// reply read through the strict parser. Any failure marks it broken for good; only an exchange read to its clean end
/// leaves it <see cref="Reusable"/>.
/// </summary>
internal sealed partial class UpstreamConnection : IAsyncDisposable
{
    private readonly Socket _socket;
    private readonly NetworkStream _stream;
    private readonly PipeReader _reader;
    private readonly PipeWriter _writer;
    private readonly ResponseHeadParser _heads;
    private readonly ChunkedBodyDecoder _chunks;
    private readonly UpstreamOptions _options;
    private ResponseHead? _head;
    private bool _receivedAny;
    private const int ReadBufferSize = UpstreamBufferPool.BlockSize;
    private const int DirectCopyBufferSize = 64 * 1024;
    private static readonly Task<Exception?> NothingSending = Task.FromResult<Exception?>(null);
    private Task<Exception?> _sending = NothingSending;
    private CancellationTokenSource? _sendAbort;
    private Action? _progress;

    // The response read started when the connection left the pool (PrepareForReuse), awaited by the first read.
    private ValueTask<ReadResult>? _readAhead;
    private CancellationToken _readAheadToken;

    // Bytes this side has written on the connection (the PROXY preface and every bodiless exchange), and the count
    // before the current exchange: what the backend's kernel must have acknowledged for it to have seen none of the
    // current request (see LastRequestProvablyUnreadAsync). Unknown once a streamed body went out.
    private long _sent;
    private long _sentBeforeExchange;
    private bool _sentKnown = true;

    private UpstreamConnection(Socket socket, UpstreamOptions options, int prefaceLength = 0)
    {
        _socket = socket;
        _sent = prefaceLength;
        _options = options;
        _stream = new NetworkStream(socket, ownsSocket: true);
        // 16 KiB reads: a 100 KiB body in 7 reads and 7 writes to the client instead of 25 of each with the 4 KiB default.
        // Zero-byte reads: a read waits for the backend's first byte without a block, and takes one only when there is
        // something to read, so the requests waiting for their backend (all of them, at 1,000 connections) hold none.
        _reader = PipeReader.Create(_stream, new StreamPipeReaderOptions(
            pool: UpstreamBufferPool.Blocks, bufferSize: ReadBufferSize, minimumReadSize: 2048, leaveOpen: true, useZeroByteReads: true));
        _writer = PipeWriter.Create(_stream, new StreamPipeWriterOptions(leaveOpen: true));
        _heads = new ResponseHeadParser(options.Limits);
        _chunks = new ChunkedBodyDecoder(options.Limits);
    }

    /// <summary>True only between the clean end of an exchange and the start of the next.</summary>
    public bool Reusable { get; private set; }

    /// <summary>When it went back to the pool (TimeProvider timestamp).</summary>
    public long IdleSince { get; set; }

    /// <summary>
    /// Connects within <see cref="UpstreamOptions.ConnectTimeout"/>. A host name (<see cref="DnsEndPoint"/>) is resolved
    /// and its addresses tried in order, as HttpClient does; the timeout covers the resolution and every attempt.
    /// </summary>
    public static Task<UpstreamConnection> ConnectAsync(EndPoint destination, UpstreamOptions options, CancellationToken cancellation) =>
        ConnectAsync(destination, options, ReadOnlyMemory<byte>.Empty, cancellation);

    /// <summary>
    /// Connects, then sends <paramref name="preface"/> before anything else (a PROXY protocol header), within the same
    /// timeout: a connection whose preface could not be sent never carries a request.
    /// </summary>
    public static async Task<UpstreamConnection> ConnectAsync(EndPoint destination, UpstreamOptions options, ReadOnlyMemory<byte> preface, CancellationToken cancellation)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellation);
        timeout.CancelAfter(options.ConnectTimeout);
        try
        {
            if (destination is not DnsEndPoint named)
            {
                return new UpstreamConnection(await ConnectSocketAsync(destination, preface, timeout.Token), options, preface.Length);
            }

            var addresses = await Dns.GetHostAddressesAsync(named.Host, timeout.Token);
            SocketException? last = null;
            foreach (var address in addresses)
            {
                try
                {
                    return new UpstreamConnection(await ConnectSocketAsync(new IPEndPoint(address, named.Port), preface, timeout.Token), options, preface.Length);
                }
                catch (SocketException e)
                {
                    last = e;
                }
            }

            throw last ?? new SocketException((int)SocketError.HostNotFound);
        }
        catch (Exception e) when (e is SocketException || (e is OperationCanceledException && !cancellation.IsCancellationRequested))
        {
            throw new UpstreamException(UpstreamFailure.ConnectFailed, $"cannot connect to {destination}: {e.Message}", e);
        }
    }

    private static async Task<Socket> ConnectSocketAsync(EndPoint destination, ReadOnlyMemory<byte> preface, CancellationToken cancellation)
    {
        var socket = new Socket(destination.AddressFamily, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        try
        {
            await socket.ConnectAsync(destination, cancellation);
            while (!preface.IsEmpty)
            {
                preface = preface[await socket.SendAsync(preface, SocketFlags.None, cancellation)..];
            }

            return socket;
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    /// <summary>The trailer fields of the last chunked body read (empty otherwise).</summary>
    public HeaderFields Trailers => _chunks.Trailers;

    /// <summary>Why sending the request (its body) failed, once the send has ended; null while it runs or when it went out whole.</summary>
    public Exception? SendFailure => _sending.IsCompleted ? _sending.Result : null;

    /// <summary>
    /// Readies an idle connection for its next exchange by starting the read of its response now, as HttpClient does:
    /// false when anything arrived (bytes, or the backend's close) while it sat idle, since then it must not carry the
    /// next request (a close would fail it, and bytes would be read as its response). The read is one the exchange
    /// needs anyway, so the check costs no system call of its own (a poll before each reuse cost one).
    /// </summary>
    public bool PrepareForReuse(CancellationToken cancellation)
    {
        try
        {
            var ahead = _reader.ReadAsync(cancellation);
            if (!ahead.IsCompleted)
            {
                _readAhead = ahead;
                _readAheadToken = cancellation;
                return true;
            }

            // Completed at once: bytes or the close were already there. Observed, then the caller closes it.
            ahead.GetAwaiter().GetResult();
        }
        catch (Exception e) when (e is IOException or SocketException or ObjectDisposedException or OperationCanceledException)
        {
        }

        return false;
    }

    /// <summary>Sends the request and reads up to the final response head; 1xx heads are read and passed over.</summary>
    public async Task<ResponseHead> SendAsync(UpstreamRequest request, CancellationToken cancellation)
    {
        Reusable = false;
        _head = null;
        _receivedAny = false;
        var refused = RequestHeadWriter.Write(_writer, request.Method, request.Target, request.Host, request.Fields, request.BodyFraming, request.ContentLength);
        if (refused is not null)
        {
            throw new UpstreamException(UpstreamFailure.RequestRefused, refused);
        }

        _heads.Reset(request.IsHead);
        ReleaseSendAbort();
        _sentBeforeExchange = _sent;
        if (!StreamsBody(request))
        {
            // Only the head (and at most "Content-Length: 0"): flushed here, no send running beside the read.
            _sending = NothingSending;
            _sentKnown &= _writer.CanGetUnflushedBytes;
            _sent += _sentKnown ? _writer.UnflushedBytes : 0;
            ThrowIfFailed(await SendBodyAsync(request, cancellation));
            return _head = await ReadFinalHeadAsync(cancellation);
        }

        _sentKnown = false;
        _sendAbort = CancellationTokenSource.CreateLinkedTokenSource(cancellation);
        _sending = SendBodyAsync(request, _sendAbort.Token);

        // The body goes out while the response is read: a backend may answer (413, 401, a redirect) without reading
        // the body, and sending all of it first would hold the exchange until a timeout. Such a connection is not
        // reused (the body did not end cleanly), see CopyBodyToAsync.
        using var reading = CancellationTokenSource.CreateLinkedTokenSource(cancellation);
        var head = ReadFinalHeadAsync(reading.Token);
        if (await Task.WhenAny(_sending, head) == _sending && _sending.Result is { } failure)
        {
            // The client's side failed (or the exchange was cancelled): the backend still waits for the rest of the
            // body, so its answer is not awaited. Otherwise the backend's side failed (it closed or reset, often
            // right after answering early): what it sent before is still read, and stands if it is a whole head.
            if (failure is InvalidDataException or OperationCanceledException)
            {
                await reading.CancelAsync();
            }

            try
            {
                return _head = await head;
            }
            catch (Exception e) when (e is UpstreamException or OperationCanceledException && !cancellation.IsCancellationRequested)
            {
                ThrowIfFailed(failure);
            }
        }

        return _head = await head;
    }

    private static bool StreamsBody(UpstreamRequest request) =>
        request.BodyFraming == RequestBodyFraming.Chunked || (request.BodyFraming == RequestBodyFraming.ContentLength && request.ContentLength > 0);

    /// <summary>
    /// Unlinks the last send's cancellation from the caller's token once that send is over (the caller may reuse its
    /// token source for another exchange, as the forwarder's pooled activity timeout does).
    /// </summary>
    private void ReleaseSendAbort()
    {
        _sendAbort?.Dispose();
        _sendAbort = null;
    }

    /// <summary>Writes the body and flushes; the failure, if any, is returned, so the task never goes unobserved.</summary>
    private async Task<Exception?> SendBodyAsync(UpstreamRequest request, CancellationToken cancellation)
    {
        try
        {
            await UpstreamRequestBody.WriteAsync(_writer, request, cancellation);
            await _writer.FlushAsync(cancellation);
            return null;
        }
        catch (Exception e)
        {
            return e;
        }
    }

    private static void ThrowIfFailed(Exception? failure)
    {
        switch (failure)
        {
            case null:
                return;
            case OperationCanceledException:
                System.Runtime.ExceptionServices.ExceptionDispatchInfo.Throw(failure);
                break;
            default:
                throw new UpstreamException(UpstreamFailure.SendFailed, "sending the request failed: " + failure.Message, failure);
        }
    }

    /// <summary>Reads heads until the final one; 1xx heads are passed over (one async method: one state machine per exchange).</summary>
    private async Task<ResponseHead> ReadFinalHeadAsync(CancellationToken cancellation)
    {
        var interim = 0;
        while (true)
        {
            var read = await ReadAsync(_receivedAny ? UpstreamFailure.InvalidResponse : UpstreamFailure.ClosedBeforeResponse, cancellation);
            var buffer = read.Buffer;
            _receivedAny |= !buffer.IsEmpty;
            var result = _heads.Parse(buffer);
            switch (result.Status)
            {
                case ParseStatus.Complete:
                    _reader.AdvanceTo(buffer.GetPosition(result.Consumed));
                    var head = result.Head!;
                    switch (head.Kind)
                    {
                        case ResponseKind.Final:
                            return head;
                        case ResponseKind.SwitchingProtocols:
                            throw new UpstreamException(UpstreamFailure.UnsupportedResponse, "a 101 to a request that asked for no upgrade");
                    }

                    if (++interim > _options.MaxInterimResponses)
                    {
                        throw new UpstreamException(UpstreamFailure.UnsupportedResponse, $"more than {_options.MaxInterimResponses} interim responses");
                    }

                    continue;
                case ParseStatus.Invalid:
                    throw new UpstreamException(UpstreamFailure.InvalidResponse, "invalid response head: " + result.Error);
            }

            // ClosedBeforeResponse only when not one byte came back for this request (an interim response counts):
            // the pool may send such a request again, and must never send one the backend has seen.
            if (read.IsCompleted)
            {
                throw new UpstreamException(
                    _receivedAny ? UpstreamFailure.InvalidResponse : UpstreamFailure.ClosedBeforeResponse,
                    _receivedAny ? "the backend closed before a complete final response head" : "the backend closed before responding");
            }

            _reader.AdvanceTo(buffer.GetPosition(result.Consumed), buffer.End);
        }
    }

    /// <summary>As <see cref="CopyBodyToAsync(PipeWriter, Action?, CancellationToken)"/>, to a stream.</summary>
    public async Task CopyBodyToAsync(Stream destination, Action? progress, CancellationToken cancellation)
    {
        var writer = PipeWriter.Create(destination, new StreamPipeWriterOptions(leaveOpen: true));
        await CopyBodyToAsync(writer, progress, cancellation);
        await writer.CompleteAsync();
    }

    /// <summary>
    /// Copies the body of the response just read to <paramref name="destination"/>, flushing after each piece, then
    /// decides on reuse. A large delimited body is read from the socket straight into the destination's memory.
    /// </summary>
    public async Task CopyBodyToAsync(PipeWriter destination, Action? progress, CancellationToken cancellation)
    {
        _progress = progress;
        var head = _head ?? throw new InvalidOperationException("no response to read a body from");
        _head = null;
        switch (head.Framing)
        {
            case BodyFraming.ContentLength:
                await CopyContentLengthAsync(head.ContentLength, destination, cancellation);
                break;
            case BodyFraming.Chunked:
                await CopyChunkedAsync(destination, cancellation);
                break;
            case BodyFraming.ReadUntilClose:
                await CopyUntilCloseAsync(destination, cancellation);
                return; // the connection is closed: nothing to reuse
        }

        // The request must have gone out whole too: a backend that answered before reading all of the body has the
        // rest of it in flight, and it would be read as the next request.
        Reusable = _sending.IsCompleted && _sending.Result is null && ConnectionReuse.MayReuse(head, bodyReadToEnd: true, BufferedAfterEnd());
        if (_sending.IsCompleted)
        {
            ReleaseSendAbort();
        }
    }

    private async Task CopyContentLengthAsync(long length, PipeWriter destination, CancellationToken cancellation)
    {
        var remaining = length;

        // What came in with the head first; then a large rest straight from the socket.
        if (remaining > 0 && _reader.TryRead(out var buffered))
        {
            var piece = buffered.Buffer.Slice(0, Math.Min(remaining, buffered.Buffer.Length));
            if (!piece.IsEmpty)
            {
                await WriteAsync(destination, piece, cancellation);
            }

            remaining -= piece.Length;
            _reader.AdvanceTo(piece.End);
        }

        if (remaining >= ReadBufferSize)
        {
            await CopyDirectlyAsync(remaining, destination, cancellation);
            return;
        }

        while (remaining > 0)
        {
            var read = await ReadAsync(UpstreamFailure.BodyTruncated, cancellation);
            var buffer = read.Buffer;
            if (buffer.IsEmpty && read.IsCompleted)
            {
                throw new UpstreamException(UpstreamFailure.BodyTruncated, $"the backend closed {remaining} bytes before the end of the body");
            }

            var piece = buffer.Slice(0, Math.Min(remaining, buffer.Length));
            await WriteAsync(destination, piece, cancellation);
            remaining -= piece.Length;
            _reader.AdvanceTo(piece.End);
        }
    }

    /// <summary>
    /// The rest of a large delimited body, read from the socket straight into the destination's memory, up to 64 KiB
    /// at a time: a 100 KiB body in two or three reads and writes instead of one per 16 KiB pipe segment, and no copy
    /// between them (Kestrel's response pipe hands out one array for a request above its 4 KiB blocks, where a write
    /// of ready bytes is copied into 25 of them). Never a byte past the declared end is read, so the pipe stays in step
    /// for the next exchange (and the idle check still sees any byte the backend sends after the body).
    /// </summary>
    private async Task CopyDirectlyAsync(long remaining, PipeWriter destination, CancellationToken cancellation)
    {
        while (remaining > 0)
        {
            var want = (int)Math.Min(DirectCopyBufferSize, remaining);
            var memory = destination.GetMemory(want);
            int read;
            try
            {
                read = await _stream.ReadAsync(memory[..Math.Min(memory.Length, want)], cancellation);
            }
            catch (Exception e) when (e is IOException or SocketException)
            {
                throw new UpstreamException(UpstreamFailure.BodyTruncated, "reading from the backend failed: " + e.Message, e);
            }

            if (read == 0)
            {
                throw new UpstreamException(UpstreamFailure.BodyTruncated, $"the backend closed {remaining} bytes before the end of the body");
            }

            destination.Advance(read);
            await FlushAsync(destination, cancellation);
            remaining -= read;
        }
    }

    private async Task CopyChunkedAsync(PipeWriter destination, CancellationToken cancellation)
    {
        _chunks.Reset();
        while (true)
        {
            var read = await ReadAsync(UpstreamFailure.BodyTruncated, cancellation);
            var buffer = read.Buffer;
            var step = _chunks.Decode(buffer);
            switch (step.Kind)
            {
                case ChunkedStepKind.Invalid:
                    throw new UpstreamException(UpstreamFailure.InvalidResponse, "invalid chunked body: " + step.Error);
                case ChunkedStepKind.Complete:
                    _reader.AdvanceTo(buffer.GetPosition(step.Consumed));
                    return;
                case ChunkedStepKind.Data:
                    await WriteAsync(destination, buffer.Slice(step.DataOffset, step.DataLength), cancellation);
                    _reader.AdvanceTo(buffer.GetPosition(step.Consumed));
                    continue;
            }

            if (read.IsCompleted)
            {
                throw new UpstreamException(UpstreamFailure.BodyTruncated, "the backend closed inside a chunked body");
            }

            _reader.AdvanceTo(buffer.GetPosition(step.Consumed), buffer.End);
        }
    }

    private async Task CopyUntilCloseAsync(PipeWriter destination, CancellationToken cancellation)
    {
        while (true)
        {
            var read = await ReadAsync(UpstreamFailure.BodyTruncated, cancellation);
            await WriteAsync(destination, read.Buffer, cancellation);
            _reader.AdvanceTo(read.Buffer.End);
            if (read.IsCompleted)
            {
                return;
            }
        }
    }

    /// <summary>Bytes the backend sent past the end of the body that are already here, or -1 when it has closed.</summary>
    private long BufferedAfterEnd()
    {
        if (!_reader.TryRead(out var read))
        {
            return 0;
        }

        var length = read.IsCompleted ? -1 : read.Buffer.Length;
        _reader.AdvanceTo(read.Buffer.Start);
        return length;
    }

    private async ValueTask<ReadResult> ReadAsync(UpstreamFailure failure, CancellationToken cancellation)
    {
        try
        {
            if (_readAhead is not { } ahead)
            {
                return await _reader.ReadAsync(cancellation);
            }

            _readAhead = null;
            if (ahead.IsCompleted || !cancellation.CanBeCanceled || cancellation == _readAheadToken)
            {
                return await ahead;
            }

            // Started under the exchange's token; this read may be cancelled on its own (the head read beside a
            // streamed body): the pending read is cancelled as a read under this token would be.
            ReadResult result;
            using (cancellation.UnsafeRegister(static reader => ((PipeReader)reader!).CancelPendingRead(), _reader))
            {
                result = await ahead;
            }

            cancellation.ThrowIfCancellationRequested();
            return result;
        }
        catch (Exception e) when (e is IOException or SocketException)
        {
            throw new UpstreamException(failure, "reading from the backend failed: " + e.Message, e);
        }
    }

    private async ValueTask WriteAsync(PipeWriter destination, ReadOnlySequence<byte> data, CancellationToken cancellation)
    {
        // WriteAsync, not Write and one flush: Kestrel's writer copies a first write of a response that has not started
        // straight behind its head, where bytes written before the start would be copied twice.
        foreach (var segment in data)
        {
            ThrowIfCanceled(await destination.WriteAsync(segment, cancellation));
        }

        _progress?.Invoke();
    }

    private async ValueTask FlushAsync(PipeWriter destination, CancellationToken cancellation)
    {
        ThrowIfCanceled(await destination.FlushAsync(cancellation));
        _progress?.Invoke();
    }

    private static void ThrowIfCanceled(FlushResult flushed)
    {
        if (flushed.IsCanceled)
        {
            throw new OperationCanceledException("the write to the client was canceled");
        }
    }

    /// <summary>Closes at once, from the pool's synchronous paths (an idle connection has no pending I/O to wait for).</summary>
    public void Close()
    {
        Reusable = false;
        _reader.Complete();
        _writer.Complete();
        _stream.Dispose();
    }

    public async ValueTask DisposeAsync()
    {
        Reusable = false;

        // A body still being sent stops (its read from the client is cancelled, its flush fails on the closed stream)
        // before the writer it uses is completed.
        if (_sendAbort is not null)
        {
            await _sendAbort.CancelAsync();
        }

        await _stream.DisposeAsync();
        if (_readAhead is { } ahead)
        {
            // The closed stream ends the read started for an exchange that never read (its send failed).
            _readAhead = null;
            try
            {
                await ahead;
            }
            catch (Exception e) when (e is IOException or SocketException or ObjectDisposedException or OperationCanceledException)
            {
            }
        }

        await _sending;
        _sendAbort?.Dispose();
        await _reader.CompleteAsync();
        try
        {
            await _writer.CompleteAsync(); // flushes what an unfinished body left buffered, into the closed stream
        }
        catch (Exception e) when (e is ObjectDisposedException or IOException)
        {
        }
    }
}
