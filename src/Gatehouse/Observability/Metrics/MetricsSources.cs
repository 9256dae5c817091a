namespace Gatehouse.Observability.Metrics;

/// <summary>The meters Gatehouse exports besides its own, and which of Kestrel's instruments.</summary>
internal static class MetricsSources
{
    public const string KestrelMeter = "Microsoft.AspNetCore.Server.Kestrel";

    public const string RuntimeMeter = "System.Runtime";

    /// <summary>Kestrel's instruments worth their cost: each is recorded once per connection or handshake, none per request.</summary>
    public static readonly HashSet<string> KestrelInstruments =
    [
        "kestrel.active_connections", "kestrel.rejected_connections", "kestrel.tls_handshake.duration", "kestrel.active_tls_handshakes",
    ];
}
