namespace Gatehouse.Configuration;

/// <summary>The settings in force. Swapped as a whole on reload, read without locks on the request path.</summary>
public sealed class RuntimeSettingsHolder
{
    private volatile RuntimeSettings _current = RuntimeSettings.Empty;

    public RuntimeSettings Current => _current;

    public void Swap(RuntimeSettings next) => _current = next;

    public ClusterRuntimeSettings Cluster(string clusterId) =>
        _current.Clusters.TryGetValue(clusterId, out var settings) ? settings : ClusterRuntimeSettings.Default;

    public RouteRuntimeSettings? Route(string routeId) =>
        _current.Routes.TryGetValue(routeId, out var settings) ? settings : null;
}
