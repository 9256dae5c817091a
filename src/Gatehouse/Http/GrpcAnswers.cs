using System.Text;

namespace Gatehouse.Http;

/// <summary>
/// A gRPC client reads the outcome of a call from <c>grpc-status</c>, not from the HTTP status: Gatehouse's own answer
/// to a gRPC request (no backend, a timeout, a refusal) is a trailers-only response, HTTP 200 with <c>grpc-status</c>
/// and <c>grpc-message</c> in the header block, the way a gRPC server fails a call before any message. The status codes
/// follow gRPC's "HTTP to gRPC status code mapping" (doc/http-grpc-status-mapping.md). Pure except for the writer.
/// </summary>
public static class GrpcAnswers
{
    public const int Unknown = 2;
    public const int PermissionDenied = 7;
    public const int Unimplemented = 12;
    public const int Internal = 13;
    public const int Unavailable = 14;
    public const int Unauthenticated = 16;

    /// <summary>gRPC and gRPC-Web requests alike: <c>application/grpc</c>, <c>application/grpc+proto</c>, <c>application/grpc-web-text</c>…</summary>
    public static bool IsGrpc(HttpRequest request) => IsGrpcContentType(request.ContentType);

    public static bool IsGrpcContentType(string? type) =>
        type is not null && type.StartsWith("application/grpc", StringComparison.OrdinalIgnoreCase)
        && (type.Length == "application/grpc".Length || type["application/grpc".Length] is '+' or '-' or ';' or ' ');

    public static int StatusFor(int httpStatus) => httpStatus switch
    {
        StatusCodes.Status400BadRequest => Internal,
        StatusCodes.Status401Unauthorized => Unauthenticated,
        StatusCodes.Status403Forbidden => PermissionDenied,
        StatusCodes.Status404NotFound => Unimplemented,
        StatusCodes.Status429TooManyRequests or StatusCodes.Status502BadGateway
            or StatusCodes.Status503ServiceUnavailable or StatusCodes.Status504GatewayTimeout => Unavailable,
        _ => Unknown,
    };

    /// <summary><c>grpc-message</c> is percent-encoded: bytes outside printable ASCII, and '%' itself (gRPC's PROTOCOL-HTTP2.md).</summary>
    public static string EncodeMessage(string text)
    {
        var builder = new StringBuilder(text.Length);
        foreach (var b in Encoding.UTF8.GetBytes(text))
        {
            if (b is >= 0x20 and <= 0x7E and not (byte)'%')
            {
                builder.Append((char)b);
            }
            else
            {
                builder.Append('%').Append(b.ToString("X2", System.Globalization.CultureInfo.InvariantCulture));
            }
        }

        return builder.ToString();
    }

    /// <summary>
    /// The trailers-only answer in place of Gatehouse's page for <paramref name="httpStatus"/>. The content type echoes the
    /// request's (gRPC-Web clients want theirs back); there is no body.
    /// </summary>
    internal static Task WriteAsync(HttpContext context, int httpStatus, string text, string requestId)
    {
        var response = context.Response;
        var requestType = context.Request.ContentType!;
        var semicolon = requestType.IndexOf(';', StringComparison.Ordinal);
        response.StatusCode = StatusCodes.Status200OK;
        response.ContentType = semicolon < 0 ? requestType : requestType[..semicolon].TrimEnd();
        response.Headers["grpc-status"] = StatusFor(httpStatus).ToString(System.Globalization.CultureInfo.InvariantCulture);
        response.Headers["grpc-message"] = EncodeMessage($"{text.TrimEnd('\n')} Request id: {requestId}");
        response.ContentLength = 0;
        return response.StartAsync(context.RequestAborted);
    }
}
