using System.Buffers;

namespace Gatehouse.Protection;

/// <summary>RFC 9110 §5.1 and §5.5: what a field name and a field value may hold. Pure functions over bytes and text.</summary>
public static class HeaderFieldRules
{
    // tchar: ALPHA / DIGIT / "!#$%&'*+-.^_`|~".
    private static readonly SearchValues<char> TokenChars = SearchValues.Create("!#$%&'*+-.^_`|~0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz");

    // CTLs other than HTAB, and DEL: NUL, a bare CR or LF, and the rest are never part of a field value.
    private static readonly SearchValues<byte> ForbiddenValueBytes = SearchValues.Create(
        [0, 1, 2, 3, 4, 5, 6, 7, 8, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31, 127]);

    public static bool IsValidName(ReadOnlySpan<char> name) => name.Length > 0 && !name.ContainsAnyExcept(TokenChars);

    public static bool IsValidValue(ReadOnlySpan<byte> value) => !value.ContainsAny(ForbiddenValueBytes);
}
