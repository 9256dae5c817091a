using Gatehouse.Acme.Tests.TestSupport;
using StackExchange.Redis;

namespace Gatehouse.FunctionalTests.Infrastructure;

/// <summary>
/// Debian's <c>redis-server</c> (test.sh installs it) on 127.0.0.1, without persistence, for the cluster-mode tests. It
/// can be killed (SIGKILL, as a crash) and started again on the same port, empty, as a restarted Redis comes back.
/// </summary>
public sealed class RedisServer : IAsyncDisposable
{
    private const string Ready = "Ready to accept connections";
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(20);

    private readonly string directory;
    private ChildProcess? process;
    private ConnectionMultiplexer? admin;

    private RedisServer(int port, string directory)
    {
        Port = port;
        this.directory = directory;
    }

    public int Port { get; }

    /// <summary>What <c>cluster.redis</c> names: <c>127.0.0.1:PORT</c>.</summary>
    public string Endpoint => $"127.0.0.1:{Port}";

    public bool IsRunning => process is { HasExited: false };

    /// <summary>Starts a Redis on a free loopback port (below the ephemeral range: redis-server cannot report the port it bound).</summary>
    public static async Task<RedisServer> StartAsync()
    {
        var directory = Path.Combine(Path.GetTempPath(), "gatehouse-tests", "redis-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(directory);
        var server = new RedisServer(FreePorts.Tcp(), directory);
        await server.RestartAsync();
        return server;
    }

    /// <summary>Starts redis-server (again) on <see cref="Port"/>, empty, and returns once it accepts connections.</summary>
    public async Task RestartAsync()
    {
        if (IsRunning)
        {
            throw new InvalidOperationException("redis-server is running; Kill it first");
        }

        process?.Dispose();
        process = new ChildProcess(
            "redis-server",
            ["--port", Port.ToString(System.Globalization.CultureInfo.InvariantCulture), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--dir", directory, "--protected-mode", "yes"],
            new Dictionary<string, string>(),
            directory);
        await process.WaitForLineAsync(Ready, StartTimeout);
    }

    /// <summary>SIGKILL: connections drop at once, as when Redis crashes or its host goes away.</summary>
    public void Kill()
    {
        process?.Stop();
    }

    /// <summary>A connection of the test's own, to look at or tamper with what the nodes stored.</summary>
    public async Task<IDatabase> DatabaseAsync()
    {
        admin ??= await ConnectionMultiplexer.ConnectAsync($"{Endpoint},abortConnect=false,allowAdmin=true");
        return admin.GetDatabase();
    }

    /// <summary>Every key (few in a test: KEYS is fine here).</summary>
    public async Task<IReadOnlyList<string>> KeysAsync(string pattern = "*")
    {
        await DatabaseAsync();
        var server = admin!.GetServer(admin.GetEndPoints()[0]);
        var keys = new List<string>();
        await foreach (var key in server.KeysAsync(pattern: pattern))
        {
            keys.Add(key.ToString());
        }

        return keys;
    }

    public string Output => process?.Output ?? "";

    public async ValueTask DisposeAsync()
    {
        if (admin is not null)
        {
            await admin.DisposeAsync();
        }

        process?.Dispose();
        try
        {
            Directory.Delete(directory, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
