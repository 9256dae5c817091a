namespace Gatehouse.Protection.Http2Frames;

/// <summary>The per-connection budgets of <c>limits.http2</c>; 0 turns one off.</summary>
public sealed record Http2FrameLimits(int MaxControlFrames, double ControlFramesPerSecond, int MaxResets)
{
    public bool Enabled => MaxControlFrames > 0 || MaxResets > 0;
}

/// <summary>
/// What an HTTP/2 client may spend, per connection, on frames that cost the server work without carrying a request
/// (the frame guard, docs/protection.md "HTTP/2 frame budget"). A pure decision: fed frame headers and timestamps, it
/// says when a budget is spent; the guard then ends the connection with GOAWAY(ENHANCE_YOUR_CALM).
/// <list type="bullet">
/// <item>Control frames (SETTINGS, PING, PRIORITY, GOAWAY, frame types Gatehouse does not know, empty DATA without
/// END_STREAM, empty HEADERS, empty CONTINUATION without END_HEADERS, and WINDOW_UPDATEs beyond two per DATA frame the
/// server sent) take one token each from a bucket of <c>MaxControlFrames</c>, refilled at <c>ControlFramesPerSecond</c>
/// (Envoy's flood limits and nginx's flood check answer the same attacks).</item>
/// <item>RST_STREAMs take one token each from a bucket of <c>MaxResets</c>, refilled by one for every stream the server
/// completes (END_STREAM sent): a client that resets what it asks for (rapid reset, CVE-2023-44487) runs out, one whose
/// streams mostly complete does not (Envoy's "premature reset" check works on the same ratio).</item>
/// </list>
/// The client side (<see cref="OnClientFrame"/>) is called by one reader at a time; the server side
/// (<see cref="OnServerFrame"/>) may run on another thread at the same time.
/// </summary>
public sealed class Http2FrameBudget
{
    /// <summary>WINDOW_UPDATEs a client may send for free per DATA frame the server sent (a stream's and the connection's).</summary>
    public const int WindowUpdatesPerDataFrame = 2;

    /// <summary>How many free WINDOW_UPDATEs a client can have earned and not yet sent: a long download does not bank a flood.</summary>
    public const int MaxBankedWindowUpdates = 2000;

    private readonly Http2FrameLimits _limits;
    private readonly long _frequency;
    private double _controlTokens;
    private long _lastRefill;
    private long _resetTokens;
    private long _windowUpdateTokens;
    private long _dataFramesCounted;
    private long _streamsEndedCounted;

    // Written by the server side.
    private long _dataFramesSent;
    private long _streamsEnded;

    public Http2FrameBudget(Http2FrameLimits limits, long startTimestamp, long timestampFrequency)
    {
        _limits = limits;
        _frequency = timestampFrequency;
        _controlTokens = limits.MaxControlFrames;
        _resetTokens = limits.MaxResets;
        _lastRefill = startTimestamp;
    }

    /// <summary>The frame type that spent a budget ("PING", "RST_STREAM"…), once one is spent; null until then.</summary>
    public string? SpentOn { get; private set; }

    /// <summary>Charges one frame the client sent; false when it spends a budget (and every frame after it).</summary>
    public bool OnClientFrame(Http2FrameHeader frame, long timestamp)
    {
        if (SpentOn is not null)
        {
            return false;
        }

        var cost = Classify(frame);
        if (cost == Cost.Reset)
        {
            if (_limits.MaxResets <= 0)
            {
                return true;
            }

            var ended = Volatile.Read(ref _streamsEnded);
            _resetTokens = Math.Min(_limits.MaxResets, _resetTokens + (ended - _streamsEndedCounted));
            _streamsEndedCounted = ended;
            if (_resetTokens > 0)
            {
                _resetTokens--;
                return true;
            }

            return Spend(frame);
        }

        if (cost == Cost.WindowUpdate)
        {
            var sent = Volatile.Read(ref _dataFramesSent);
            _windowUpdateTokens = Math.Min(MaxBankedWindowUpdates, _windowUpdateTokens + (WindowUpdatesPerDataFrame * (sent - _dataFramesCounted)));
            _dataFramesCounted = sent;
            if (_windowUpdateTokens > 0)
            {
                _windowUpdateTokens--;
                return true;
            }

            cost = Cost.Control;
        }

        if (cost == Cost.Control && _limits.MaxControlFrames > 0)
        {
            if (timestamp > _lastRefill)
            {
                var elapsed = (double)(timestamp - _lastRefill) / _frequency;
                _controlTokens = Math.Min(_limits.MaxControlFrames, _controlTokens + (elapsed * _limits.ControlFramesPerSecond));
                _lastRefill = timestamp;
            }

            if (_controlTokens < 1)
            {
                return Spend(frame);
            }

            _controlTokens--;
        }

        return true;
    }

    /// <summary>Counts one frame the server sent: DATA earns WINDOW_UPDATEs, END_STREAM earns a reset back.</summary>
    public void OnServerFrame(Http2FrameHeader frame)
    {
        if (frame.Type == Http2FrameHeader.Data)
        {
            Interlocked.Increment(ref _dataFramesSent);
        }

        if (frame.Type is Http2FrameHeader.Data or Http2FrameHeader.Headers && frame.Has(Http2FrameHeader.EndStreamOrAck))
        {
            Interlocked.Increment(ref _streamsEnded);
        }
    }

    private bool Spend(Http2FrameHeader frame)
    {
        SpentOn = Name(frame.Type);
        return false;
    }

    private enum Cost
    {
        None,
        Control,
        Reset,
        WindowUpdate,
    }

    private static Cost Classify(Http2FrameHeader frame) => frame.Type switch
    {
        Http2FrameHeader.Data => frame.Length == 0 && !frame.Has(Http2FrameHeader.EndStreamOrAck) ? Cost.Control : Cost.None,
        Http2FrameHeader.Headers => frame.Length == 0 ? Cost.Control : Cost.None,
        Http2FrameHeader.Continuation => frame.Length == 0 && !frame.Has(Http2FrameHeader.EndHeaders) ? Cost.Control : Cost.None,
        Http2FrameHeader.RstStream => Cost.Reset,
        Http2FrameHeader.WindowUpdate => Cost.WindowUpdate,
        // A PUSH_PROMISE from a client is a connection error Kestrel raises at once.
        Http2FrameHeader.PushPromise => Cost.None,
        _ => Cost.Control,
    };

    /// <summary>The frame type's name in RFC 9113, or its number for an extension frame.</summary>
    public static string Name(byte type) => type switch
    {
        Http2FrameHeader.Data => "DATA",
        Http2FrameHeader.Headers => "HEADERS",
        Http2FrameHeader.Priority => "PRIORITY",
        Http2FrameHeader.RstStream => "RST_STREAM",
        Http2FrameHeader.Settings => "SETTINGS",
        Http2FrameHeader.PushPromise => "PUSH_PROMISE",
        Http2FrameHeader.Ping => "PING",
        Http2FrameHeader.GoAway => "GOAWAY",
        Http2FrameHeader.WindowUpdate => "WINDOW_UPDATE",
        Http2FrameHeader.Continuation => "CONTINUATION",
        _ => $"type 0x{type:x2}",
    };
}
