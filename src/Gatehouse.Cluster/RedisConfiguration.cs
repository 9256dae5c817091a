using StackExchange.Redis;

namespace Gatehouse.Cluster;

/// <summary>
/// Reads <see cref="ClusterOptions.Redis"/> (StackExchange.Redis's configuration string) and sets what cluster mode needs
/// whatever the string says: keep trying when Redis is down, fail commands at once instead of queueing them while it is,
/// and retry the connection every second.
/// </summary>
public static class RedisConfiguration
{
    /// <summary>How long a command may take unless the string says otherwise (<c>asyncTimeout=</c>): a request waits at most this for Redis.</summary>
    public static readonly TimeSpan DefaultCommandTimeout = TimeSpan.FromSeconds(1);

    /// <summary>Parses <paramref name="configuration"/>; throws <see cref="ArgumentException"/> with the parser's reason when it is not valid.</summary>
    public static ConfigurationOptions Parse(string configuration, string clientName)
    {
        var options = ConfigurationOptions.Parse(configuration);
        if (options.EndPoints.Count == 0)
        {
            throw new ArgumentException("no endpoint (HOST:PORT)", nameof(configuration));
        }

        options.AbortOnConnectFail = false;
        options.BacklogPolicy = BacklogPolicy.FailFast;
        options.ReconnectRetryPolicy = new LinearRetry(1000);
        options.ClientName ??= clientName;
        if (!configuration.Contains("asyncTimeout", StringComparison.OrdinalIgnoreCase))
        {
            options.AsyncTimeout = (int)DefaultCommandTimeout.TotalMilliseconds;
        }

        if (!configuration.Contains("syncTimeout", StringComparison.OrdinalIgnoreCase))
        {
            options.SyncTimeout = (int)DefaultCommandTimeout.TotalMilliseconds;
        }

        if (!configuration.Contains("connectTimeout", StringComparison.OrdinalIgnoreCase))
        {
            options.ConnectTimeout = 2000;
        }

        return options;
    }

    /// <summary>The reason <paramref name="configuration"/> is not valid, or null when it is.</summary>
    public static string? Problem(string configuration)
    {
        try
        {
            Parse(configuration, "check");
            return null;
        }
        catch (Exception ex) when (ex is ArgumentException or FormatException or NotSupportedException)
        {
            return ex.Message;
        }
    }
}
