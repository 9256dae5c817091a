namespace Gatehouse.Http;

/// <summary>
/// The id that ties a client's view of a request (Gatehouse's error page, the <c>X-Request-Id</c> response header) to
/// the access log line. A well-formed <c>X-Request-Id</c> sent with the request is kept, so an id given by a load
/// balancer or CDN in front carries through; anything else is ignored and Kestrel's own trace identifier is used. The id
/// is only for correlation, nothing trusts it, and the allowed characters keep it harmless in logs and headers.
/// </summary>
public static class RequestIds
{
    public const string HeaderName = "X-Request-Id";

    public const int MaxLength = 128;

    public static string Of(HttpContext context)
    {
        var incoming = context.Request.Headers[HeaderName];
        return incoming.Count == 1 && IsWellFormed(incoming[0]) ? incoming[0]! : context.TraceIdentifier;
    }

    /// <summary>1 to 128 characters among letters, digits and <c>-_.:+/=</c> (UUIDs, base64, trace ids).</summary>
    public static bool IsWellFormed(string? id)
    {
        if (string.IsNullOrEmpty(id) || id.Length > MaxLength)
        {
            return false;
        }

        foreach (var c in id)
        {
            if (!char.IsAsciiLetterOrDigit(c) && c is not ('-' or '_' or '.' or ':' or '+' or '/' or '='))
            {
                return false;
            }
        }

        return true;
    }
}
