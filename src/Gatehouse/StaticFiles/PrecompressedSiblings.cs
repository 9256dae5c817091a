using Microsoft.Extensions.Primitives;
using Microsoft.Net.Http.Headers;

namespace Gatehouse.StaticFiles;

/// <summary>A content coding a sibling file may hold: its Content-Encoding name and the suffix of its file name.</summary>
public sealed record SiblingCoding(string Name, string Suffix)
{
    public static readonly SiblingCoding Brotli = new("br", ".br");
    public static readonly SiblingCoding Zstd = new("zstd", ".zst");
    public static readonly SiblingCoding Gzip = new("gzip", ".gz");

    public static SiblingCoding? Named(string name) => name.ToLowerInvariant() switch
    {
        "br" => Brotli,
        "zstd" => Zstd,
        "gzip" => Gzip,
        _ => null,
    };
}

/// <summary>
/// Which precompressed siblings to try, in order (RFC 9110 §12.5.3): the route's codings the client accepts with a
/// weight above zero, by the client's weight and then the route's order. A coding the client does not name takes the
/// weight of <c>*</c>; <c>x-gzip</c> is <c>gzip</c> (§8.4.1.3). A field that does not parse accepts nothing, so the file
/// itself is sent, which every client can read. Pure.
/// </summary>
public static class PrecompressedSiblings
{
    public static IReadOnlyList<SiblingCoding> Order(StringValues acceptEncoding, IReadOnlyList<SiblingCoding> configured)
    {
        if (configured.Count == 0 || acceptEncoding.Count == 0
            || !StringWithQualityHeaderValue.TryParseList(acceptEncoding, out var members) || members.Count == 0)
        {
            return [];
        }
        var weighted = new List<(SiblingCoding Coding, double Weight, int Position)>(configured.Count);
        for (var i = 0; i < configured.Count; i++)
        {
            var weight = WeightOf(members, configured[i].Name);
            if (weight > 0)
            {
                weighted.Add((configured[i], weight, i));
            }
        }
        weighted.Sort((a, b) => a.Weight != b.Weight ? b.Weight.CompareTo(a.Weight) : a.Position.CompareTo(b.Position));
        return weighted.ConvertAll(w => w.Coding);
    }

    private static double WeightOf(IList<StringWithQualityHeaderValue> members, string name)
    {
        double? star = null;
        foreach (var member in members)
        {
            var value = member.Value.AsSpan();
            if (value.Equals(name, StringComparison.OrdinalIgnoreCase) || (name == "gzip" && value.Equals("x-gzip", StringComparison.OrdinalIgnoreCase)))
            {
                return member.Quality ?? 1;
            }
            if (value is "*")
            {
                star = member.Quality ?? 1;
            }
        }
        return star ?? 0;
    }
}
