using System.Net;

namespace Gatehouse.Health;

/// <summary>
/// On each cluster's client, below YARP: a gRPC health probe's answer is read whole (message and trailers, asynchronously,
/// which the health policy's synchronous callback cannot do) and handed on as 200 when the call ended with
/// <c>grpc-status: 0</c> and said SERVING, 503 otherwise. Every other request passes through untouched.
/// </summary>
internal sealed class GrpcHealthProbeHandler(HttpMessageHandler inner) : DelegatingHandler(inner)
{
    public static readonly HttpRequestOptionsKey<bool> IsGrpcProbe = new("Gatehouse.GrpcHealthProbe");

    /// <summary>A health answer is one small message; more is not a health service.</summary>
    private const int MaxBody = 16 * 1024;

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        if (!request.Options.TryGetValue(IsGrpcProbe, out var probe) || !probe)
        {
            return await base.SendAsync(request, cancellationToken);
        }

        using var response = await base.SendAsync(request, cancellationToken);
        var healthy = false;
        if (response.StatusCode == HttpStatusCode.OK)
        {
            var body = await ReadBoundedAsync(response.Content, cancellationToken);
            // A trailers-only answer (an unknown service: NOT_FOUND) carries grpc-status in the headers.
            var status = Status(response.TrailingHeaders) ?? Status(response.Headers);
            healthy = status == "0" && body is not null && GrpcHealthMessages.IsServing(body);
        }

        return new HttpResponseMessage(healthy ? HttpStatusCode.OK : HttpStatusCode.ServiceUnavailable)
        {
            RequestMessage = request,
            Version = response.Version,
        };
    }

    private static string? Status(System.Net.Http.Headers.HttpHeaders headers) =>
        headers.TryGetValues("grpc-status", out var values) ? values.FirstOrDefault() : null;

    private static async Task<byte[]?> ReadBoundedAsync(HttpContent content, CancellationToken cancellationToken)
    {
        await using var stream = await content.ReadAsStreamAsync(cancellationToken);
        var buffer = new MemoryStream();
        var chunk = new byte[4096];
        int read;
        while ((read = await stream.ReadAsync(chunk, cancellationToken)) > 0)
        {
            if (buffer.Length + read > MaxBody)
            {
                return null;
            }

            buffer.Write(chunk, 0, read);
        }

        return buffer.ToArray();
    }
}
