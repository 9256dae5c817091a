using System.IO.Compression;

namespace Gatehouse.Compression;

/// <summary>A compressing stream for a coding and level over an output it leaves open.</summary>
public static class Encoders
{
    public static Stream Create(ContentCoding coding, int level, Stream output) => coding switch
    {
        ContentCoding.Gzip => new GZipStream(output, new ZLibCompressionOptions { CompressionLevel = level }, leaveOpen: true),
        ContentCoding.Brotli => new BrotliStream(output, new BrotliCompressionOptions { Quality = level }, leaveOpen: true),
        _ => new ZstdSharp.CompressionStream(output, level, leaveOpen: true),
    };
}
