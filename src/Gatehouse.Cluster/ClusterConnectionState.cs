namespace Gatehouse.Cluster;

public enum ClusterConnectionState
{
    /// <summary>No connection yet: the first attempt is still under way.</summary>
    Connecting,

    Connected,

    /// <summary>Redis cannot be reached; the connection retries about every second.</summary>
    Disconnected,
}

/// <summary>The connection's state, since when it holds, and the last failure seen (null while connected).</summary>
public sealed record ClusterConnectionStatus(ClusterConnectionState State, DateTimeOffset Since, string? LastError);
