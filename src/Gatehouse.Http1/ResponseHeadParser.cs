using System.Buffers;

namespace Gatehouse.Http1;

/// <summary>
/// The strict, incremental parser of HTTP/1.x response heads: a security boundary between a backend and the clients.
/// Feed it the bytes read so far; it consumes whole lines, copies them, and answers NeedMoreData, Complete or Invalid.
/// After Complete it is ready for the next head on the connection (the final one after a 1xx). After Invalid it keeps
/// answering Invalid: the connection is unusable. One parser per connection; not thread-safe.
/// </summary>
public sealed class ResponseHeadParser
{
    private readonly Http1Limits _limits;
    private readonly FieldBlockBuilder _builder = new();
    private bool _requestWasHead;
    private long _headBytes;
    private bool _statusLineRead;
    private int _minorVersion;
    private int _statusCode;
    private Range _reason;
    private string? _failure;
    private long _searched;

    public ResponseHeadParser(Http1Limits? limits = null) => _limits = limits ?? Http1Limits.Default;

    /// <summary>Starts reading the response to a new request; a response to HEAD has no body whatever it declares.</summary>
    public void Reset(bool requestWasHead)
    {
        _requestWasHead = requestWasHead;
        _failure = null;
        _searched = 0;
        StartHead();
    }

    /// <summary>
    /// Parses what <paramref name="input"/> adds to the head. The input must start at the first byte not yet reported
    /// consumed, as a Pipe's next read does after AdvanceTo(consumed, examined: end).
    /// </summary>
    public HeadParseResult Parse(ReadOnlySequence<byte> input)
    {
        if (_failure is not null)
        {
            return HeadParseResult.Invalid(0, _failure);
        }

        long consumed = 0;
        while (true)
        {
            var rest = input.Slice(consumed);
            var scan = LineScanner.Next(rest, Math.Min(_searched, rest.Length), _limits.MaxHeadBytes - _headBytes, out var line, out var lineBytes);
            switch (scan)
            {
                case LineScan.NeedMoreData:
                    _searched = rest.Length;
                    return HeadParseResult.NeedMoreData(consumed);
                case LineScan.TooLong:
                    return Fail(consumed, $"the response head is larger than {_limits.MaxHeadBytes} bytes");
                case LineScan.BareLineFeed:
                    return Fail(consumed, "a line of the response head ends in a bare LF");
            }

            _searched = 0;
            consumed += lineBytes;
            _headBytes += lineBytes;
            if (!_statusLineRead)
            {
                var at = _builder.Append(line);
                var statusError = StatusLine.TryParse(_builder.Span(at), out _minorVersion, out _statusCode, out var reason);
                if (statusError is not null)
                {
                    return Fail(consumed, statusError);
                }

                _reason = new Range(at.Start.Value + reason.Start.Value, at.Start.Value + reason.End.Value);
                _statusLineRead = true;
                continue;
            }

            if (line.IsEmpty)
            {
                return Finish(consumed);
            }

            if (_builder.FieldCount >= _limits.MaxFields)
            {
                return Fail(consumed, $"the response head has more than {_limits.MaxFields} fields");
            }

            var fieldError = _builder.AddField(line);
            if (fieldError is not null)
            {
                return Fail(consumed, fieldError);
            }
        }
    }

    private HeadParseResult Finish(long consumed)
    {
        var fields = _builder.Build();
        var error = ResponseFraming.Decide(_minorVersion, _statusCode, _requestWasHead, fields, out var framing);
        if (error is not null)
        {
            return Fail(consumed, error);
        }

        var head = new ResponseHead(_minorVersion, _statusCode, _reason, fields, framing);
        StartHead();
        return new HeadParseResult(ParseStatus.Complete, consumed, head, null);
    }

    private HeadParseResult Fail(long consumed, string error)
    {
        _failure = error;
        return HeadParseResult.Invalid(consumed, error);
    }

    private void StartHead()
    {
        _builder.Reset();
        _headBytes = 0;
        _statusLineRead = false;
    }
}
