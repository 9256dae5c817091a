namespace Gatehouse.Http1;

public enum ChunkedStepKind
{
    /// <summary>Call again with more bytes; <see cref="ChunkedStep.Consumed"/> bytes (framing) may be released.</summary>
    NeedMoreData,

    /// <summary>Body bytes at [DataOffset, DataOffset + DataLength) of the input; copy them out, then release <see cref="ChunkedStep.Consumed"/>.</summary>
    Data,

    /// <summary>The last chunk and the trailer section have been read; the body ends exactly at <see cref="ChunkedStep.Consumed"/>.</summary>
    Complete,

    /// <summary>The chunked framing is broken; the connection can never be used again.</summary>
    Invalid,
}

/// <summary>One step of <see cref="ChunkedBodyDecoder.Decode"/>; offsets are into the input of that call.</summary>
public readonly record struct ChunkedStep(ChunkedStepKind Kind, long Consumed, long DataOffset, long DataLength, string? Error);
