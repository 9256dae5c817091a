using System.Text;

namespace Gatehouse.Http1;

/// <summary>
/// The field names backends send most, as strings made once: a response's names then cost no allocation when spelled
/// as here (the usual case). Another spelling is simply made into a new string.
/// </summary>
internal static class KnownFieldNames
{
    private static readonly string[] Names =
    [
        "Date", "Server", "Content-Type", "Content-Length", "Transfer-Encoding", "Connection", "Keep-Alive", "Cache-Control",
        "ETag", "Last-Modified", "Expires", "Vary", "Location", "Set-Cookie", "Content-Encoding", "Accept-Ranges", "Age",
        "Via", "Pragma", "Content-Language", "Content-Disposition", "Content-Range", "Content-Location", "Access-Control-Allow-Origin",
        "Strict-Transport-Security", "X-Content-Type-Options", "X-Frame-Options", "X-Powered-By", "WWW-Authenticate", "Retry-After",
        "Trailer", "Allow", "Link", "Refresh",
    ];

    private static readonly byte[][] Bytes = Array.ConvertAll(Names, Encoding.ASCII.GetBytes);

    public static string Get(ReadOnlySpan<byte> name)
    {
        var bytes = Bytes;
        for (var i = 0; i < bytes.Length; i++)
        {
            if (bytes[i].Length == name.Length && name.SequenceEqual(bytes[i]))
            {
                return Names[i];
            }
        }

        return Encoding.ASCII.GetString(name);
    }
}
