using System.Security.Cryptography;
using System.Text;
using Gatehouse.Cluster.RateLimits;

namespace Gatehouse.Protection;

/// <summary>
/// Where a shared policy counts in Redis: <c>ratelimit:POLICY:FINGERPRINT:ip:ADDRESS</c> or <c>…:key:VALUE</c> (under the
/// cluster's prefix). The fingerprint of the policy's numbers makes a changed policy start afresh, as a reload does on one
/// node, and keeps nodes running different versions of a policy (a rolling change) from sharing one count.
/// </summary>
internal static class SharedRateLimitKeys
{
    /// <summary>Longer client values (a header, a cookie) are hashed, so a client cannot make keys of any size.</summary>
    private const int MaxPlainLength = 64;

    public static string PolicyPrefix(RateLimitPolicy policy, SharedLeasePlan plan) =>
        $"ratelimit:{policy.Name}:{SharedRateLimitScripts.Fingerprint(plan.Shape)}:";

    public static string Partition(RateLimitPartitionKey partition)
    {
        var value = partition.Value.Length <= MaxPlainLength
            ? partition.Value
            : "sha256-" + Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(partition.Value)));
        return (partition.IsClientIp ? "ip:" : "key:") + value;
    }
}
