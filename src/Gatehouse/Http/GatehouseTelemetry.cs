using System.Diagnostics;

namespace Gatehouse.Http;

/// <summary>
/// The names every feature records its metrics and spans under (bottom layer, so that features need not know
/// Observability, which exports them). Each feature creates its instruments on the meter named <see cref="MeterName"/>
/// from the host's <see cref="System.Diagnostics.Metrics.IMeterFactory"/>: the meter then belongs to that host, and two
/// Gatehouse servers in one process never mix their counts. Label values come from the config or from a short fixed
/// list, never from the client (docs/operations.md).
/// </summary>
public static class GatehouseTelemetry
{
    public const string MeterName = "Gatehouse";

    /// <summary>The label value of a request that matched no route.</summary>
    public const string NoRoute = "(none)";

    /// <summary>The request and upstream-attempt spans; nothing listens unless tracing is enabled, and then StartActivity returns null at once.</summary>
    public static readonly ActivitySource Tracing = new(MeterName);

    private static readonly string[] StatusClasses = ["1xx", "2xx", "3xx", "4xx", "5xx"];

    /// <summary><c>2xx</c>…<c>5xx</c>; anything outside 100–599 is <c>other</c>.</summary>
    public static string StatusClass(int status) => status is >= 100 and <= 599 ? StatusClasses[(status / 100) - 1] : "other";

    /// <summary>
    /// The method as OpenTelemetry's HTTP conventions label it: one of the RFC 9110 methods and PATCH as itself (the
    /// interned constant, so the label table compares references), anything else <c>_OTHER</c>, so a client cannot make
    /// new series.
    /// </summary>
    public static string MethodClass(string method) => method switch
    {
        _ when HttpMethods.IsGet(method) => HttpMethods.Get,
        _ when HttpMethods.IsPost(method) => HttpMethods.Post,
        _ when HttpMethods.IsHead(method) => HttpMethods.Head,
        _ when HttpMethods.IsPut(method) => HttpMethods.Put,
        _ when HttpMethods.IsDelete(method) => HttpMethods.Delete,
        _ when HttpMethods.IsPatch(method) => HttpMethods.Patch,
        _ when HttpMethods.IsOptions(method) => HttpMethods.Options,
        _ when HttpMethods.IsConnect(method) => HttpMethods.Connect,
        _ when HttpMethods.IsTrace(method) => HttpMethods.Trace,
        _ => "_OTHER",
    };
}
