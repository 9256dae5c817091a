using Gatehouse.Configuration;
using Gatehouse.Hosting;
using Gatehouse.Lifecycle;
using Microsoft.AspNetCore.Builder;

namespace Gatehouse.FunctionalTests.Infrastructure;

/// <summary>A real Gatehouse, in this process, listening on 127.0.0.1 port 0, run from a config file in a temp folder.</summary>
public sealed class TestProxy : IAsyncDisposable
{
    private readonly GatehouseServer _server;

    private TestProxy(GatehouseServer server, string configPath, string directory)
    {
        _server = server;
        ConfigPath = configPath;
        Directory = directory;
        Client = CreateClient();
    }

    public string ConfigPath { get; }

    public string Directory { get; }

    public Uri Address => _server.Addresses[0];

    /// <summary>Every bound address: the listeners in config order, then the admin listener.</summary>
    public IReadOnlyList<Uri> Addresses => _server.Addresses;

    /// <summary>The admin listener's address, when the config has one (it is bound after the listeners).</summary>
    public Uri AdminAddress => _server.Addresses[^1];

    public HttpClient Client { get; }

    public ConfigReloader Reloader => _server.Reloader;

    public IServiceProvider Services => _server.App.Services;

    /// <summary>Starts Gatehouse from JSON. "LISTENER" in the text stands for the loopback port-0 listener.</summary>
    public static async Task<TestProxy> StartAsync(string json, Action<WebApplicationBuilder>? configure = null)
    {
        var directory = Path.Combine(Path.GetTempPath(), "gatehouse-tests", Guid.NewGuid().ToString("N"));
        System.IO.Directory.CreateDirectory(directory);
        var path = Path.Combine(directory, "gatehouse.json");
        await File.WriteAllTextAsync(path, json);
        var result = await GatehouseServiceCollectionExtensions.CreateStandaloneChecker().CheckFileAsync(path);
        Assert.True(result.Config is not null, "test config invalid: " + string.Join("; ", result.Errors));
        var server = GatehouseServer.Create(new ConfigSource(result.Config!, path), configure);
        await server.StartAsync();
        return new TestProxy(server, path, directory);
    }

    public HttpClient CreateClient(bool allowCookies = false) => new(new SocketsHttpHandler { UseCookies = allowCookies, PooledConnectionLifetime = TimeSpan.FromMinutes(5) })
    {
        BaseAddress = Address,
        Timeout = TimeSpan.FromSeconds(30),
    };

    /// <summary>Rewrites the config file and waits for the reload it triggers (file watch), however it ends.</summary>
    public async Task<ReloadOutcome> ReloadAsync(string json)
    {
        var outcome = new TaskCompletionSource<ReloadOutcome>(TaskCreationOptions.RunContinuationsAsynchronously);
        void OnReloaded(ReloadOutcome o) => outcome.TrySetResult(o);
        Reloader.Reloaded += OnReloaded;
        try
        {
            await File.WriteAllTextAsync(ConfigPath, json);
            return await outcome.Task.WaitAsync(TimeSpan.FromSeconds(10));
        }
        finally
        {
            Reloader.Reloaded -= OnReloaded;
        }
    }

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        await _server.StopAsync();
        await _server.DisposeAsync();
        try
        {
            System.IO.Directory.Delete(Directory, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
