using System.Buffers;
using System.Diagnostics.Metrics;
using System.IO.Pipelines;
using System.Runtime.CompilerServices;
using Gatehouse.Http;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Connections.Features;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.AspNetCore.Server.Kestrel.Core.Features;

namespace Gatehouse.Protection.Http2Frames;

/// <summary>
/// The HTTP/2 frame guard (docs/protection.md, "HTTP/2 frame budget"): a connection middleware between the socket (or
/// TLS) and Kestrel's HTTP/2 code. It reads the frame headers on the way in and out (<see cref="Http2FrameScanner"/>),
/// charges the client's frames to the connection's <see cref="Http2FrameBudget"/>, and when a budget is spent it stops
/// feeding Kestrel: Kestrel sees the end of the input, aborts the open streams and writes its GOAWAY, whose error code
/// the guard turns into ENHANCE_YOUR_CALM on the way out; the connection is then read (and the bytes dropped) for up to
/// a second before it closes, so the GOAWAY is not lost to a TCP reset. The read that spent the budget is not given
/// to Kestrel at all: the requests in it are never started, and the GOAWAY's last stream ID tells the client so.
/// </summary>
internal static partial class Http2FrameGuard
{
    /// <summary>The log category of the guard's events, one of the protocol-noise categories (counted, written at debug).</summary>
    public const string LogCategory = "Gatehouse.Http2";

    /// <summary>How long a connection cut by the guard is still read, so that its GOAWAY arrives.</summary>
    public static readonly TimeSpan LingerTime = TimeSpan.FromSeconds(1);

    /// <summary>How much of it is read at most in that time.</summary>
    public const long LingerBytes = 1024 * 1024;

    private static readonly byte[] AlpnH2 = "h2"u8.ToArray();

    /// <summary>
    /// Guards the listener's HTTP/2 connections: those that negotiated <c>h2</c> over TLS, and all of them on an h2c
    /// (prior knowledge) listener. Nothing is added when both budgets are off.
    /// </summary>
    public static void UseHttp2FrameGuard(this ListenOptions listen, Http2FrameLimits limits, bool priorKnowledge)
    {
        if (!limits.Enabled)
        {
            return;
        }

        var services = listen.ApplicationServices;
        var time = services.GetRequiredService<TimeProvider>();
        var logger = services.GetRequiredService<ILoggerFactory>().CreateLogger(LogCategory);
        var closes = services.GetRequiredService<IMeterFactory>().Create(GatehouseTelemetry.MeterName).CreateCounter<long>(
            "gatehouse.http2.budget_closes", "{connection}",
            "HTTP/2 connections closed with GOAWAY(ENHANCE_YOUR_CALM) because they spent a limits.http2 budget, by the frame type that spent it.");
        listen.Use(next => connection =>
        {
            var h2 = connection.Features.Get<ITlsApplicationProtocolFeature>() is { } alpn
                ? alpn.ApplicationProtocol.Span.SequenceEqual(AlpnH2)
                : priorKnowledge;
            return h2 ? GuardAsync(connection, next, limits, time, logger, closes) : next(connection);
        });
    }

    private static async Task GuardAsync(ConnectionContext connection, ConnectionDelegate next, Http2FrameLimits limits, TimeProvider time,
        ILogger logger, Counter<long> closes)
    {
        var transport = connection.Transport;
        var guard = new Http2ConnectionGuard(new Http2FrameBudget(limits, time.GetTimestamp(), time.TimestampFrequency), time);
        ClientResets.Watch(connection.Items, guard);
        connection.Transport = new GuardedPipe(new GuardedInput(transport.Input, guard, time), new GuardedOutput(transport.Output, guard));
        try
        {
            await next(connection);
        }
        finally
        {
            connection.Transport = transport;
        }

        if (guard.Stopped)
        {
            var frame = guard.Budget.SpentOn ?? "?";
            closes.Add(1, new KeyValuePair<string, object?>("frame", frame));
            BudgetSpent(logger, connection.ConnectionId, connection.RemoteEndPoint?.ToString() ?? "?", frame);
            await LingerAsync(transport.Input, time);
            await transport.Input.CompleteAsync();
        }
    }

    /// <summary>Reads and drops what the client still sends, for a bounded time and size, so that closing does not reset.</summary>
    private static async Task LingerAsync(PipeReader input, TimeProvider time)
    {
        using var stop = new CancellationTokenSource(LingerTime, time);
        var read = 0L;
        try
        {
            while (read < LingerBytes)
            {
                var result = await input.ReadAsync(stop.Token);
                read += result.Buffer.Length;
                input.AdvanceTo(result.Buffer.End);
                if (result.IsCompleted)
                {
                    return;
                }
            }
        }
        catch (Exception ex) when (ex is OperationCanceledException or IOException or ConnectionAbortedException or InvalidOperationException)
        {
            // The time is up, or the client went away: either way, done.
        }
    }

    [LoggerMessage(EventId = 1120, Level = LogLevel.Warning,
        Message = "HTTP/2 connection {ConnectionId} from {Client} spent its limits.http2 budget on {Frame} frames; closed with GOAWAY(ENHANCE_YOUR_CALM)")]
    private static partial void BudgetSpent(ILogger logger, string connectionId, string client, string frame);

    private sealed class GuardedPipe(PipeReader input, PipeWriter output) : IDuplexPipe
    {
        public PipeReader Input { get; } = input;

        public PipeWriter Output { get; } = output;
    }
}

/// <summary>One guarded connection's state, shared by its two directions and read by its requests.</summary>
internal sealed class Http2ConnectionGuard(Http2FrameBudget budget, TimeProvider time) : IHttp2StreamWatch
{
    /// <summary>The longest a request waits for the guard to catch up with its connection's input before it is forwarded.</summary>
    public static readonly TimeSpan CatchUpLimit = TimeSpan.FromMilliseconds(100);

    /// <summary>How many more reads past the request's suffice when the input never pauses (a long upload beside it).</summary>
    private const long ReadsPast = 2;

    // The stream IDs of the RST_STREAM frames seen most recently, newest overwriting oldest (allocated at the first one).
    // An ID pushed out of it belongs to a reset Kestrel has long since acted on.
    private const int RecentResets = 256;
    private int[]? _resets;
    private int _nextReset;
    private volatile bool _stopped;

    // Reads given to Kestrel so far, and how many had been given when the guard last found no more input waiting.
    private long _delivered;
    private long _caughtUp;
    private readonly Lock _lock = new();
    private TaskCompletionSource? _progress;

    public Http2FrameBudget Budget { get; } = budget;

    /// <summary>Whether a budget was spent: nothing more of the client's input reaches Kestrel.</summary>
    public bool Stopped => _stopped;

    public void Stop()
    {
        _stopped = true;
        Progress();
    }

    /// <summary>Called by the input side only (one reader at a time).</summary>
    public void RecordReset(int streamId)
    {
        var resets = _resets ?? Interlocked.CompareExchange(ref _resets, new int[RecentResets], null) ?? _resets;
        Volatile.Write(ref resets[_nextReset], streamId);
        _nextReset = (_nextReset + 1) % RecentResets;
    }

    public bool WasReset(int streamId) => streamId > 0 && Volatile.Read(ref _resets) is { } resets && resets.AsSpan().Contains(streamId);

    /// <summary>The input side gave Kestrel one more read (after scanning it).</summary>
    public void Delivered()
    {
        Interlocked.Increment(ref _delivered);
        Progress();
    }

    /// <summary>The input side found nothing more waiting: everything received so far has been scanned.</summary>
    public void CaughtUp()
    {
        Volatile.Write(ref _caughtUp, Volatile.Read(ref _delivered));
        Progress();
    }

    /// <summary>
    /// Whether the stream must not be forwarded: the client reset it, or the connection is being cut. The stream's
    /// HEADERS was given to Kestrel in a read no later than the last one; an RST_STREAM the client sent right after
    /// it may be in the next read, not scanned yet (Kestrel hands TLS records to the guard 4 KB at a time). So the
    /// answer waits until the guard has caught up with everything received, or scanned two more reads, at most
    /// <see cref="CatchUpLimit"/>; it is at once when the guard has already caught up, as it almost always has.
    /// </summary>
    public ValueTask<bool> RefusesAsync(int streamId, CancellationToken cancellationToken)
    {
        var delivered = Volatile.Read(ref _delivered);
        var refused = Stopped || WasReset(streamId);
        return refused || Volatile.Read(ref _caughtUp) >= delivered
            ? ValueTask.FromResult(refused)
            : WaitAsync(streamId, delivered, cancellationToken);
    }

    private async ValueTask<bool> WaitAsync(int streamId, long delivered, CancellationToken cancellationToken)
    {
        var deadline = time.GetTimestamp() + (long)(CatchUpLimit.TotalSeconds * time.TimestampFrequency);
        while (!Stopped && !WasReset(streamId) && Volatile.Read(ref _caughtUp) < delivered && Volatile.Read(ref _delivered) < delivered + ReadsPast)
        {
            Task progress;
            lock (_lock)
            {
                if (Volatile.Read(ref _caughtUp) >= delivered || Volatile.Read(ref _delivered) >= delivered + ReadsPast || Stopped)
                {
                    break;
                }

                progress = (_progress ??= new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)).Task;
            }

            var left = deadline - time.GetTimestamp();
            if (left <= 0)
            {
                break;
            }

            try
            {
                await progress.WaitAsync(TimeSpan.FromSeconds((double)left / time.TimestampFrequency), time, cancellationToken);
            }
            catch (Exception ex) when (ex is TimeoutException or OperationCanceledException)
            {
                // Out of time, or the request was cancelled meanwhile (the caller checks that next).
                break;
            }
        }

        return Stopped || WasReset(streamId);
    }

    private void Progress()
    {
        if (Volatile.Read(ref _progress) is null)
        {
            return;
        }

        TaskCompletionSource? waiting;
        lock (_lock)
        {
            waiting = _progress;
            _progress = null;
        }

        waiting?.TrySetResult();
    }
}

/// <summary>The client's bytes on their way to Kestrel: frame headers charged to the budget; the input ends where it is spent.</summary>
internal sealed class GuardedInput(PipeReader inner, Http2ConnectionGuard guard, TimeProvider time) : PipeReader
{
    private readonly Http2FrameScanner _scanner = new(clientDirection: true);
    private ReadOnlySequence<byte> _last;

    // Positions in the input as a whole: what Kestrel consumed, what the guard has read, and where the input was cut.
    private long _consumed;
    private long _scanned;
    private long _cutAt = -1;
    private bool _completed;

    // Whether the inner reader gave a result that has not been advanced past yet.
    private bool _innerRead;

    public override ValueTask<ReadResult> ReadAsync(CancellationToken cancellationToken = default)
    {
        if (_cutAt >= 0)
        {
            return ValueTask.FromResult(Ended());
        }

        var read = inner.ReadAsync(cancellationToken);
        if (read.IsCompletedSuccessfully)
        {
            return ValueTask.FromResult(Inspect(read.Result));
        }

        // Nothing more was waiting: every byte received so far has been scanned.
        guard.CaughtUp();
        return AwaitAsync(read);
    }

    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    private async ValueTask<ReadResult> AwaitAsync(ValueTask<ReadResult> read) => Inspect(await read);

    public override bool TryRead(out ReadResult result)
    {
        if (_cutAt >= 0)
        {
            result = Ended();
            return true;
        }

        if (!inner.TryRead(out var read))
        {
            guard.CaughtUp();
            result = default;
            return false;
        }

        result = Inspect(read);
        return true;
    }

    public override void AdvanceTo(SequencePosition consumed) => AdvanceTo(consumed, consumed);

    public override void AdvanceTo(SequencePosition consumed, SequencePosition examined)
    {
        if (!_innerRead)
        {
            // The empty end of a cut input (Ended): no read of the inner reader to end.
            return;
        }

        _innerRead = false;
        _consumed += _last.Slice(_last.Start, consumed).Length;
        _last = default;
        inner.AdvanceTo(consumed, examined);
    }

    public override void CancelPendingRead() => inner.CancelPendingRead();

    public override void Complete(Exception? exception = null)
    {
        // A cut connection's input is still read for a moment after Kestrel is done (Http2FrameGuard lingers), then completed.
        if (!guard.Stopped && !_completed)
        {
            _completed = true;
            inner.Complete(exception);
        }
    }

    public override ValueTask CompleteAsync(Exception? exception = null)
    {
        Complete(exception);
        return ValueTask.CompletedTask;
    }

    private ReadResult Inspect(ReadResult result)
    {
        _innerRead = true;
        var buffer = result.Buffer;
        _last = buffer;
        var seen = _scanned - _consumed;
        if (buffer.Length <= seen)
        {
            return result;
        }

        var timestamp = time.GetTimestamp();
        foreach (var segment in buffer.Slice(seen))
        {
            var span = segment.Span;
            while (!span.IsEmpty)
            {
                var step = _scanner.Step(span, out var header);
                span = span[step..];
                if (header is not { } frame)
                {
                    continue;
                }

                if (frame.Type == Http2FrameHeader.RstStream)
                {
                    guard.RecordReset(frame.StreamId);
                }

                if (!guard.Budget.OnClientFrame(frame, timestamp))
                {
                    // None of this read reaches Kestrel: it ends at what it had already been given.
                    guard.Stop();
                    _cutAt = _consumed + seen;
                    _scanned = _cutAt;
                    return new ReadResult(buffer.Slice(0, seen), isCanceled: false, isCompleted: true);
                }
            }
        }

        _scanned = _consumed + buffer.Length;
        guard.Delivered();
        return result;
    }

    private ReadResult Ended()
    {
        if (_consumed < _cutAt && inner.TryRead(out var read))
        {
            _innerRead = true;
            _last = read.Buffer;
            return new ReadResult(read.Buffer.Slice(0, Math.Min(read.Buffer.Length, _cutAt - _consumed)), isCanceled: false, isCompleted: true);
        }

        _last = default;
        return new ReadResult(default, isCanceled: false, isCompleted: true);
    }
}

/// <summary>Kestrel's bytes on their way out: frame headers counted (DATA and END_STREAM refill the budget); once the
/// connection is cut, Kestrel's GOAWAY(NO_ERROR) goes out as GOAWAY(ENHANCE_YOUR_CALM).</summary>
internal sealed class GuardedOutput(PipeWriter inner, Http2ConnectionGuard guard) : PipeWriter
{
    private const byte EnhanceYourCalm = 0x0b;

    private readonly Http2FrameScanner _scanner = new(clientDirection: false);
    private Memory<byte> _memory;
    private bool _goAwayCodeZero;

    public override Memory<byte> GetMemory(int sizeHint = 0) => _memory = inner.GetMemory(sizeHint);

    public override Span<byte> GetSpan(int sizeHint = 0) => (_memory = inner.GetMemory(sizeHint)).Span;

    public override void Advance(int bytes)
    {
        var written = _memory.Span[..bytes];
        _memory = _memory[bytes..];
        while (!written.IsEmpty)
        {
            var patch = _scanner.InPayload && _scanner.Current.Type == Http2FrameHeader.GoAway && guard.Stopped;
            var offset = _scanner.PayloadOffset;
            var step = _scanner.Step(written, out var header);
            if (patch)
            {
                Patch(written[..step], offset);
            }
            else if (header is { } frame)
            {
                guard.Budget.OnServerFrame(frame);
                _goAwayCodeZero = true;
            }

            written = written[step..];
        }

        inner.Advance(bytes);
    }

    // The GOAWAY payload is the last stream ID (bytes 0-3) and the error code (4-7); NO_ERROR becomes ENHANCE_YOUR_CALM.
    private void Patch(Span<byte> payload, int offset)
    {
        for (var i = 0; i < payload.Length; i++)
        {
            var at = offset + i;
            if (at is >= 4 and < 7)
            {
                _goAwayCodeZero &= payload[i] == 0;
            }
            else if (at == 7 && _goAwayCodeZero && payload[i] == 0)
            {
                payload[i] = EnhanceYourCalm;
            }
        }
    }

    public override ValueTask<FlushResult> FlushAsync(CancellationToken cancellationToken = default) => inner.FlushAsync(cancellationToken);

    public override void CancelPendingFlush() => inner.CancelPendingFlush();

    public override void Complete(Exception? exception = null) => inner.Complete(exception);

    public override ValueTask CompleteAsync(Exception? exception = null) => inner.CompleteAsync(exception);

    public override bool CanGetUnflushedBytes => inner.CanGetUnflushedBytes;

    public override long UnflushedBytes => inner.UnflushedBytes;
}
