using System.Text;
using Microsoft.Extensions.Primitives;

namespace Gatehouse.Fuzz.Targets;

/// <summary>How the text targets read bytes: Latin-1, one char per byte (as Kestrel hands field values over), lines split on LF.</summary>
public static class FieldText
{
    public static string Of(ReadOnlySpan<byte> data) => Encoding.Latin1.GetString(data);

    /// <summary>The field lines of one field: one per LF-separated line.</summary>
    public static StringValues Lines(string text) => new(text.Split('\n'));
}
