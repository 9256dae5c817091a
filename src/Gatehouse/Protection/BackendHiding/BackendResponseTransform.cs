using System.Buffers.Text;
using System.Net;
using System.Text;
using Gatehouse.Configuration;
using Gatehouse.Http;
using Gatehouse.Http1;
using Gatehouse.Protection;
using Gatehouse.Runtime;
using Microsoft.Extensions.Primitives;
using Microsoft.Net.Http.Headers;
using Yarp.ReverseProxy.Transforms;
using Yarp.ReverseProxy.Transforms.Builder;

namespace Gatehouse.Protection;

/// <summary>
/// Runs on every backend response, after YARP copied status and headers and before any body byte is sent: drops headers
/// that reveal the backend and those the backend named in Connection, rewrites URLs and cookie domains naming a
/// destination, ends the route timeout, holds back a retryable status so the attempt loop can try again, and marks an
/// error body for replacement by Gatehouse's own page. The settings are read per response, from the route's own generation.
/// The same work runs on the lean path's direct head (<see cref="IDirectResponseStep"/>), from the parsed backend head.
/// </summary>
internal sealed class BackendResponseTransform(GenerationHolder settings) : ResponseTransform, ITransformProvider, IDirectResponseStep
{
    public void ValidateRoute(TransformRouteValidationContext context)
    {
    }

    public void ValidateCluster(TransformClusterValidationContext context)
    {
    }

    public void Apply(TransformBuilderContext context) => context.ResponseTransforms.Add(this);

    public override ValueTask ApplyAsync(ResponseTransformContext context) => OnResponse(context);

    internal ValueTask OnResponse(ResponseTransformContext context)
    {
        var proxyResponse = context.ProxyResponse;
        if (proxyResponse is null)
        {
            return ValueTask.CompletedTask;
        }

        var hide = settings.For(context.HttpContext).HideBackend();
        var headers = context.HttpContext.Response.Headers;

        // One pass over the backend's header names (no parsing, no allocation): drop identity headers, note the rare
        // headers that may need rewriting.
        var names = new NameScan(hide.Headers, headers);
        foreach (var header in proxyResponse.Headers.NonValidated)
        {
            names.See(header.Key);
        }

        // RFC 9110 §7.6.1: fields the backend named in Connection are for its hop only. (Parsed only when present.)
        if (names.HasConnection && proxyResponse.Headers.Connection is { Count: > 0 } connection)
        {
            foreach (var name in connection)
            {
                RemoveConnectionNamed(headers, name);
            }
        }

        var status = (int)proxyResponse.StatusCode;
        var contentLength = status >= 400 ? proxyResponse.Content?.Headers.ContentLength : null;
        if (Finish(context.HttpContext, hide, status, proxyResponse.Version, contentLength, names.MayRewrite))
        {
            context.SuppressResponseBody = true;
        }

        return ValueTask.CompletedTask;
    }

    public void OnDirectResponse(HttpContext context, ResponseHead backend, ref bool suppressBody)
    {
        var hide = settings.For(context).HideBackend();
        var headers = context.Response.Headers;
        var fields = backend.Fields;
        var names = new NameScan(hide.Headers, headers);
        for (var i = 0; i < fields.Count; i++)
        {
            var name = fields.Name(i);
            // HttpClient keeps content headers apart, and the message form looks at the others only.
            if (!ContentHeaderNames.Contains(name))
            {
                names.See(name);
            }
        }

        if (names.HasConnection)
        {
            for (var i = 0; i < fields.Count; i++)
            {
                if (fields.Name(i).Equals(HeaderNames.Connection, StringComparison.OrdinalIgnoreCase))
                {
                    RemoveConnectionNamed(headers, fields.ValueBytes(i));
                }
            }
        }

        var status = backend.StatusCode;
        var contentLength = status >= 400 ? DeclaredLength(fields) : null;
        if (Finish(context, hide, status, backend.MinorVersion == 0 ? HttpVersion.Version10 : HttpVersion.Version11, contentLength, names.MayRewrite))
        {
            suppressBody = true;
        }
    }

    /// <summary>What both forms do once the backend's names were seen; true when the body is to be discarded.</summary>
    private static bool Finish(HttpContext context, HideBackendSettings hide, int status, Version version, long? contentLength, bool mayRewrite)
    {
        var headers = context.Response.Headers;
        if (hide.Via is { } via)
        {
            headers.Append(HeaderNames.Via, via.ForVersion(version));
        }

        var state = context.Features.Get<ForwardingState>();
        if (state is { RetryAllowed: true } && state.RetryStatuses.Contains(status))
        {
            state.RejectedStatus = status;
            return true;
        }

        // This response goes to the client: the route timeout (time to response headers) is met.
        state?.DisarmTimeout();

        if (mayRewrite || headers.ContentLocation.Count > 0)
        {
            RewriteBackendReferences(context, hide);
        }

        if (status >= 400 && state is not null)
        {
            var policy = hide.ErrorPagesFor(context.GetReverseProxyFeature().Route.Config.RouteId);
            if (ErrorPageDecision.ShouldReplace(policy, status, headers.ContentType, contentLength)
                && !ErrorPageDecision.HasNoTransform(headers.CacheControl))
            {
                // The backend's body is discarded unread; ForwardingMiddleware writes Gatehouse's page in its place.
                state.ReplacedStatus = status;
                ErrorPages.RemoveRepresentationHeaders(headers);
                return true;
            }
        }

        return false;
    }

    /// <summary>One pass over the backend's field names: identity headers dropped, rewritable and Connection fields noted.</summary>
    private struct NameScan(IdentityHeaders identity, IHeaderDictionary headers)
    {
        public bool MayRewrite;
        public bool HasConnection;

        public void See(string name)
        {
            if (identity.ShouldRemove(name))
            {
                headers.Remove(name);
            }
            else if (IsRewritable(name))
            {
                MayRewrite = true;
            }
            else if (name.Length == 10 && name.Equals(HeaderNames.Connection, StringComparison.OrdinalIgnoreCase))
            {
                HasConnection = true;
            }
        }
    }

    private static void RemoveConnectionNamed(IHeaderDictionary headers, string? name)
    {
        if (!string.Equals(name, "close", StringComparison.OrdinalIgnoreCase) && !string.Equals(name, "keep-alive", StringComparison.OrdinalIgnoreCase) && name is not null)
        {
            headers.Remove(name);
        }
    }

    /// <summary>The tokens of one Connection field value (RFC 9110 §7.6.1), a string made only for a name to remove.</summary>
    private static void RemoveConnectionNamed(IHeaderDictionary headers, ReadOnlySpan<byte> value)
    {
        foreach (var range in value.Split((byte)','))
        {
            var token = value[range].Trim(" \t"u8);
            if (token.IsEmpty || Ascii.EqualsIgnoreCase(token, "close"u8) || Ascii.EqualsIgnoreCase(token, "keep-alive"u8))
            {
                continue;
            }

            headers.Remove(Encoding.Latin1.GetString(token));
        }
    }

    /// <summary>The Content-Length the backend declared (the parser accepted one at most, of digits only), as HttpClient reads it.</summary>
    private static long? DeclaredLength(HeaderFields fields)
    {
        for (var i = 0; i < fields.Count; i++)
        {
            if (Ascii.EqualsIgnoreCase(fields.NameBytes(i), "Content-Length"u8))
            {
                return Utf8Parser.TryParse(fields.ValueBytes(i), out long length, out var consumed) && consumed == fields.ValueBytes(i).Length ? length : null;
            }
        }

        return null;
    }

    private static bool IsRewritable(string name) => name.Length switch
    {
        7 => name.Equals("Refresh", StringComparison.OrdinalIgnoreCase),
        8 => name.Equals(HeaderNames.Location, StringComparison.OrdinalIgnoreCase),
        10 => name.Equals(HeaderNames.SetCookie, StringComparison.OrdinalIgnoreCase),
        _ => false,
    };

    private static void RewriteBackendReferences(HttpContext context, HideBackendSettings hide)
    {
        var origins = hide.OriginsOf(context.GetReverseProxyFeature().Cluster.Config.ClusterId);
        if (origins.IsEmpty)
        {
            return;
        }

        var headers = context.Response.Headers;
        var target = new PublicTarget(origins, context.Request.Scheme, context.Request.Host.HasValue ? context.Request.Host.Value : null);
        if (hide.RewriteLocations)
        {
            if (Rewrite(headers.Location, Reference.Url, target, out var location))
            {
                headers.Location = location;
            }

            if (Rewrite(headers.ContentLocation, Reference.Url, target, out var contentLocation))
            {
                headers.ContentLocation = contentLocation;
            }

            if (headers.TryGetValue("Refresh", out var refreshValues) && Rewrite(refreshValues, Reference.Refresh, target, out var refresh))
            {
                headers["Refresh"] = refresh;
            }
        }

        if (hide.RewriteCookieDomains && Rewrite(headers.SetCookie, Reference.Cookie, target, out var cookies))
        {
            headers.SetCookie = cookies;
        }
    }

    /// <summary>The values rewritten one by one; false (and nothing allocated) when none changed.</summary>
    private static bool Rewrite(StringValues values, Reference kind, in PublicTarget target, out StringValues result)
    {
        string[]? rewritten = null;
        for (var i = 0; i < values.Count; i++)
        {
            var value = values[i];
            if (value is null)
            {
                continue;
            }

            var next = kind switch
            {
                Reference.Url => BackendUrlRewriter.RewriteUrl(value, target.Origins, target.Scheme, target.Host),
                Reference.Refresh => BackendUrlRewriter.RewriteRefresh(value, target.Origins, target.Scheme, target.Host),
                _ => CookieDomainRewriter.Rewrite(value, target.Origins),
            };
            if (!ReferenceEquals(next, value))
            {
                rewritten ??= values.ToArray()!;
                rewritten[i] = next;
            }
        }

        result = rewritten is null ? values : new StringValues(rewritten);
        return rewritten is not null;
    }

    private enum Reference
    {
        Url,
        Refresh,
        Cookie,
    }

    /// <summary>The destinations to look for, and the scheme and host the client used, which replace them.</summary>
    private readonly record struct PublicTarget(BackendOrigins Origins, string Scheme, string? Host);
}
