using System.CommandLine;
using Gatehouse.Configuration;
using Gatehouse.Hosting;
using Gatehouse.LoadBalancing;

namespace Gatehouse.Cli;

/// <summary>The <c>gatehouse</c> command line: run, validate, proxy (quick mode), demo, and the admin API's commands.</summary>
public static class GatehouseCli
{
    public static RootCommand Build()
    {
        var root = new RootCommand("Gatehouse: a reverse proxy, load balancer, HTTP cache and TLS terminator.");

        var configOption = new Option<FileInfo>("--config", "-c") { Description = "The JSON config file.", Required = true };
        var run = new Command("run", "Run the proxy from a config file. The file is watched and reloaded on change or SIGHUP.") { configOption };
        run.SetAction((parse, ct) => RunAsync(parse.GetValue(configOption)!, ct));

        var fileArgument = new Argument<FileInfo>("file") { Description = "The JSON config file to check." };
        var validate = new Command("validate", "Check a config file; print every error with its path. Exit 0 when valid, 1 when not.") { fileArgument };
        validate.SetAction((parse, _) => ValidateAsync(parse.GetValue(fileArgument)!));

        var from = new Option<string>("--from") { Description = "Address to listen on: http://, https://, or h2c:// (plain HTTP/2 with prior knowledge, for gRPC clients).", DefaultValueFactory = _ => "http://127.0.0.1:8080" };
        var to = new Option<string[]>("--to") { Description = "A backend address (http://, https://, or h2c:// for cleartext HTTP/2 such as a gRPC service); repeat for more.", Required = true, AllowMultipleArgumentsPerToken = false };
        var lb = new Option<string>("--lb") { Description = $"Load-balancing policy: {string.Join(", ", LoadBalancingPolicyNames.All)}.", DefaultValueFactory = _ => LoadBalancingPolicyNames.Default };
        var cache = new Option<bool>("--cache") { Description = "Cache responses as an RFC 9111 shared cache (in memory)." };
        var compress = new Option<bool>("--compress") { Description = "Compress text responses (zstd, br, gzip by Accept-Encoding; stored once per encoding with --cache)." };
        var tlsCert = new Option<string>("--tls-cert") { Description = "With an https:// --from: PEM certificate (leaf and chain). Without it, a local CA issues one." };
        var tlsKey = new Option<string>("--tls-key") { Description = "With --tls-cert: its PEM private key." };
        var storage = new Option<string>("--storage") { Description = "Folder for the local CA. Default: ~/.local/share/gatehouse." };
        var admin = new Option<string>("--admin")
        {
            Description = "Turn on the admin API (status, drain, reload, purge, metrics, dashboard) at a loopback ADDRESS:PORT such as 127.0.0.1:9901, without a token.",
        };
        var redis = new Option<string>("--redis") { Description = "Cluster mode: share the cache and state with every node naming this Redis (HOST:PORT, or a StackExchange.Redis configuration string; docs/cluster.md)." };
        var proxy = new Command("proxy", "Quick mode: proxy one address to one or more backends, no config file.") { from, to, lb, cache, compress, tlsCert, tlsKey, storage, admin, redis };
        proxy.SetAction((parse, ct) => ProxyAsync(parse.GetValue(from)!, parse.GetValue(to) ?? [], parse.GetValue(lb), parse.GetValue(cache),
            new QuickTls(parse.GetValue(tlsCert), parse.GetValue(tlsKey), parse.GetValue(storage)), parse.GetValue(admin), parse.GetValue(compress), parse.GetValue(redis), ct));

        var port = new Option<int>("--port") { Description = "Port for Gatehouse on 127.0.0.1.", DefaultValueFactory = _ => 8080 };
        var httpsPort = new Option<int>("--https-port") { Description = "HTTPS port for Gatehouse on 127.0.0.1 (certificate from a local CA).", DefaultValueFactory = _ => 8443 };
        var adminPort = new Option<int>("--admin-port") { Description = "Port for the admin API, metrics and dashboard on 127.0.0.1 (no token: loopback only).", DefaultValueFactory = _ => 9901 };
        var demo = new Command("demo", "Start two demo backends on loopback and Gatehouse in front of them, over HTTP and HTTPS, with the dashboard.") { port, httpsPort, adminPort, storage };
        demo.SetAction((parse, ct) => DemoAsync(parse.GetValue(port), parse.GetValue(httpsPort), parse.GetValue(adminPort), parse.GetValue(storage), ct));

        root.Subcommands.Add(run);
        root.Subcommands.Add(validate);
        root.Subcommands.Add(proxy);
        root.Subcommands.Add(demo);
        root.Subcommands.Add(HashPasswordCommand.Build());
        foreach (var command in AdminCommands.Build())
        {
            root.Subcommands.Add(command);
        }

        foreach (var command in root.Subcommands)
        {
            command.Options.Add(new VersionOption());
        }

        return root;
    }

    private static async Task<int> RunAsync(FileInfo file, CancellationToken cancellationToken)
    {
        var result = await GatehouseServiceCollectionExtensions.CreateStandaloneChecker().CheckFileAsync(file.FullName);
        if (result.Config is null)
        {
            PrintErrors(file.FullName, result.Errors);
            return 1;
        }

        return await ServeAsync(new ConfigSource(result.Config, file.FullName), result.Parsed, cancellationToken);
    }

    private static async Task<int> ValidateAsync(FileInfo file)
    {
        var result = await GatehouseServiceCollectionExtensions.CreateStandaloneChecker().CheckFileAsync(file.FullName);
        if (result.Config is null)
        {
            PrintErrors(file.FullName, result.Errors);
            return 1;
        }

        Console.Out.WriteLine($"{file.FullName}: valid ({result.Config.Routes.Count} route(s), {result.Config.Clusters.Count} cluster(s), {result.Config.Listeners.Count} listener(s))");
        return 0;
    }

    private static async Task<int> ProxyAsync(string from, string[] to, string? lb, bool cache, QuickTls tls, string? admin, bool compress, string? redis, CancellationToken cancellationToken)
    {
        var result = await GatehouseServiceCollectionExtensions.CreateStandaloneChecker().CheckAsync(QuickConfig.Build(from, to, lb, cache, tls, admin, compress, redis));
        if (result.Config is null)
        {
            PrintErrors("gatehouse proxy", result.Errors);
            return 1;
        }

        return await ServeAsync(new ConfigSource(result.Config, null), result.Parsed, cancellationToken);
    }

    private static async Task<int> DemoAsync(int port, int httpsPort, int adminPort, string? storage, CancellationToken cancellationToken)
    {
        await using var backends = await DemoBackends.StartAsync(2, cancellationToken);
        var config = new GatehouseConfig
        {
            Listeners =
            [
                new ListenerDefinition { Name = "demo", Address = "127.0.0.1", Port = port },
                new ListenerDefinition { Name = "demo-https", Address = "127.0.0.1", Port = httpsPort, Tls = new ListenerTlsDefinition() },
            ],
            // On loopback the admin API needs no token, as in quick mode's --admin.
            Admin = new AdminDefinition { Address = "127.0.0.1", Port = adminPort },
            // The local CA covers both names; plain HTTP keeps answering (no redirect) so both URLs can be tried.
            Tls = new TlsDefinition { Internal = new() { Hosts = ["localhost", "127.0.0.1"] }, Storage = storage, RedirectHttp = false },
            Routes = new Dictionary<string, RouteDefinition>
            {
                ["all"] = new() { ClusterId = "demo", Match = new() { PathPrefix = "/" } },
                ["cached"] = new() { ClusterId = "demo", Match = new() { PathPrefix = "/cached" }, Cache = new() { Enabled = true } },
            },
            Clusters = new Dictionary<string, ClusterDefinition>
            {
                ["demo"] = new()
                {
                    LoadBalancingPolicy = LoadBalancingPolicyNames.RoundRobin,
                    Destinations = backends.Backends.ToDictionary(b => b.Name, b => new DestinationDefinition { Address = b.Address.ToString() }),
                    HealthCheck = new() { Active = new() { Enabled = true, Path = "/healthz", Interval = Duration.Parse("2s") } },
                },
            },
        };

        await using var server = GatehouseServer.Create(new ConfigSource(config, null));
        if (!await TryStartAsync(server, cancellationToken))
        {
            return 1;
        }

        var url = server.Addresses[0];
        var secure = new UriBuilder(server.Addresses[1]) { Host = "localhost" }.Uri;
        var root = server.App.Services.GetRequiredService<Tls.InternalCertificateSource>().RootPath;
        Console.Error.WriteLine($"""

            Gatehouse demo is running at {url} and {secure}
              Two demo backends ({string.Join(" and ", backends.Backends.Select(b => b.Name))}) listen on loopback behind it, round robin.
              HTTPS uses a certificate from Gatehouse's local CA; its root, to trust, is {root}

              Try:
                curl {url}                  # answers alternate between backend-a and backend-b
                curl -i {url}hello?x=1      # note: no Server or X-Powered-By header from the backend
                curl -X POST {url}orders     # any method, any path is proxied
                curl -i {url}cached/page     # cached for 10 s: see Cache-Status and Age; the backend's count stops rising
                curl -i --cacert {root} {secure}   # HTTPS (HTTP/2 with --http2), with Strict-Transport-Security

              Operations (admin API on http://127.0.0.1:{adminPort}/, loopback only):
                open http://127.0.0.1:{adminPort}/dashboard in a browser   # live rates, p50/p99, destinations with drain buttons
                gatehouse status --admin 127.0.0.1:{adminPort}             # destinations, health, in flight
                gatehouse destination drain demo backend-a --admin 127.0.0.1:{adminPort}
                curl -s http://127.0.0.1:{adminPort}/metrics | head        # Prometheus metrics

              Access log lines appear below. Press Ctrl+C to stop.

            """);
        await WaitForShutdownAsync(server, cancellationToken);
        return 0;
    }

    private static async Task<int> ServeAsync(ConfigSource source, Lifecycle.ParsedConfig? parsed, CancellationToken cancellationToken)
    {
        await using var server = GatehouseServer.Create(source, parsed);
        if (!await TryStartAsync(server, cancellationToken))
        {
            return 1;
        }

        var lines = new List<string> { Banner(server.ListenerAddresses, server.AdminAddress) };
        if (server.App.Services.GetRequiredService<Tls.InternalCertificateSource>().RootPath is { } root)
        {
            lines.Add($"HTTPS certificates come from Gatehouse's local CA; trust its root: {root} (for example curl --cacert {root})");
        }

        foreach (var line in lines)
        {
            if (source.Initial.Log.Format == LogFormats.Json)
            {
                // Every line on stderr is then one JSON object, for the log shipper that reads them.
                Http.GatehouseLog.Started(server.App.Services.GetRequiredService<ILoggerFactory>().CreateLogger("Gatehouse"), line);
            }
            else
            {
                await Console.Error.WriteLineAsync(line);
            }
        }

        await WaitForShutdownAsync(server, cancellationToken);
        return 0;
    }

    /// <summary>The start line: the proxy listeners, then the admin API apart, so that it is not taken for one of them.</summary>
    internal static string Banner(IReadOnlyList<Uri> listeners, Uri? admin) =>
        $"Gatehouse {Version} listening on {string.Join(", ", listeners)}" + (admin is null ? "" : $"; admin API on {admin}");

    /// <summary>Starts the server; a failure (a port in use, a certificate that cannot load) is one line on stderr, no stack trace.</summary>
    private static async Task<bool> TryStartAsync(GatehouseServer server, CancellationToken cancellationToken)
    {
        try
        {
            await server.StartAsync(cancellationToken);
            return true;
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            await Console.Error.WriteLineAsync($"gatehouse: cannot start: {StartFailure(ex)}");
            return false;
        }
    }

    /// <summary>Kestrel's "Failed to bind to address http://127.0.0.1:8080: address already in use." says it all; others get their cause too.</summary>
    internal static string StartFailure(Exception ex)
    {
        var message = ex.Message.TrimEnd('.');
        return ex.InnerException is { } inner && !message.Contains(inner.Message.TrimEnd('.'), StringComparison.OrdinalIgnoreCase)
            ? $"{message} ({inner.Message.TrimEnd('.')})"
            : message;
    }

    private static async Task WaitForShutdownAsync(GatehouseServer server, CancellationToken cancellationToken)
    {
        // The host's lifetime handles SIGTERM and Ctrl+C: stop accepting, drain in-flight requests up to server.drainTimeout.
        var lifetime = server.App.Services.GetRequiredService<IHostApplicationLifetime>();
        using var registration = cancellationToken.Register(lifetime.StopApplication);
        await server.App.WaitForShutdownAsync(CancellationToken.None);
    }

    private static void PrintErrors(string source, IReadOnlyList<ConfigError> errors)
    {
        Console.Error.WriteLine($"{source}: {errors.Count} error(s)");
        foreach (var error in errors)
        {
            Console.Error.WriteLine($"  {error}");
        }
    }

    public static string Version =>
        typeof(GatehouseCli).Assembly.GetCustomAttributes(typeof(System.Reflection.AssemblyInformationalVersionAttribute), false)
            .OfType<System.Reflection.AssemblyInformationalVersionAttribute>().FirstOrDefault()?.InformationalVersion.Split('+')[0] ?? "0.0.0";
}
