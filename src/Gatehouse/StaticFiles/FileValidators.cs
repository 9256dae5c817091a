using System.Globalization;

namespace Gatehouse.StaticFiles;

/// <summary>A file's validators (RFC 9110 §8.8): the strong ETag and the Last-Modified time sent with it.</summary>
public readonly record struct FileValidators(string ETag, DateTimeOffset LastModified)
{
    /// <summary>
    /// The ETag is the modification time in 100 ns ticks and the length, in hex (nginx and Caddy use time and length too).
    /// It is strong (§8.8.3): a file rewritten with other bytes gets another modification time, unless it was rewritten
    /// within the same 100 ns with the same length. A precompressed sibling's tag is made from its own time and length
    /// and names its coding, so each representation has its own (§8.8.3). Last-Modified is the time in whole seconds.
    /// </summary>
    public static FileValidators Of(DateTime lastWriteUtc, long length, string? coding = null)
    {
        var ticks = lastWriteUtc.Ticks.ToString("x", CultureInfo.InvariantCulture);
        var size = length.ToString("x", CultureInfo.InvariantCulture);
        var tag = coding is null ? $"\"{ticks}-{size}\"" : $"\"{ticks}-{size}.{coding}\"";
        var seconds = new DateTimeOffset(lastWriteUtc.Ticks - (lastWriteUtc.Ticks % TimeSpan.TicksPerSecond), TimeSpan.Zero);
        return new FileValidators(tag, seconds);
    }
}
