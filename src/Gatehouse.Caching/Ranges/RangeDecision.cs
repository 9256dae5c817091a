namespace Gatehouse.Caching;

/// <summary>What to send for a request that may carry a Range.</summary>
public enum RangeOutcome
{
    /// <summary>The whole stored response (no Range, Range ignored, or multiple ranges).</summary>
    Full,

    /// <summary>206 Partial Content with <see cref="RangeDecision.ContentRange"/>.</summary>
    Partial,

    /// <summary>416 Range Not Satisfiable with <c>Content-Range: bytes */length</c>.</summary>
    NotSatisfiable,
}

/// <summary>The answer of <see cref="ByteRanges.Decide"/>: what to send and which bytes of the stored content.</summary>
public sealed record RangeDecision(RangeOutcome Outcome, long Offset, long Length, string? ContentRange)
{
    /// <summary>Send the whole stored response.</summary>
    public static RangeDecision Full(long length) => new(RangeOutcome.Full, 0, length, null);
}
