using System.Net;
using System.Net.Sockets;
using Gatehouse.Http;
using Gatehouse.Runtime;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.WebUtilities;
using Yarp.ReverseProxy.Forwarder;
using Yarp.ReverseProxy.Model;

namespace Gatehouse.Forwarding;

/// <summary>
/// The forwarder for FastCGI clusters (PHP-FPM), in front of the others: a request to a cluster with
/// <see cref="FastCgiSettings"/> is sent over FastCGI, the rest go to <paramref name="inner"/>. It follows the lean
/// path's steps: the route's transformer fills an HttpRequestMessage (so path transforms and forwarded headers apply),
/// the CGI variables are built from it, the response head parsed from STDOUT goes through the transformer's response
/// step, then the body streams record by record. Failures end as YARP's do (<see cref="ForwarderError"/>, status,
/// <see cref="IForwarderErrorFeature"/>), so retries, passive health and Gatehouse's pages work unchanged. One
/// connection per request (FCGI_KEEP_CONN off): PHP-FPM closes it after END_REQUEST.
/// </summary>
internal sealed partial class FastCgiForwarder(IHttpForwarder inner, ILogger<FastCgiForwarder> logger) : IHttpForwarder
{
    private const ushort RequestId = 1;
    private const int BodyChunk = 32 * 1024;
    private const int MaxStderrLogged = 4096;
    private static readonly TimeSpan DefaultActivityTimeout = TimeSpan.FromSeconds(100);

    public ValueTask<ForwarderError> SendAsync(HttpContext context, string destinationPrefix, HttpMessageInvoker httpClient,
        ForwarderRequestConfig requestConfig, HttpTransformer transformer) =>
        SendAsync(context, destinationPrefix, httpClient, requestConfig, transformer, CancellationToken.None);

    public ValueTask<ForwarderError> SendAsync(HttpContext context, string destinationPrefix, HttpMessageInvoker httpClient,
        ForwarderRequestConfig requestConfig, HttpTransformer transformer, CancellationToken cancellationToken) =>
        SettingsOf(context) is { } settings
            ? ForwardAsync(context, destinationPrefix, settings, requestConfig, transformer, cancellationToken)
            : inner.SendAsync(context, destinationPrefix, httpClient, requestConfig, transformer, cancellationToken);

    private static FastCgiSettings? SettingsOf(HttpContext context) =>
        RouteRuntime.Of(context) is { } runtime && context.Features.Get<IReverseProxyFeature>()?.Cluster?.Config.ClusterId is { } cluster
            ? runtime.Generation.Cluster<FastCgiSettings>(cluster)
            : null;

    private async ValueTask<ForwarderError> ForwardAsync(HttpContext context, string destinationPrefix, FastCgiSettings settings,
        ForwarderRequestConfig requestConfig, HttpTransformer transformer, CancellationToken cancellationToken)
    {
        using var activity = CancellationTokenSource.CreateLinkedTokenSource(context.RequestAborted, cancellationToken);
        var activityTimeout = requestConfig.ActivityTimeout ?? DefaultActivityTimeout;
        activity.CancelAfter(activityTimeout);
        var request = context.Request;
        var hasBody = request.ContentLength > 0
            || (request.ContentLength is null && context.Features.Get<IHttpRequestBodyDetectionFeature>()?.CanHaveBody == true);

        // :: the route's transforms, as for an HTTP destination; they may answer instead.
        var message = new HttpRequestMessage { Method = HttpMethod.Parse(request.Method), Version = HttpVersion.Version11 };
        message.Content = hasBody ? new HeaderShellContent() : null;
        try
        {
            await transformer.TransformRequestAsync(context, message, destinationPrefix, activity.Token);
        }
        catch (Exception e)
        {
            return Fail(context, ForwarderError.RequestCreation, StatusCodes.Status502BadGateway, e);
        }

        if (context.Response.HasStarted || context.Response.StatusCode != StatusCodes.Status200OK)
        {
            return ForwarderError.None;
        }

        var (encodedPath, query) = FastCgiTarget(message.RequestUri, destinationPrefix, request);
        var resolution = FastCgiScript.Resolve(Uri.UnescapeDataString(encodedPath), settings.Index, settings.SplitPath,
            settings.TryFiles ? FastCgiScript.FileSystemProbe(settings.Root) : null);
        switch (resolution.Target)
        {
            case Forwarding.FastCgiTarget.NotFound or Forwarding.FastCgiTarget.StaticFile:
                // No static-file server is combined with this route yet (docs/fastcgi.md): a file that is not a script is not served.
                await ErrorPages.TryWriteAsync(context, StatusCodes.Status404NotFound);
                return ForwarderError.None;
            case Forwarding.FastCgiTarget.AddTrailingSlash:
                context.Response.StatusCode = StatusCodes.Status308PermanentRedirect;
                context.Response.Headers.Location = request.PathBase + request.Path + "/" + request.QueryString;
                return ForwarderError.None;
        }

        // FastCGI needs CONTENT_LENGTH (PHP reads that many bytes): a body without one is buffered first, as nginx does.
        long? contentLength = hasBody ? request.ContentLength : null;
        if (hasBody && contentLength is null)
        {
            try
            {
                request.EnableBuffering();
                await request.Body.DrainAsync(activity.Token);
                contentLength = request.Body.Length;
                request.Body.Position = 0;
            }
            catch (Exception e)
            {
                return Fail(context, ForwarderError.RequestBodyClient, (e as BadHttpRequestException)?.StatusCode ?? StatusCodes.Status400BadRequest, e);
            }
        }

        var variables = CgiVariables.Build(CgiRequestOf(context, message, encodedPath, query, contentLength), resolution, settings.Root, settings.Params);
        if (!FastCgiAddress.TryParse(destinationPrefix, out var endPoint))
        {
            return Fail(context, ForwarderError.RequestCreation, StatusCodes.Status502BadGateway, new InvalidOperationException("not a FastCGI address"));
        }

        context.Features.Get<IHttpResponseBodyFeature>()?.DisableBuffering();
        using var socket = endPoint is UnixDomainSocketEndPoint
            ? new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified)
            : new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        try
        {
            using var connect = CancellationTokenSource.CreateLinkedTokenSource(activity.Token);
            connect.CancelAfter(settings.ConnectTimeout);
            await socket.ConnectAsync(endPoint!, connect.Token);
        }
        catch (Exception e)
        {
            var timedOut = e is OperationCanceledException && !context.RequestAborted.IsCancellationRequested;
            return Fail(context, timedOut ? ForwarderError.RequestTimedOut : context.RequestAborted.IsCancellationRequested ? ForwarderError.RequestCanceled : ForwarderError.Request,
                timedOut ? StatusCodes.Status504GatewayTimeout : StatusCodes.Status502BadGateway, e);
        }

        await using var stream = new NetworkStream(socket, ownsSocket: false);
        using var exchange = new FastCgiExchange(stream, activity, activityTimeout);
        var sending = exchange.SendRequestAsync(FastCgiRecords.EncodeParams(variables), hasBody ? request.Body : null);
        var outcome = await ReadResponseAsync(context, exchange, settings, message, transformer, destinationPrefix);
        await exchange.FinishSendingAsync(sending);
        return outcome;
    }

    /// <summary>The path (still percent-encoded) and query the transforms left, without the destination's prefix.</summary>
    private static (string Path, string Query) FastCgiTarget(Uri? uri, string destinationPrefix, HttpRequest request)
    {
        var target = uri?.OriginalString ?? "";
        var prefix = destinationPrefix.TrimEnd('/');
        if (!target.StartsWith(prefix, StringComparison.OrdinalIgnoreCase))
        {
            return (request.Path.ToUriComponent() is { Length: > 0 } path ? path : "/", request.QueryString.HasValue ? request.QueryString.Value![1..] : "");
        }

        target = target[prefix.Length..];
        var question = target.IndexOf('?', StringComparison.Ordinal);
        var pathPart = question < 0 ? target : target[..question];
        return (pathPart.Length == 0 ? "/" : pathPart, question < 0 ? "" : target[(question + 1)..]);
    }

    private static CgiRequest CgiRequestOf(HttpContext context, HttpRequestMessage message, string encodedPath, string query, long? contentLength)
    {
        var headers = new List<KeyValuePair<string, string>>();
        foreach (var (name, values) in message.Headers.NonValidated)
        {
            foreach (var value in values)
            {
                headers.Add(KeyValuePair.Create(name, value));
            }
        }

        if (message.Content is { } content)
        {
            foreach (var (name, values) in content.Headers.NonValidated)
            {
                foreach (var value in values)
                {
                    headers.Add(KeyValuePair.Create(name, value));
                }
            }
        }

        // YARP leaves Host to the HTTP client (the destination's); a PHP application builds its URLs from the client's.
        if (message.Headers.Host is null && context.Request.Host.HasValue)
        {
            headers.Add(KeyValuePair.Create("Host", context.Request.Host.Value!));
        }

        var connection = context.Connection;
        return new CgiRequest(context.Request.Method, query.Length > 0 ? encodedPath + "?" + query : encodedPath, query, context.Request.Protocol,
            context.Request.IsHttps, connection.RemoteIpAddress, connection.RemotePort, connection.LocalIpAddress, connection.LocalPort,
            context.Request.Host.Value ?? "", headers, contentLength);
    }
}
