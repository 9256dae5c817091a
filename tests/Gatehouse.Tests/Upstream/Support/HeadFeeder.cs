using System.Buffers;
using System.Text;
using Gatehouse.Http1;

namespace Gatehouse.Tests.Upstream.Support;

/// <summary>One parse of a response head, reduced to what must not depend on how the bytes were split.</summary>
public sealed record HeadOutcome(ParseStatus Status, long Consumed, string? Error, string? Head);

/// <summary>Feeds a response head to a parser piece by piece, the way a connection's read loop does.</summary>
public static class HeadFeeder
{
    public static HeadOutcome Feed(IEnumerable<byte[]> pieces, bool requestWasHead = false, Http1Limits? limits = null)
    {
        var parser = new ResponseHeadParser(limits);
        parser.Reset(requestWasHead);
        var all = new List<byte>();
        var pending = new List<ReadOnlyMemory<byte>>();
        long consumed = 0;
        foreach (var piece in pieces)
        {
            pending.Add(piece);
            all.AddRange(piece);
            var input = Segments.Of(pending);
            var result = parser.Parse(input);
            if (result.Consumed < 0 || result.Consumed > input.Length)
            {
                throw new InvalidOperationException($"consumed {result.Consumed} of {input.Length} bytes");
            }

            consumed += result.Consumed;
            if (result.Status != ParseStatus.NeedMoreData)
            {
                if (result.Status == ParseStatus.Complete)
                {
                    if (result.Head is null)
                    {
                        throw new InvalidOperationException("Complete without a head");
                    }

                    HeadInvariants.Check(result.Head, all.ToArray().AsSpan(0, (int)consumed), requestWasHead);
                }
                else if (string.IsNullOrEmpty(result.Error))
                {
                    throw new InvalidOperationException("Invalid without a reason");
                }

                // Where an Invalid stops is of no use to anyone (the connection is dropped), so it is not compared.
                return result.Status == ParseStatus.Invalid
                    ? new HeadOutcome(result.Status, 0, result.Error, null)
                    : new HeadOutcome(result.Status, consumed, null, Describe(result.Head!));
            }

            pending = Segments.Pieces(input.Slice(result.Consumed));
        }

        return new HeadOutcome(ParseStatus.NeedMoreData, consumed, null, null);
    }

    /// <summary>Every field of a head on one line, so two heads compare as strings.</summary>
    public static string Describe(ResponseHead head)
    {
        var text = new StringBuilder();
        text.Append($"HTTP/1.{head.MinorVersion} {head.StatusCode} [{head.Reason}] {head.Kind} {head.Framing} {head.ContentLength} keepAlive={head.KeepAlive}");
        for (var i = 0; i < head.Fields.Count; i++)
        {
            text.Append($" | {head.Fields.Name(i)}: [{head.Fields.Value(i)}]");
        }

        return text.ToString();
    }
}
