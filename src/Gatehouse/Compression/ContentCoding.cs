namespace Gatehouse.Compression;

/// <summary>The content codings Gatehouse produces (RFC 9110 §8.4.1; zstd: RFC 8878).</summary>
public enum ContentCoding
{
    Gzip,
    Brotli,
    Zstd,
}

/// <summary>The registered names of <see cref="ContentCoding"/>, as Content-Encoding and Accept-Encoding spell them.</summary>
public static class ContentCodings
{
    public const string GzipName = "gzip";
    public const string BrotliName = "br";
    public const string ZstdName = "zstd";

    /// <summary>Every coding, in Gatehouse's default preference: zstd and brotli make smaller bodies than gzip, zstd faster.</summary>
    public static readonly IReadOnlyList<ContentCoding> DefaultPreference = [ContentCoding.Zstd, ContentCoding.Brotli, ContentCoding.Gzip];

    public static string Name(ContentCoding coding) => coding switch
    {
        ContentCoding.Gzip => GzipName,
        ContentCoding.Brotli => BrotliName,
        _ => ZstdName,
    };

    /// <summary>Case-insensitive (§8.4.1); <c>x-gzip</c> is gzip (§8.4.1.3).</summary>
    public static bool TryParse(ReadOnlySpan<char> name, out ContentCoding coding)
    {
        if (name.Equals(GzipName, StringComparison.OrdinalIgnoreCase) || name.Equals("x-gzip", StringComparison.OrdinalIgnoreCase))
        {
            coding = ContentCoding.Gzip;
            return true;
        }
        if (name.Equals(BrotliName, StringComparison.OrdinalIgnoreCase))
        {
            coding = ContentCoding.Brotli;
            return true;
        }
        if (name.Equals(ZstdName, StringComparison.OrdinalIgnoreCase))
        {
            coding = ContentCoding.Zstd;
            return true;
        }
        coding = default;
        return false;
    }

    /// <summary>The level range each encoder takes: zlib's 1–9, brotli's quality 0–11, zstd's 1–22.</summary>
    public static (int Min, int Max) LevelRange(ContentCoding coding) => coding switch
    {
        ContentCoding.Gzip => (1, 9),
        ContentCoding.Brotli => (0, 11),
        _ => (1, 22),
    };
}
