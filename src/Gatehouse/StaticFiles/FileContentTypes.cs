using Microsoft.AspNetCore.StaticFiles;

namespace Gatehouse.StaticFiles;

/// <summary>
/// A file's Content-Type from its extension: ASP.NET Core's table (about 380 extensions, <c>.js</c> as
/// <c>text/javascript</c>, <c>.wasm</c>, <c>.webp</c>, <c>.avif</c>), with <c>charset=utf-8</c> on text types as Caddy
/// sends them (nginx sends none unless told), and <c>application/octet-stream</c> for the rest, as nginx's default_type.
/// </summary>
public static class FileContentTypes
{
    public const string Unknown = "application/octet-stream";

    private static readonly FileExtensionContentTypeProvider Table = new();

    public static string Of(string fileName)
    {
        if (!Table.TryGetContentType(fileName, out var type))
        {
            return Unknown;
        }
        return type.StartsWith("text/", StringComparison.Ordinal) ? type + "; charset=utf-8" : type;
    }
}
