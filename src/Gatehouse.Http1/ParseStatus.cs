namespace Gatehouse.Http1;

public enum ParseStatus
{
    /// <summary>Nothing wrong so far; call again with more bytes (the bytes reported consumed may be released).</summary>
    NeedMoreData,

    /// <summary>The element is complete.</summary>
    Complete,

    /// <summary>The bytes break a rule; the connection carrying them can never be used again.</summary>
    Invalid,
}
