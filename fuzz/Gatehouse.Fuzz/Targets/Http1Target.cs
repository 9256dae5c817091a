using System.Buffers;
using Gatehouse.Http1;
using Gatehouse.Tests.Upstream.Support;

namespace Gatehouse.Fuzz.Targets;

/// <summary>
/// One fuzz case. The first byte chooses the target (bit 0: response heads or a chunked body), whether the request
/// was HEAD (bit 1) and the seed of the random cuts (the rest); the other bytes are what a backend sent. Any exception
/// is a finding: the parser throws none of its own, and every invariant broken throws.
/// </summary>
public static class Http1Target
{
    // Small limits, so that the fuzzer reaches them and their edges with short inputs.
    private static readonly Http1Limits Limits = new() { MaxHeadBytes = 2048, MaxFields = 16, MaxChunkLineBytes = 64, MaxTrailerBytes = 256 };

    public static void Run(byte[] data)
    {
        if (data.Length == 0)
        {
            return;
        }

        var flags = data[0];
        var input = data[1..];
        var splits = new[]
        {
            ByteByByte(input),
            Segments.Split(input, RandomCuts(input.Length, flags >> 2)),
        };
        if ((flags & 1) == 0)
        {
            var requestWasHead = (flags & 2) != 0;
            var whole = HeadFeeder.Feed([input], requestWasHead, Limits);
            foreach (var pieces in splits)
            {
                Same(whole, HeadFeeder.Feed(pieces, requestWasHead, Limits));
            }

            ConsecutiveHeads(input, requestWasHead);
        }
        else
        {
            var whole = ChunkedFeeder.Feed([input], Limits);
            foreach (var pieces in splits)
            {
                Same(whole, ChunkedFeeder.Feed(pieces, Limits));
            }
        }
    }

    /// <summary>Heads one after another on one parser, as 1xx responses come before the final one.</summary>
    private static void ConsecutiveHeads(byte[] input, bool requestWasHead)
    {
        var parser = new ResponseHeadParser(Limits);
        parser.Reset(requestWasHead);
        var offset = 0;
        while (offset < input.Length)
        {
            var result = parser.Parse(new ReadOnlySequence<byte>(input, offset, input.Length - offset));
            if (result.Consumed < 0 || result.Consumed > input.Length - offset)
            {
                throw new InvalidOperationException($"consumed {result.Consumed} of {input.Length - offset}");
            }

            if (result.Status != ParseStatus.Complete)
            {
                return;
            }

            HeadInvariants.Check(result.Head!, input.AsSpan(offset, (int)result.Consumed), requestWasHead);
            offset += (int)result.Consumed;
        }
    }

    private static void Same<T>(T whole, T split)
    {
        if (!EqualityComparer<T>.Default.Equals(whole, split))
        {
            throw new InvalidOperationException($"split input disagrees: {whole} vs {split}");
        }
    }

    private static List<byte[]> ByteByByte(byte[] input)
    {
        var piece = input.Length <= 4096 ? 1 : 61;
        return Segments.Split(input, Enumerable.Range(1, Math.Max(0, (input.Length - 1) / piece)).Select(i => i * piece));
    }

    private static IEnumerable<int> RandomCuts(int length, int seed)
    {
        if (length < 2)
        {
            return [];
        }

        var random = new Random(seed);
        return Enumerable.Range(0, random.Next(1, 8)).Select(_ => random.Next(1, length)).Distinct().Order().ToList();
    }
}
