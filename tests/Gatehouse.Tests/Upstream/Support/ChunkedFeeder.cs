using System.Text;
using Gatehouse.Http1;

namespace Gatehouse.Tests.Upstream.Support;

/// <summary>One decode of a chunked body, reduced to what must not depend on how the bytes were split.</summary>
public sealed record ChunkedOutcome(ChunkedStepKind Kind, string Body, long Consumed, string? Trailers, string? Error);

/// <summary>Feeds a chunked body to a decoder piece by piece, copying the data out the way a connection does.</summary>
public static class ChunkedFeeder
{
    public static ChunkedOutcome Feed(IEnumerable<byte[]> pieces, Http1Limits? limits = null)
    {
        var decoder = new ChunkedBodyDecoder(limits);
        decoder.Reset();
        var body = new List<byte>();
        var pending = new List<ReadOnlyMemory<byte>>();
        long consumed = 0;
        foreach (var piece in pieces)
        {
            pending.Add(piece);
            while (true)
            {
                var input = Segments.Of(pending);
                var step = decoder.Decode(input);
                if (step.Consumed < 0 || step.Consumed > input.Length || step.DataOffset < 0 || step.DataLength < 0
                    || step.DataOffset + step.DataLength > step.Consumed)
                {
                    throw new InvalidOperationException($"step {step} out of an input of {input.Length} bytes");
                }

                consumed += step.Consumed;
                switch (step.Kind)
                {
                    case ChunkedStepKind.Invalid:
                        return new ChunkedOutcome(step.Kind, "", 0, null, step.Error);
                    case ChunkedStepKind.Complete:
                        if (decoder.BodyBytes != body.Count)
                        {
                            throw new InvalidOperationException($"decoder counted {decoder.BodyBytes} bytes, handed out {body.Count}");
                        }

                        return new ChunkedOutcome(step.Kind, Encoding.Latin1.GetString(body.ToArray()), consumed, Describe(decoder.Trailers), null);
                    case ChunkedStepKind.Data:
                        body.AddRange(System.Buffers.BuffersExtensions.ToArray(input.Slice(step.DataOffset, step.DataLength)));
                        break;
                }

                pending = Segments.Pieces(input.Slice(step.Consumed));
                if (step.Kind == ChunkedStepKind.NeedMoreData)
                {
                    break;
                }
            }
        }

        return new ChunkedOutcome(ChunkedStepKind.NeedMoreData, Encoding.Latin1.GetString(body.ToArray()), consumed, null, null);
    }

    private static string Describe(HeaderFields fields) =>
        string.Join(" | ", Enumerable.Range(0, fields.Count).Select(i => $"{fields.Name(i)}: [{fields.Value(i)}]"));
}
