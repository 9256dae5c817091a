using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using Gatehouse.Caching.Storage;
using Gatehouse.Cluster.Caching;

namespace Gatehouse.Admin;

/// <summary>
/// How the admin API answers: indented JSON, never cached. Every body is one of the records below, written with
/// compile-time generated metadata (<see cref="AdminJsonContext"/>), so a Native AOT build answers as the JIT build does.
/// </summary>
internal static class AdminJson
{
    // The relaxed encoder writes quotes and apostrophes as they are (not \u0027): answers are JSON, never HTML.
    public static readonly JsonSerializerOptions Options = new(JsonSerializerDefaults.Web)
    {
        WriteIndented = true,
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        TypeInfoResolver = AdminJsonContext.Default,
    };

    /// <summary>The same on one line: one dashboard event is one <c>data:</c> line.</summary>
    public static readonly JsonSerializerOptions Compact = new(Options) { WriteIndented = false };

    public static async Task WriteAsync(HttpContext context, int status, object body)
    {
        context.Response.StatusCode = status;
        context.Response.ContentType = "application/json; charset=utf-8";
        context.Response.Headers.CacheControl = "no-store";
        await JsonSerializer.SerializeAsync(context.Response.Body, body, Options.GetTypeInfo(body.GetType()), context.RequestAborted);
    }
}

internal sealed record AdminError(string Error);

internal sealed record AdminUnknownEndpoint(string Error, IReadOnlyList<string> Endpoints);

internal sealed record AdminUnknownAction(string Error, IEnumerable<string> Actions);

internal sealed record AdminUnknownCluster(string Error, IEnumerable<string> Clusters);

internal sealed record AdminUnknownDestination(string Error, IEnumerable<string> Destinations);

internal sealed record AdminProbe(string Status);

internal sealed record AdminReadiness(string Status, IReadOnlyList<string> Problems);

internal sealed record AdminConfigBody(int Revision, JsonNode Config);

internal sealed record AdminReloadBody(bool Applied, int Revision, IEnumerable<string> Errors);

internal sealed record AdminPurgeBody(int Purged);

internal sealed record AdminCertificatesBody(IReadOnlyList<AdminCertificate> Certificates);

internal sealed record AdminCertificate(
    IReadOnlyList<string> Hosts, string Subject, string Issuer, string NotBefore, string NotAfter, double DaysLeft, string Thumbprint, string Source, bool IsDefault);

internal sealed record AdminStatusBody(int Revision, IEnumerable<AdminRoute> Routes, IReadOnlyList<AdminCluster> Clusters, HttpCacheStoreStatistics? Cache, AdminClusterNode? Cluster);

internal sealed record AdminRoute(string Id, string? Cluster, IReadOnlyList<string>? Hosts, string? Path, IReadOnlyList<string>? Methods, bool Cached);

internal sealed record AdminCluster(string Id, string? LoadBalancingPolicy, bool SessionAffinity, IReadOnlyList<AdminDestination> Destinations);

internal sealed record AdminDestination(string Id, string Address, string Active, string Passive, int ConcurrentRequests, string State);

internal sealed record AdminDestinationChanged(string Cluster, AdminDestination Destination);

internal sealed record AdminDiscoveredDestinationsChanged(string Cluster, string Configured, IEnumerable<AdminDestination> Destinations);

internal sealed record AdminClusterNode(string Node, string Redis, string KeyPrefix, string State, DateTimeOffset Since, string? LastError, SharedCacheStatistics? Cache);

internal sealed record DashboardEvent(
    int Revision, DateTimeOffset Time, IEnumerable<DashboardRoute> Routes, IReadOnlyList<AdminCluster> Clusters, DashboardCache? Cache,
    IReadOnlyList<AdminCertificate> Certificates, IReadOnlyList<ReloadRecord> Reloads);

internal sealed record DashboardRoute(string Id, string? Cluster, long Requests, long ServerErrors, double RequestsPerSecond, double ErrorRate, double? P50Ms, double? P99Ms);

internal sealed record DashboardCache(long Entries, long Bytes, long MaxBytes, long Evictions, long Hits, long Misses, double? HitRatio);

/// <summary>Every admin answer, and the CLI's echo of one (<see cref="JsonElement"/>).</summary>
[JsonSerializable(typeof(AdminError))]
[JsonSerializable(typeof(AdminUnknownEndpoint))]
[JsonSerializable(typeof(AdminUnknownAction))]
[JsonSerializable(typeof(AdminUnknownCluster))]
[JsonSerializable(typeof(AdminUnknownDestination))]
[JsonSerializable(typeof(AdminProbe))]
[JsonSerializable(typeof(AdminReadiness))]
[JsonSerializable(typeof(AdminConfigBody))]
[JsonSerializable(typeof(AdminReloadBody))]
[JsonSerializable(typeof(AdminPurgeBody))]
[JsonSerializable(typeof(AdminCertificatesBody))]
[JsonSerializable(typeof(AdminStatusBody))]
[JsonSerializable(typeof(AdminDestinationChanged))]
[JsonSerializable(typeof(AdminDiscoveredDestinationsChanged))]
[JsonSerializable(typeof(DashboardEvent))]
[JsonSerializable(typeof(JsonElement))]
internal sealed partial class AdminJsonContext : JsonSerializerContext;
