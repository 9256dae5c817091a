using Gatehouse.Http;
using Gatehouse.Runtime;

namespace Gatehouse.Protection;

/// <summary>
/// Early, before routing, so that nothing (routing, access control, rate-limit keys, the cache's Vary, the backend)
/// reads them: drops or refuses the request header fields <see cref="EdgeHeaderRules"/> names. A peer is trusted when
/// <see cref="ClientIdentityMiddleware"/> found it among the trusted proxies.
/// </summary>
internal sealed class EdgeHeadersMiddleware(RequestDelegate next, GenerationHolder settings)
{
    public Task InvokeAsync(HttpContext context)
    {
        var rules = settings.Current.Protection().EdgeHeaders;
        var trustedPeer = context.Features.Get<ClientIdentity>() is not null;
        if (!rules.AppliesTo(trustedPeer))
        {
            return next(context);
        }

        var headers = context.Request.Headers;
        List<string>? dropped = null;
        foreach (var header in headers)
        {
            switch (rules.Judge(header.Key, trustedPeer))
            {
                case EdgeHeaderVerdict.Drop:
                    (dropped ??= []).Add(header.Key);
                    break;
                case EdgeHeaderVerdict.Reject:
                    return ErrorPages.RefuseAsync(context, StatusCodes.Status400BadRequest, closeConnection: false);
            }
        }

        if (dropped is not null)
        {
            foreach (var name in dropped)
            {
                headers.Remove(name);
            }
        }

        return next(context);
    }
}
