using System.Buffers;
using Gatehouse.Acme.Tests.TestSupport;

namespace Gatehouse.Tests.Upstream.Support;

/// <summary>Builds a multi-segment ReadOnlySequence, as a Pipe hands over bytes that arrived in several reads.</summary>
public static class Segments
{
    public static ReadOnlySequence<byte> Of(IReadOnlyList<ReadOnlyMemory<byte>> pieces)
    {
        var nonEmpty = pieces.Where(p => !p.IsEmpty).ToList();
        if (nonEmpty.Count == 0)
        {
            return ReadOnlySequence<byte>.Empty;
        }

        var first = new MemorySegment(nonEmpty[0], 0);
        var last = first;
        foreach (var piece in nonEmpty.Skip(1))
        {
            last = last.Append(piece);
        }

        return new ReadOnlySequence<byte>(first, 0, last, last.Memory.Length);
    }

    /// <summary>The pieces of <paramref name="sequence"/>, segment by segment, so a rest can be fed again with its seams.</summary>
    public static List<ReadOnlyMemory<byte>> Pieces(ReadOnlySequence<byte> sequence)
    {
        var pieces = new List<ReadOnlyMemory<byte>>();
        foreach (var memory in sequence)
        {
            pieces.Add(memory);
        }

        return pieces;
    }

    /// <summary>Cuts <paramref name="input"/> at each offset in <paramref name="cuts"/> (ascending, inside the input).</summary>
    public static List<byte[]> Split(byte[] input, IEnumerable<int> cuts)
    {
        var pieces = new List<byte[]>();
        var start = 0;
        foreach (var cut in cuts)
        {
            pieces.Add(input[start..cut]);
            start = cut;
        }

        pieces.Add(input[start..]);
        return pieces;
    }

    /// <summary>The ways a test feeds one input: whole, byte by byte, every two-piece cut (or a stride of them), and seeded random cuts.</summary>
    public static IEnumerable<List<byte[]>> Splits(byte[] input, int seed = 14)
    {
        yield return [input];
        if (input.Length < 2)
        {
            yield break;
        }

        // Byte by byte; past 4 KiB, 61-byte pieces keep a 64 KiB head from costing minutes of test time.
        var piece = input.Length <= 4096 ? 1 : 61;
        yield return Split(input, Enumerable.Range(1, (input.Length - 1) / piece).Select(i => i * piece));
        var stride = Math.Max(1, input.Length / 256);
        for (var cut = 1; cut < input.Length; cut += stride)
        {
            yield return Split(input, [cut]);
        }

        var random = new Random(seed);
        for (var run = 0; run < 8; run++)
        {
            var cuts = Enumerable.Range(0, random.Next(1, 8)).Select(_ => random.Next(1, input.Length)).Distinct().Order();
            yield return Split(input, cuts);
        }
    }
}
