using System.Runtime.CompilerServices;
using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Http;
using Yarp.ReverseProxy.Configuration;
using Yarp.ReverseProxy.Model;
using Yarp.ReverseProxy.SessionAffinity;

namespace Gatehouse.LoadBalancing;

/// <summary>
/// Cookie sticky sessions, as YARP's extension point for session affinity. The cookie holds a hash of the destination
/// id (SHA-256 of the lower-cased id in UTF-16, hex: the format of YARP's and ARR's hash cookie, so cookies issued
/// before stay valid). Unlike YARP's own policy, the cookie is issued again whenever the answer comes from another
/// destination than the one the cookie named, as HAProxy does on a redispatch: when a retry moved the request (the
/// pinned destination failed) or the pinned destination is gone, the client is pinned to the one that answered.
/// </summary>
internal sealed class CookieAffinityPolicy(TimeProvider time) : ISessionAffinityPolicy
{
    public const string PolicyName = "Gatehouse.Cookie";

    // Items key: the destination the request's cookie named, when one of the available destinations matched it.
    private static readonly object Pinned = new();

    private readonly ConditionalWeakTable<DestinationState, string> _keys = new();

    public string Name => PolicyName;

    public AffinityResult FindAffinitizedDestinations(HttpContext context, ClusterState cluster, SessionAffinityConfig config, IReadOnlyList<DestinationState> destinations)
    {
        if (context.Request.Cookies[config.AffinityKeyName] is not { } key)
        {
            return new(null, AffinityStatus.AffinityKeyNotSet);
        }

        foreach (var destination in destinations)
        {
            if (string.Equals(KeyOf(destination), key, StringComparison.OrdinalIgnoreCase))
            {
                context.Items[Pinned] = destination;
                return new(destination, AffinityStatus.OK);
            }
        }

        return new(null, AffinityStatus.DestinationNotFound);
    }

    public void AffinitizeResponse(HttpContext context, ClusterState cluster, SessionAffinityConfig config, DestinationState destination)
    {
        // Runs for each attempt that reaches the client's response; a retry's attempt finds the first attempt's pin,
        // which names another destination, and so re-pins.
        if (ReferenceEquals(context.Items[Pinned], destination))
        {
            return;
        }

        context.Response.Cookies.Append(config.AffinityKeyName, KeyOf(destination), CookieOptions(config.Cookie, context.Request.IsHttps, time.GetUtcNow()));
    }

    /// <summary>The cookie value that names <paramref name="destination"/>. Pure.</summary>
    internal string KeyOf(DestinationState destination) => _keys.GetValue(destination, static d =>
        Convert.ToHexString(SHA256.HashData(Encoding.Unicode.GetBytes(d.DestinationId.ToLowerInvariant()))));

    /// <summary>The affinity cookie's attributes from the cluster's cookie settings. Pure.</summary>
    internal static CookieOptions CookieOptions(SessionAffinityCookieConfig? cookie, bool isHttps, DateTimeOffset now) => new()
    {
        Path = cookie?.Path ?? "/",
        Domain = cookie?.Domain,
        HttpOnly = cookie?.HttpOnly ?? true,
        IsEssential = cookie?.IsEssential ?? false,
        SameSite = cookie?.SameSite ?? SameSiteMode.Unspecified,
        MaxAge = cookie?.MaxAge,
        Expires = cookie?.Expiration is { } expiration ? now + expiration : null,
        Secure = cookie?.SecurePolicy switch
        {
            CookieSecurePolicy.Always => true,
            CookieSecurePolicy.None => false,
            _ => isHttps,
        },
    };
}
