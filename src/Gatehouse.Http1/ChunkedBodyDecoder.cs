using System.Buffers;

namespace Gatehouse.Http1;

/// <summary>
/// The incremental decoder of the chunked transfer coding (RFC 9112 §7.1): a security boundary like the head parser,
/// since a chunk boundary that two parsers place differently is a smuggled response. It hands out the data in place
/// (no copy) one piece per call. The caller passes the bytes from the first one not yet consumed, as a Pipe does.
/// One decoder per connection, reset for each body; not thread-safe.
/// </summary>
public sealed class ChunkedBodyDecoder
{
    private enum State
    {
        SizeLine,
        Data,
        DataCrlf,
        Trailers,
        Done,
        Failed,
    }

    private readonly Http1Limits _limits;
    private readonly FieldBlockBuilder _trailers = new();
    private readonly byte[] _lineCopy;
    private State _state;
    private long _remaining;
    private long _searched;
    private long _trailerBytes;
    private string? _failure;

    public ChunkedBodyDecoder(Http1Limits? limits = null)
    {
        _limits = limits ?? Http1Limits.Default;
        _lineCopy = new byte[_limits.MaxChunkLineBytes];
    }

    /// <summary>The trailer fields, once <see cref="ChunkedStepKind.Complete"/> was returned.</summary>
    public HeaderFields Trailers { get; private set; } = HeaderFields.Empty;

    /// <summary>Every data byte handed out for this body so far.</summary>
    public long BodyBytes { get; private set; }

    public void Reset()
    {
        _state = State.SizeLine;
        _remaining = 0;
        _searched = 0;
        _trailerBytes = 0;
        _failure = null;
        BodyBytes = 0;
        Trailers = HeaderFields.Empty;
        _trailers.Reset();
    }

    public ChunkedStep Decode(ReadOnlySequence<byte> input)
    {
        long consumed = 0;
        while (true)
        {
            var rest = input.Slice(consumed);
            switch (_state)
            {
                case State.Failed:
                    return Invalid(_failure!);
                case State.Done:
                    return new ChunkedStep(ChunkedStepKind.Complete, consumed, 0, 0, null);
                case State.Data:
                    if (rest.IsEmpty)
                    {
                        return new ChunkedStep(ChunkedStepKind.NeedMoreData, consumed, 0, 0, null);
                    }

                    var length = Math.Min(_remaining, rest.Length);
                    _remaining -= length;
                    BodyBytes += length;
                    if (_remaining == 0)
                    {
                        _state = State.DataCrlf;
                    }

                    return new ChunkedStep(ChunkedStepKind.Data, consumed + length, consumed, length, null);
                case State.DataCrlf:
                    // Checked byte by byte so that garbage fails as soon as it arrives, the same however it is split.
                    if (!rest.IsEmpty && rest.FirstSpan[0] != (byte)'\r')
                    {
                        return Fail("chunk data not followed by CRLF");
                    }

                    if (rest.Length < 2)
                    {
                        return new ChunkedStep(ChunkedStepKind.NeedMoreData, consumed, 0, 0, null);
                    }

                    if (rest.Slice(1).FirstSpan[0] != (byte)'\n')
                    {
                        return Fail("chunk data not followed by CRLF");
                    }

                    consumed += 2;
                    _state = State.SizeLine;
                    break;
                default:
                    var step = ReadLine(rest, ref consumed);
                    if (step is not null)
                    {
                        return step.Value;
                    }

                    break;
            }
        }
    }

    /// <summary>Reads one size line or trailer line; a step to return, or null to go on.</summary>
    private ChunkedStep? ReadLine(ReadOnlySequence<byte> rest, ref long consumed)
    {
        var inTrailers = _state == State.Trailers;
        var budget = inTrailers ? _limits.MaxTrailerBytes - _trailerBytes : _limits.MaxChunkLineBytes;
        switch (LineScanner.Next(rest, Math.Min(_searched, rest.Length), budget, out var line, out var lineBytes))
        {
            case LineScan.NeedMoreData:
                _searched = rest.Length;
                return new ChunkedStep(ChunkedStepKind.NeedMoreData, consumed, 0, 0, null);
            case LineScan.TooLong:
                return Fail(inTrailers
                    ? $"the trailer section is larger than {_limits.MaxTrailerBytes} bytes"
                    : $"a chunk-size line is longer than {_limits.MaxChunkLineBytes} bytes");
            case LineScan.BareLineFeed:
                return Fail(inTrailers ? "a trailer line ends in a bare LF" : "a chunk-size line ends in a bare LF");
        }

        _searched = 0;
        consumed += lineBytes;
        if (inTrailers)
        {
            _trailerBytes += lineBytes;
            return ReadTrailerLine(line, consumed);
        }

        line.CopyTo(_lineCopy);
        var error = ChunkSizeLine.TryParse(_lineCopy.AsSpan(0, (int)line.Length), out var size);
        if (error is not null)
        {
            return Fail(error);
        }

        _remaining = size;
        _state = size == 0 ? State.Trailers : State.Data;
        return null;
    }

    private ChunkedStep? ReadTrailerLine(ReadOnlySequence<byte> line, long consumed)
    {
        if (line.IsEmpty)
        {
            _state = State.Done;
            Trailers = _trailers.Build();
            return new ChunkedStep(ChunkedStepKind.Complete, consumed, 0, 0, null);
        }

        if (_trailers.FieldCount >= _limits.MaxFields)
        {
            return Fail($"the trailer section has more than {_limits.MaxFields} fields");
        }

        var error = _trailers.AddField(line);
        return error is null ? null : Fail("trailer: " + error);
    }

    private ChunkedStep Fail(string error)
    {
        _state = State.Failed;
        _failure = error;
        return Invalid(error);
    }

    private static ChunkedStep Invalid(string error) => new(ChunkedStepKind.Invalid, 0, 0, 0, error);
}
