using System.Globalization;
using Gatehouse.Acme.Tests.TestSupport;

namespace Gatehouse.FunctionalTests.FastCgi;

/// <summary>
/// Debian's PHP-FPM (php8.2-fpm in test.sh's PACKAGES), started in the foreground on a loopback port of its own with its
/// pid file, log and document root in a temp folder; stopped (and its folder removed) on dispose.
/// </summary>
public sealed class PhpFpm : IAsyncDisposable
{
    private readonly ChildProcess _process;
    private int _disposed;

    private PhpFpm(ChildProcess process, string directory, string root, int port)
    {
        _process = process;
        Directory = directory;
        Root = root;
        Port = port;
    }

    public string Directory { get; }

    /// <summary>The document root the scripts are written to.</summary>
    public string Root { get; }

    public int Port { get; }

    /// <summary>The Unix socket PHP-FPM listens on, when started with one (then <see cref="Port"/> is 0).</summary>
    public string? SocketPath { get; private init; }

    public string Address => SocketPath is { } path ? "unix:" + path : $"fastcgi://127.0.0.1:{Port.ToString(CultureInfo.InvariantCulture)}";

    public string Log => File.Exists(Path.Combine(Directory, "php-fpm.log")) ? File.ReadAllText(Path.Combine(Directory, "php-fpm.log")) : "";

    /// <summary>Writes <paramref name="scripts"/> (path under the root → text) and starts PHP-FPM serving them.</summary>
    public static async Task<PhpFpm> StartAsync(IReadOnlyDictionary<string, string> scripts, bool unixSocket = false)
    {
        var directory = Path.Combine(Path.GetTempPath(), "gatehouse-tests", "php-" + Guid.NewGuid().ToString("N"));
        var root = Path.Combine(directory, "www");
        System.IO.Directory.CreateDirectory(root);
        foreach (var (path, text) in scripts)
        {
            var file = Path.Combine(root, path.TrimStart('/'));
            System.IO.Directory.CreateDirectory(Path.GetDirectoryName(file)!);
            await File.WriteAllTextAsync(file, text);
        }

        var socketPath = unixSocket ? Path.Combine(directory, "php.sock") : null;
        var port = unixSocket ? 0 : FreePorts.Tcp();
        var asRoot = Environment.UserName == "root";
        var config = Path.Combine(directory, "php-fpm.conf");
        await File.WriteAllTextAsync(config, $"""
            [global]
            pid = {directory}/php-fpm.pid
            error_log = {directory}/php-fpm.log
            daemonize = no

            [www]
            {(asRoot ? "user = root\ngroup = root" : "")}
            listen = {socketPath ?? $"127.0.0.1:{port}"}
            pm = static
            pm.max_children = 4
            catch_workers_output = yes
            """);
        var arguments = new List<string> { "-F", "-n", "-y", config, "-d", "output_buffering=0" };
        if (asRoot)
        {
            arguments.Add("-R");
        }

        var process = new ChildProcess(Binary(), arguments, new Dictionary<string, string>(), directory);
        var fpm = new PhpFpm(process, directory, root, port) { SocketPath = socketPath };
        try
        {
            if (socketPath is null)
            {
                await FreePorts.WaitForListenerAsync(port, TimeSpan.FromSeconds(30), () => process.Output + fpm.Log);
            }
            else
            {
                await WaitForSocketAsync(socketPath, () => process.Output + fpm.Log);
            }
        }
        catch
        {
            await fpm.DisposeAsync();
            throw;
        }

        return fpm;
    }

    /// <summary>Waits until something accepts connections on the Unix socket, within a bounded deadline.</summary>
    private static async Task WaitForSocketAsync(string path, Func<string> diagnostics)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while (true)
        {
            try
            {
                using var socket = new System.Net.Sockets.Socket(System.Net.Sockets.AddressFamily.Unix, System.Net.Sockets.SocketType.Stream, System.Net.Sockets.ProtocolType.Unspecified);
                await socket.ConnectAsync(new System.Net.Sockets.UnixDomainSocketEndPoint(path));
                return;
            }
            catch (System.Net.Sockets.SocketException) when (DateTime.UtcNow < deadline)
            {
                await Task.Delay(50);
            }
            catch (System.Net.Sockets.SocketException e)
            {
                throw new TimeoutException($"PHP-FPM did not listen on {path} within 30 s: {diagnostics()}", e);
            }
        }
    }

    private static string Binary() =>
        new[] { "/usr/sbin/php-fpm8.2", "/usr/sbin/php-fpm" }.FirstOrDefault(File.Exists)
        ?? throw new InvalidOperationException("php-fpm is not installed (test.sh installs php8.2-fpm)");

    public ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 1)
        {
            return ValueTask.CompletedTask;
        }

        _process.Dispose();
        try
        {
            System.IO.Directory.Delete(Directory, recursive: true);
        }
        catch (IOException)
        {
            // a worker still writing its log as it exits; the temp folder is cleaned by the system
        }

        return ValueTask.CompletedTask;
    }
}
