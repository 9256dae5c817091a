using Gatehouse.Caching.Storage;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Net.Http.Headers;

namespace Gatehouse.Caching.Middleware;

/// <summary>
/// A request the cache makes on its own — a background refresh (RFC 5861 §3) — sent through the same pipeline as the
/// request that triggered it: a GET for the same scheme, host, path and query, with only the request fields that can
/// change the answer (those the stored response's Vary nominates, those the route's key adds, the cookies the key
/// names) plus the stored validators; the triggering request's endpoint, route values and connection addresses; its
/// own service scope, and a lifetime of its own bounded by a timeout. It is built while the triggering request is still
/// in progress and is independent of it afterwards.
/// </summary>
internal sealed class SyntheticRequest : IAsyncDisposable
{
    private readonly AsyncServiceScope _scope;
    private readonly CancellationTokenSource _lifetime;
    private readonly SyntheticResponse _response;

    private SyntheticRequest(HttpContext context, AsyncServiceScope scope, CancellationTokenSource lifetime, SyntheticResponse response)
    {
        Context = context;
        _scope = scope;
        _lifetime = lifetime;
        _response = response;
    }

    public HttpContext Context { get; }

    /// <param name="original">The request that found the stale entry.</param>
    /// <param name="entry">The entry to refresh.</param>
    /// <param name="settings">The route's settings.</param>
    /// <param name="scopes">Where the synthetic request's services come from: the original request's scope ends with it.</param>
    /// <param name="lifetime">Cancelled on timeout or shutdown; owned by the synthetic request from now on.</param>
    public static SyntheticRequest Create(HttpContext original, CachedResponse entry, HttpCacheRouteSettings settings, IServiceScopeFactory scopes, CancellationTokenSource lifetime)
    {
        var source = original.Request;
        var requestFeature = new RequestFeature
        {
            Protocol = source.Protocol,
            Method = HttpMethods.Get,
            Scheme = source.Scheme,
            PathBase = source.PathBase.Value ?? "",
            Path = source.Path.Value ?? "",
            QueryString = source.QueryString.Value ?? "",
            RawTarget = source.PathBase.Add(source.Path).ToUriComponent() + source.QueryString.ToUriComponent(),
            Headers = Headers(source.Headers, entry, settings),
            Body = Stream.Null,
        };
        var response = new SyntheticResponse();
        var scope = scopes.CreateAsyncScope();

        var features = new FeatureCollection();
        features.Set<IHttpRequestFeature>(requestFeature);
        features.Set<IHttpRequestBodyDetectionFeature>(requestFeature);
        features.Set<IHttpResponseFeature>(response);
        features.Set<IHttpResponseBodyFeature>(response);
        features.Set<IHttpRequestLifetimeFeature>(new Lifetime(lifetime));
        features.Set<IHttpRequestIdentifierFeature>(new HttpRequestIdentifierFeature());
        features.Set<IItemsFeature>(new ItemsFeature());
        features.Set<IServiceProvidersFeature>(new ServiceProvidersFeature { RequestServices = scope.ServiceProvider });
        if (original.Features.Get<IHttpConnectionFeature>() is { } connection)
        {
            features.Set<IHttpConnectionFeature>(new HttpConnectionFeature
            {
                ConnectionId = connection.ConnectionId,
                LocalIpAddress = connection.LocalIpAddress,
                LocalPort = connection.LocalPort,
                RemoteIpAddress = connection.RemoteIpAddress,
                RemotePort = connection.RemotePort,
            });
        }

        var context = new DefaultHttpContext(features);
        context.SetEndpoint(original.GetEndpoint());
        context.Request.RouteValues = new RouteValueDictionary(source.RouteValues);
        return new SyntheticRequest(context, scope, lifetime, response);
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            await _response.RunCompletedCallbacksAsync();
        }
        finally
        {
            _lifetime.Dispose();
            await _scope.DisposeAsync();
        }
    }

    private static HeaderDictionary Headers(IHeaderDictionary source, CachedResponse entry, HttpCacheRouteSettings settings)
    {
        var headers = new HeaderDictionary();
        CopyIfPresent(source, headers, HeaderNames.Host);
        foreach (var name in FieldList.Members(entry.Headers.GetValueOrDefault(HeaderNames.Vary)))
        {
            CopyIfPresent(source, headers, name);
        }
        foreach (var name in settings.Key.Headers)
        {
            CopyIfPresent(source, headers, name);
        }
        if (settings.Key.Cookies.Count > 0 && KeyCookies(source, settings.Key.Cookies) is { Length: > 0 } cookies)
        {
            headers[HeaderNames.Cookie] = cookies;
        }
        foreach (var (name, value) in Revalidation.ConditionalHeaders(new StoredHeaderView(entry.Headers)))
        {
            headers[name] = value;
        }
        return headers;
    }

    private static void CopyIfPresent(IHeaderDictionary source, IHeaderDictionary target, string name)
    {
        if (source.TryGetValue(name, out var value))
        {
            target[name] = value;
        }
    }

    /// <summary>Only the cookies the key names: the refresh is shared, so nobody's other cookies go with it.</summary>
    private static string KeyCookies(IHeaderDictionary source, IReadOnlyList<string> names)
    {
        var kept = new List<string>();
        foreach (var line in source.Cookie)
        {
            foreach (var pair in (line ?? "").Split(';', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
            {
                var equals = pair.IndexOf('=', StringComparison.Ordinal);
                if (equals > 0 && names.Contains(pair[..equals].Trim()))
                {
                    kept.Add(pair);
                }
            }
        }
        return string.Join("; ", kept);
    }

    private sealed class RequestFeature : HttpRequestFeature, IHttpRequestBodyDetectionFeature
    {
        public bool CanHaveBody => false;
    }

    private sealed class Lifetime(CancellationTokenSource source) : IHttpRequestLifetimeFeature
    {
        public CancellationToken RequestAborted { get => source.Token; set => throw new NotSupportedException(); }

        public void Abort() => source.Cancel();
    }
}
