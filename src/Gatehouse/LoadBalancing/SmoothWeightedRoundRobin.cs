namespace Gatehouse.LoadBalancing;

/// <summary>
/// nginx's smooth weighted round robin: every pick adds each peer's weight to its running score, takes the highest score
/// and subtracts the total weight from it. Weights 5,1,1 give a,a,b,a,c,a,a rather than a,a,a,a,a,b,c.
/// </summary>
public static class SmoothWeightedRoundRobin
{
    /// <summary>Picks an index and updates <paramref name="scores"/> in place. Weights must be positive.</summary>
    public static int Pick(ReadOnlySpan<int> weights, Span<long> scores)
    {
        long total = 0;
        var best = -1;
        for (var i = 0; i < weights.Length; i++)
        {
            scores[i] += weights[i];
            total += weights[i];
            if (best < 0 || scores[i] > scores[best])
            {
                best = i;
            }
        }

        if (best >= 0)
        {
            scores[best] -= total;
        }

        return best;
    }
}
