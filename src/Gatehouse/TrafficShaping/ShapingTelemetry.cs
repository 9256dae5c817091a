using System.Diagnostics.Metrics;
using Gatehouse.Http;

namespace Gatehouse.TrafficShaping;

/// <summary>
/// Traffic shaping's counters: requests by the cluster a split chose (<c>gatehouse.split.requests</c>), mirror copies by
/// outcome (<c>gatehouse.mirror.requests</c>: sent, failed, timed_out; dropped_full, dropped_body_too_large,
/// dropped_no_destination) and copies in flight (<c>gatehouse.mirror.in_flight</c>). The totals are kept here too,
/// for the admin status and tests.
/// </summary>
internal sealed class ShapingTelemetry
{
    private readonly Counter<long> _split;
    private readonly Counter<long> _mirrors;
    private readonly UpDownCounter<long> _inFlight;
    private long _sent;
    private long _dropped;
    private long _failed;

    public ShapingTelemetry(IMeterFactory meters)
    {
        var meter = meters.Create(GatehouseTelemetry.MeterName);
        _split = meter.CreateCounter<long>("gatehouse.split.requests", "{request}", "Requests of split routes, by route and the cluster chosen.");
        _mirrors = meter.CreateCounter<long>("gatehouse.mirror.requests", "{request}",
            "Mirror copies by route and outcome: sent (the shadow answered), failed, timed_out, or dropped_* (never sent).");
        _inFlight = meter.CreateUpDownCounter<long>("gatehouse.mirror.in_flight", "{request}", "Mirror copies in flight, by route.");
    }

    public long Sent => Interlocked.Read(ref _sent);

    public long Dropped => Interlocked.Read(ref _dropped);

    public long Failed => Interlocked.Read(ref _failed);

    public void Split(string route, string cluster) =>
        _split.Add(1, new KeyValuePair<string, object?>("route", route), new KeyValuePair<string, object?>("cluster", cluster));

    public void Drop(string route, string reason)
    {
        Interlocked.Increment(ref _dropped);
        Mirrored(route, "dropped_" + reason);
    }

    public void Started(string route) => _inFlight.Add(1, new KeyValuePair<string, object?>("route", route));

    public void Ended(string route, string outcome)
    {
        _inFlight.Add(-1, new KeyValuePair<string, object?>("route", route));
        Interlocked.Increment(ref outcome == "sent" ? ref _sent : ref _failed);
        Mirrored(route, outcome);
    }

    private void Mirrored(string route, string outcome) =>
        _mirrors.Add(1, new KeyValuePair<string, object?>("route", route), new KeyValuePair<string, object?>("outcome", outcome));
}
