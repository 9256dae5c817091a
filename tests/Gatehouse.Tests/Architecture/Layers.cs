namespace Gatehouse.Tests.Architecture;

/// <summary>
/// The layers of src/Gatehouse (docs/architecture.md, "Layers"), bottom first. A folder may use folders of lower layers;
/// within the bottom layer only those listed before it; a feature folder uses no other feature folder.
/// </summary>
internal static class Layers
{
    /// <summary>Gatehouse's libraries (projects of their own: Gatehouse.Caching, Gatehouse.Acme, Gatehouse.Http1, Gatehouse.Cluster, Gatehouse.ProxyProtocol): usable by any folder.</summary>
    public static readonly string[] Libraries = ["Caching", "Acme", "Http1", "Cluster", "ProxyProtocol"];

    /// <summary>Shared by everything, in order: each may use only those before it.</summary>
    public static readonly string[] Bottom = ["Configuration", "Runtime", "Http", "Upstream"];

    /// <summary>One function each; they use the bottom layer and nothing else of Gatehouse.</summary>
    public static readonly string[] Features = ["Protection", "Tls", "LoadBalancing", "Health", "Forwarding", "Routing", "RouteCaching", "Compression", "StaticFiles", "Observability", "TrafficShaping", "Overload", "Discovery"];

    /// <summary>Assemble the features, in order: each may use the features, the bottom layer and those before it.</summary>
    public static readonly string[] Top = ["Lifecycle", "Admin", "Hosting", "Cli", "(global)"];

    public static bool MayUse(string from, string to)
    {
        if (Libraries.Contains(to))
        {
            return true;
        }

        if (Array.IndexOf(Bottom, from) is var bottom and >= 0)
        {
            return Array.IndexOf(Bottom, to) is var other and >= 0 && other < bottom;
        }

        if (Features.Contains(from))
        {
            return Bottom.Contains(to);
        }

        var top = Array.IndexOf(Top, from);
        return top >= 0 && (Bottom.Contains(to) || Features.Contains(to) || Array.IndexOf(Top, to) is var t and >= 0 && t < top);
    }

    public static bool IsKnown(string folder) => Libraries.Contains(folder) || Bottom.Contains(folder) || Features.Contains(folder) || Top.Contains(folder);
}
