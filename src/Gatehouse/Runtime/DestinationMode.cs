namespace Gatehouse.Runtime;

/// <summary>
/// What an operator set on a destination at run time (admin API, <c>gatehouse destination …</c>). It is apart from
/// health: a healthy destination can be out of rotation, and health checks keep probing one that is.
/// </summary>
public enum DestinationMode
{
    /// <summary>In rotation (the default; "enable" returns a destination to it).</summary>
    Active,

    /// <summary>Gets no new requests; the ones in flight finish. Reported as "draining", then "drained" once idle.</summary>
    Draining,

    /// <summary>Gets no new requests, like HAProxy's maintenance mode. Requests already in flight are not cut.</summary>
    Disabled,
}

/// <summary>The words the admin API, the CLI and metrics use for a destination's run-time state.</summary>
public static class DestinationStates
{
    public const string Active = "active";
    public const string Draining = "draining";
    public const string Drained = "drained";
    public const string Disabled = "disabled";

    /// <summary>
    /// The state to report: a draining destination is "drained" once nothing is in flight on it, so an operator (or a
    /// script) knows it can be stopped.
    /// </summary>
    public static string Describe(DestinationMode mode, int inFlight) => mode switch
    {
        DestinationMode.Draining => inFlight > 0 ? Draining : Drained,
        DestinationMode.Disabled => Disabled,
        _ => Active,
    };
}
