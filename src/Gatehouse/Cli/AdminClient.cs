using System.Net;
using System.Net.Http.Headers;
using System.Net.Sockets;
using System.Text.Json;

namespace Gatehouse.Cli;

/// <summary>
/// The CLI's side of the admin API: one request, its JSON answer, or one line that says what went wrong (the admin API
/// unreachable, the token refused, the error the API gave).
/// </summary>
internal sealed class AdminClient(Uri baseAddress, string? token) : IDisposable
{
    public const string AddressVariable = "GATEHOUSE_ADMIN";
    public const string TokenVariable = "GATEHOUSE_ADMIN_TOKEN";
    public const string DefaultAddress = "http://127.0.0.1:9901";

    private readonly HttpClient _http = new() { BaseAddress = baseAddress, Timeout = TimeSpan.FromSeconds(30) };

    public Uri BaseAddress => baseAddress;

    /// <summary><c>127.0.0.1:9901</c>, <c>localhost:9901</c> or a full <c>http(s)://</c> URL; null when it is none of them.</summary>
    public static Uri? ParseAddress(string text)
    {
        var withScheme = text.Contains("://", StringComparison.Ordinal) ? text : "http://" + text;
        return Uri.TryCreate(withScheme, UriKind.Absolute, out var uri) && (uri.Scheme == Uri.UriSchemeHttp || uri.Scheme == Uri.UriSchemeHttps)
            ? new Uri(uri.GetLeftPart(UriPartial.Authority) + "/")
            : null;
    }

    /// <summary>Sends one request; the answer's status and JSON body, or an <see cref="AdminClientException"/> with one line to print.</summary>
    public async Task<(HttpStatusCode Status, JsonElement Body)> SendAsync(HttpMethod method, string pathAndQuery, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(method, pathAndQuery.TrimStart('/'));
        if (!string.IsNullOrEmpty(token))
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        }

        HttpResponseMessage response;
        try
        {
            response = await _http.SendAsync(request, cancellationToken);
        }
        catch (HttpRequestException ex)
        {
            var reason = ex.InnerException is SocketException socket ? Describe(socket.SocketErrorCode) : ex.Message;
            throw new AdminClientException($"cannot reach the admin API at {baseAddress}: {reason} (is Gatehouse running with admin.port set, or gatehouse proxy with --admin? set --admin or {AddressVariable})");
        }
        catch (TaskCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            throw new AdminClientException($"the admin API at {baseAddress} did not answer within {_http.Timeout.TotalSeconds:0} s");
        }

        using (response)
        {
            var text = await response.Content.ReadAsStringAsync(cancellationToken);
            if (response.StatusCode == HttpStatusCode.Unauthorized)
            {
                throw new AdminClientException(string.IsNullOrEmpty(token)
                    ? $"the admin API at {baseAddress} needs a token (401): pass --token or set {TokenVariable}"
                    : $"the admin API at {baseAddress} refused the token (401)");
            }

            try
            {
                using var document = JsonDocument.Parse(text.Length == 0 ? "{}" : text);
                return (response.StatusCode, document.RootElement.Clone());
            }
            catch (JsonException)
            {
                throw new AdminClientException($"{baseAddress} answered {(int)response.StatusCode} without JSON: is it Gatehouse's admin listener?");
            }
        }
    }

    private static string Describe(SocketError error) => error switch
    {
        SocketError.ConnectionRefused => "connection refused",
        SocketError.HostNotFound or SocketError.NoData => "unknown host",
        SocketError.TimedOut => "connection timed out",
        _ => error.ToString(),
    };

    public void Dispose() => _http.Dispose();
}

/// <summary>A failed admin request, with the one line the CLI prints for it.</summary>
internal sealed class AdminClientException(string message) : Exception(message);
