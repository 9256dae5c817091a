using System.Collections.Frozen;
using Gatehouse.Runtime;
using Yarp.ReverseProxy.Model;

namespace Gatehouse.Forwarding;

/// <summary>
/// Takes drained and disabled destinations (<see cref="DestinationControls"/>) out of a request's candidates, before
/// session affinity and load balancing see them. Every policy then behaves as if those destinations were unhealthy:
/// round robin and the weighted policies skip them, consistent hashing moves only their keys (its ring keeps every
/// destination), and a sticky-session cookie naming one finds no destination, so the request is redistributed and the
/// client re-pinned to the destination that answered. With every destination out of rotation, the cluster answers 503.
/// </summary>
internal static class DestinationRotation
{
    /// <summary>The candidates still in rotation; the same list when none is out, so the common case allocates nothing.</summary>
    public static IReadOnlyList<DestinationState> InRotation(IReadOnlyList<DestinationState> candidates, FrozenDictionary<string, DestinationMode>? outOfRotation)
    {
        if (outOfRotation is null || !AnyOut(candidates, outOfRotation))
        {
            return candidates;
        }

        var kept = new List<DestinationState>(candidates.Count);
        foreach (var destination in candidates)
        {
            if (!IsOut(destination, outOfRotation))
            {
                kept.Add(destination);
            }
        }

        return kept;
    }

    private static bool AnyOut(IReadOnlyList<DestinationState> candidates, FrozenDictionary<string, DestinationMode> outOfRotation)
    {
        foreach (var destination in candidates)
        {
            if (IsOut(destination, outOfRotation))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>Out by its own id, or (one made by DNS discovery) by the id of the configured destination it came from.</summary>
    private static bool IsOut(DestinationState destination, FrozenDictionary<string, DestinationMode> outOfRotation) =>
        outOfRotation.ContainsKey(destination.DestinationId)
        || (destination.Model?.Config.Metadata?.TryGetValue(DestinationMetadata.ConfiguredId, out var configured) == true && outOfRotation.ContainsKey(configured));
}
