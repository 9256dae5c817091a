using Gatehouse.Cluster;
using Gatehouse.Configuration;

namespace Gatehouse.Lifecycle;

public static partial class ConfigValidator
{
    private const int MaxNodeNameLength = 100;

    private static void ValidateClusterMode(List<ConfigError> errors, string path, ClusterModeDefinition? cluster, bool acme)
    {
        if (cluster is null)
        {
            return;
        }

        Unknown(errors, path, cluster);
        if (string.IsNullOrWhiteSpace(cluster.Redis))
        {
            errors.Add(new($"{path}.redis", "required: the Redis to share, such as 127.0.0.1:6379 (a StackExchange.Redis configuration string)"));
        }
        else if (RedisConfiguration.Problem(cluster.Redis) is { } problem)
        {
            errors.Add(new($"{path}.redis", $"not a Redis configuration string such as 'host1:6379,host2:6379,password=…,ssl=true' ({problem})"));
        }

        if (string.IsNullOrEmpty(cluster.KeyPrefix))
        {
            errors.Add(new($"{path}.keyPrefix", "must not be empty (it keeps this cluster's keys apart from anything else in the Redis)"));
        }
        else if (cluster.KeyPrefix.Any(c => char.IsWhiteSpace(c) || char.IsControl(c)))
        {
            errors.Add(new($"{path}.keyPrefix", $"'{cluster.KeyPrefix}' holds white space or control characters"));
        }

        Unknown(errors, $"{path}.cache", cluster.Cache);
        PositiveSize(errors, $"{path}.cache.maxEntryBytes", cluster.Cache.MaxEntryBytes);

        if (cluster.NodeName is { } name && (name.Length is 0 or > MaxNodeNameLength || !name.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.')))
        {
            errors.Add(new($"{path}.nodeName", $"'{name}' is not 1 to {MaxNodeNameLength} letters, digits, '-', '_' or '.'"));
        }

        // ACME keeps private keys in Redis in cluster mode: never unencrypted.
        if (cluster.EncryptionKey is { } key)
        {
            if (Gatehouse.Cluster.Acme.SealedBlobs.ResolveKey(key, out var keyProblem) is null)
            {
                errors.Add(new($"{path}.encryptionKey", keyProblem!));
            }
        }
        else if (acme)
        {
            errors.Add(new($"{path}.encryptionKey", "required while tls.acme is on: ACME private keys are kept in Redis, sealed with this key (base64 of 32 bytes, env:NAME or file:PATH; make one with: openssl rand -base64 32)"));
        }
    }
}
