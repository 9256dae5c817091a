namespace Gatehouse.Caching;

/// <summary>One <c>range-spec</c> of a bytes Range (RFC 9110 §14.1.2): <c>first-last</c>, <c>first-</c> or the suffix <c>-length</c>.</summary>
public readonly record struct ByteRangeSpec(long? First, long? Last)
{
    /// <summary>True for a suffix range (<c>-500</c>: the last 500 bytes); <see cref="Last"/> is then the suffix length.</summary>
    public bool IsSuffix => First is null;
}
