namespace Gatehouse.Http1;

/// <summary>
/// What one call of <see cref="ResponseHeadParser.Parse"/> found. <see cref="Consumed"/> bytes of the input are done
/// with, on <see cref="ParseStatus.NeedMoreData"/> too (whole lines already copied into the parser).
/// </summary>
public readonly record struct HeadParseResult(ParseStatus Status, long Consumed, ResponseHead? Head, string? Error)
{
    internal static HeadParseResult NeedMoreData(long consumed) => new(ParseStatus.NeedMoreData, consumed, null, null);

    internal static HeadParseResult Invalid(long consumed, string error) => new(ParseStatus.Invalid, consumed, null, error);
}
