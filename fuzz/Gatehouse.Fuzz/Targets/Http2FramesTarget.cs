using Gatehouse.Protection.Http2Frames;

namespace Gatehouse.Fuzz.Targets;

/// <summary>
/// The HTTP/2 frame guard's reading of a client's bytes (Http2FrameScanner, then Http2FrameBudget): what a client sends
/// on an HTTP/2 connection, preface first. The first byte seeds random cuts; the rest is the connection's input. The
/// frame headers found, and where a budget is spent, are the same whether the bytes arrive whole, one byte at a time
/// or cut at random (Kestrel hands them over in any pieces); every step goes over at least one byte and at most what
/// it was given.
/// </summary>
public static class Http2FramesTarget
{
    private static readonly Http2FrameLimits Limits = new(MaxControlFrames: 50, ControlFramesPerSecond: 10, MaxResets: 20);

    public static void Run(byte[] data)
    {
        if (data.Length == 0)
        {
            return;
        }

        var input = data[1..];
        var whole = Read(input, [input.Length]);
        var random = new Random(data[0]);
        var cuts = Enumerable.Range(0, random.Next(1, 8)).Select(_ => random.Next(1, Math.Max(2, input.Length + 1))).ToList();
        var bytewise = input.Length <= 4096 ? Enumerable.Repeat(1, input.Length).ToList() : [.. Enumerable.Repeat(61, input.Length / 61 + 1)];
        foreach (var pieces in new[] { cuts, bytewise })
        {
            var split = Read(input, pieces);
            FindingException.Unless(split == whole, $"split input disagrees: {whole} vs {split}");
        }
    }

    /// <summary>Feeds <paramref name="input"/> in pieces of the given sizes (the last one takes the rest).</summary>
    private static Answer Read(byte[] input, List<int> sizes)
    {
        var scanner = new Http2FrameScanner(clientDirection: true);
        var budget = new Http2FrameBudget(Limits, 0, 1000);
        var frames = new System.Text.StringBuilder();
        var count = 0;
        var spentAt = -1;
        var at = 0;
        var piece = 0;
        while (at < input.Length)
        {
            var size = piece < sizes.Count - 1 ? Math.Min(sizes[piece], input.Length - at) : input.Length - at;
            piece++;
            var span = input.AsSpan(at, size);
            at += size;
            while (!span.IsEmpty)
            {
                var step = scanner.Step(span, out var header);
                FindingException.Unless(step >= 1 && step <= span.Length, $"a step of {step} bytes over {span.Length}");
                span = span[step..];
                if (header is not { } frame)
                {
                    continue;
                }

                FindingException.Unless(frame.StreamId >= 0 && frame.Length is >= 0 and < (1 << 24), $"frame header out of range: {frame}");
                count++;
                if (count <= 64)
                {
                    frames.Append(frame.Type).Append('/').Append(frame.Flags).Append('/').Append(frame.StreamId).Append('/').Append(frame.Length).Append(' ');
                }

                // Time moves with the frames, so the refill is exercised too.
                if (!budget.OnClientFrame(frame, count * 7L) && spentAt < 0)
                {
                    spentAt = count;
                    FindingException.Unless(budget.SpentOn is not null, "a spent budget without the frame that spent it");
                }
            }
        }

        return new Answer(count, frames.ToString(), spentAt, scanner.AtFrameBoundary);
    }

    private readonly record struct Answer(int Count, string Frames, int SpentAt, bool AtBoundary);
}
