using System.Diagnostics.Metrics;
using Gatehouse.Http;
using Gatehouse.Runtime;

namespace Gatehouse.Protection;

/// <summary>Refusals by Gatehouse's access checks and rate limits, labelled with the route and the policy the config names.</summary>
internal sealed class ProtectionTelemetry
{
    private readonly Counter<long> _rateLimited;
    private readonly Counter<long> _denied;

    public ProtectionTelemetry(IMeterFactory meters)
    {
        var meter = meters.Create(GatehouseTelemetry.MeterName);
        _rateLimited = meter.CreateCounter<long>("gatehouse.rate_limit.refusals", "{request}", "Requests refused with 429 by a rate limit policy, by route and policy.");
        _denied = meter.CreateCounter<long>("gatehouse.access.refusals", "{request}",
            "Requests refused by access control, by route and check (ip 403, method 405, basic_auth 401, forward_auth).");
    }

    public void RateLimited(HttpContext context, string policy) =>
        _rateLimited.Add(1, new KeyValuePair<string, object?>("route", Route(context)), new KeyValuePair<string, object?>("policy", policy));

    /// <summary><paramref name="check"/> is one of <c>ip</c>, <c>method</c>, <c>basic_auth</c>, <c>forward_auth</c>.</summary>
    public void Denied(HttpContext context, string check) =>
        _denied.Add(1, new KeyValuePair<string, object?>("route", Route(context)), new KeyValuePair<string, object?>("check", check));

    private static string Route(HttpContext context) => RouteRuntime.Of(context)?.RouteId ?? GatehouseTelemetry.NoRoute;
}
