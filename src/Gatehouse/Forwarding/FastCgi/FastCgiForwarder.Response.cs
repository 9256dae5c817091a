using System.Net;
using System.Text;
using Gatehouse.Http;
using Microsoft.AspNetCore.Http.Features;
using Yarp.ReverseProxy.Forwarder;

namespace Gatehouse.Forwarding;

/// <summary>Reading the FastCGI response: the CGI head from STDOUT, then the body as it comes, STDERR to the log, up to END_REQUEST.</summary>
internal sealed partial class FastCgiForwarder
{
    private async ValueTask<ForwarderError> ReadResponseAsync(HttpContext context, FastCgiExchange exchange, FastCgiSettings settings,
        HttpRequestMessage message, HttpTransformer transformer, string destination)
    {
        var head = new MemoryStream();
        var started = false;
        var discard = false;
        StringBuilder? stderr = null;
        try
        {
            while (true)
            {
                var (record, content) = await exchange.ReadRecordAsync();
                if (record.RequestId != RequestId)
                {
                    continue; // management records (id 0) are not asked for; anything else is not this request's
                }

                switch (record.Type)
                {
                    case FastCgiRecordType.Stdout when discard || content.IsEmpty:
                        break;
                    case FastCgiRecordType.Stdout when started:
                        if (await WriteBodyAsync(context, content, exchange.Token) is { } failed)
                        {
                            return failed;
                        }

                        break;
                    case FastCgiRecordType.Stdout:
                        head.Write(content.Span);
                        var parsed = CgiResponseParser.TryParse(head.GetBuffer().AsSpan(0, (int)head.Length), settings.MaxResponseHeaderBytes, out var cgi, out var error);
                        if (parsed == CgiParseResult.NeedMore)
                        {
                            break;
                        }

                        if (parsed == CgiParseResult.Invalid || cgi!.StatusCode < 200)
                        {
                            return Fail(context, ForwarderError.ResponseHeaders, StatusCodes.Status502BadGateway,
                                new InvalidDataException("bad CGI response head: " + (error ?? $"status {cgi!.StatusCode}")));
                        }

                        started = true;
                        if (await StartResponseAsync(context, cgi, message, transformer, exchange.Token) is not { } go)
                        {
                            return ForwarderError.ResponseHeaders;
                        }

                        discard = !go;
                        var rest = head.GetBuffer().AsMemory(cgi.Length, (int)head.Length - cgi.Length);
                        if (!discard && !rest.IsEmpty && await WriteBodyAsync(context, rest, exchange.Token) is { } failedRest)
                        {
                            return failedRest;
                        }

                        head = null!;
                        break;
                    case FastCgiRecordType.Stderr:
                        if ((stderr?.Length ?? 0) < MaxStderrLogged)
                        {
                            (stderr ??= new()).Append(Encoding.UTF8.GetString(content.Span[..Math.Min(content.Length, MaxStderrLogged - (stderr?.Length ?? 0))]));
                        }

                        break;
                    case FastCgiRecordType.EndRequest:
                        if (stderr is not null)
                        {
                            GatehouseLog.FastCgiStderr(logger, destination, RequestIds.Of(context), stderr.ToString().Trim());
                        }

                        FastCgiRecords.TryReadEndRequest(content.Span, out _, out var protocolStatus);
                        if (started)
                        {
                            return ForwarderError.None;
                        }

                        // END_REQUEST before a whole head: overloaded (PHP-FPM's listen queue) is a 503, the rest a 502.
                        var overloaded = protocolStatus == FastCgiRecords.Overloaded;
                        return Fail(context, ForwarderError.ResponseHeaders, overloaded ? StatusCodes.Status503ServiceUnavailable : StatusCodes.Status502BadGateway,
                            new InvalidDataException(head.Length > 0 ? "the response ended inside its head" : $"no response (protocol status {protocolStatus})"));
                }
            }
        }
        catch (Exception e)
        {
            if (exchange.ClientBodyFailure is { } bodyFailure)
            {
                return Fail(context, ForwarderError.RequestBodyClient, (bodyFailure as BadHttpRequestException)?.StatusCode ?? StatusCodes.Status400BadRequest, bodyFailure);
            }

            if (context.RequestAborted.IsCancellationRequested)
            {
                return Fail(context, started ? ForwarderError.ResponseBodyClient : ForwarderError.RequestCanceled, StatusCodes.Status400BadRequest, e);
            }

            var timedOut = e is OperationCanceledException;
            return started
                ? Fail(context, timedOut ? ForwarderError.ResponseBodyCanceled : ForwarderError.ResponseBodyDestination, StatusCodes.Status502BadGateway, e)
                : Fail(context, timedOut ? ForwarderError.RequestTimedOut : ForwarderError.Request, timedOut ? StatusCodes.Status504GatewayTimeout : StatusCodes.Status502BadGateway, e);
        }
    }

    /// <summary>
    /// The status and fields through the route's transformer (which copies them to the response, hides what
    /// hideBackend hides, and may hold back a retryable status: false, the body is then discarded); null when the
    /// fields could not be set (Kestrel refuses a value that is not ASCII), after the 502 was arranged.
    /// </summary>
    private static async ValueTask<bool?> StartResponseAsync(HttpContext context, CgiResponseHead cgi, HttpRequestMessage message,
        HttpTransformer transformer, CancellationToken cancellationToken)
    {
        using var response = new HttpResponseMessage((HttpStatusCode)cgi.StatusCode)
        {
            Version = HttpVersion.Version11,
            RequestMessage = message,
            Content = new HeaderShellContent(),
        };
        foreach (var (name, value) in cgi.Fields)
        {
            if (!response.Headers.TryAddWithoutValidation(name, value))
            {
                response.Content.Headers.TryAddWithoutValidation(name, value);
            }
        }

        try
        {
            context.Response.StatusCode = cgi.StatusCode;
            if (cgi.Reason is { } reason && HttpProtocol.IsHttp11(context.Request.Protocol)
                && reason != Microsoft.AspNetCore.WebUtilities.ReasonPhrases.GetReasonPhrase(cgi.StatusCode))
            {
                context.Features.Get<IHttpResponseFeature>()!.ReasonPhrase = reason;
            }

            return await transformer.TransformResponseAsync(context, response, cancellationToken);
        }
        catch (Exception e)
        {
            context.Response.Clear();
            Fail(context, ForwarderError.ResponseHeaders, StatusCodes.Status502BadGateway, e);
            return null;
        }
    }

    /// <summary>One STDOUT record to the client, sent at once (a script's flush() reaches the client as it happens); the failure when the client's side failed.</summary>
    private static async ValueTask<ForwarderError?> WriteBodyAsync(HttpContext context, ReadOnlyMemory<byte> content, CancellationToken cancellationToken)
    {
        try
        {
            await context.Response.Body.WriteAsync(content, cancellationToken);
            await context.Response.Body.FlushAsync(cancellationToken);
            return null;
        }
        catch (Exception e) when (!cancellationToken.IsCancellationRequested || context.RequestAborted.IsCancellationRequested)
        {
            return Fail(context, ForwarderError.ResponseBodyClient, StatusCodes.Status502BadGateway, e);
        }
    }

    /// <summary>
    /// The failure reported as YARP's forwarder reports its own: the error feature (read by the attempt loop, passive
    /// health and the page writer), and the status when nothing was sent yet; a response already started is aborted so
    /// that a truncated body never looks whole.
    /// </summary>
    private static ForwarderError Fail(HttpContext context, ForwarderError error, int status, Exception exception)
    {
        context.Features.Set<IForwarderErrorFeature>(new LeanErrorFeature(error, exception));
        if (!context.Response.HasStarted)
        {
            context.Response.Clear();
            context.Response.StatusCode = status;
            return error;
        }

        if (context.Features.Get<IHttpResetFeature>() is { } reset)
        {
            reset.Reset(0x2); // RFC 9113 §7 INTERNAL_ERROR
        }
        else
        {
            context.Abort();
        }

        return error;
    }
}
