using System.Runtime.InteropServices;
using Gatehouse.Configuration;
using Gatehouse.Protection;
using Gatehouse.Routing;
using Gatehouse.Runtime;
using Yarp.ReverseProxy.Configuration;

namespace Gatehouse.Lifecycle;

/// <summary>
/// Applies a config: validates it whole and, only when valid, swaps Gatehouse's settings and YARP's routes and clusters.
/// With a file, it also watches the file and listens for SIGHUP; an invalid edit is logged with every error and the last
/// good config keeps serving. YARP drains old clusters itself, so in-flight requests and WebSockets are not dropped.
/// </summary>
public sealed class ConfigReloader : IHostedService, IDisposable
{
    private readonly ConfigChecker _checker;
    private readonly GenerationHolder _settings;
    private readonly Protection.RateLimiterRegistry _limiters;
    private readonly InMemoryConfigProvider _proxyConfig;
    private readonly ILogger<ConfigReloader> _logger;
    private readonly SemaphoreSlim _gate = new(1, 1);
    private readonly string? _path;
    private FileSystemWatcher? _watcher;
    private PosixSignalRegistration? _sighup;
    private Timer? _debounce;
    private int _revision;

    public ConfigReloader(ConfigSource source, ConfigChecker checker, GenerationHolder settings, Protection.RateLimiterRegistry limiters, InMemoryConfigProvider proxyConfig, ILogger<ConfigReloader> logger,
        CheckedConfig? initialCheck = null)
    {
        _checker = checker;
        _settings = settings;
        _limiters = limiters;
        _proxyConfig = proxyConfig;
        _logger = logger;
        _path = source.Path is null ? null : Path.GetFullPath(source.Path);
        // The initial generation is built from what the start-up check parsed (the CLI's); a source that comes without
        // it (tests, embedding) is checked here, and that check is the compile.
        Apply(source.Initial, initialCheck is { } check && ReferenceEquals(check.Config, source.Initial)
            ? check.Parsed
            : ConfigValidator.Check(source.Initial).Parsed);
    }

    /// <summary>Raised after every reload attempt, with whether it was applied. Tests await it instead of sleeping.</summary>
    public event Action<ReloadOutcome>? Reloaded;

    public int Revision => Volatile.Read(ref _revision);

    public Task StartAsync(CancellationToken cancellationToken)
    {
        if (_path is null)
        {
            return Task.CompletedTask;
        }

        _debounce = new Timer(_ => _ = ReloadAsync("file change"));
        _watcher = new FileSystemWatcher(Path.GetDirectoryName(_path)!, Path.GetFileName(_path))
        {
            NotifyFilter = NotifyFilters.LastWrite | NotifyFilters.FileName | NotifyFilters.Size | NotifyFilters.CreationTime,
        };
        _watcher.Changed += OnFileEvent;
        _watcher.Created += OnFileEvent;
        _watcher.Renamed += OnFileEvent;
        _watcher.EnableRaisingEvents = true;
        if (!OperatingSystem.IsWindows())
        {
            _sighup = PosixSignalRegistration.Create(PosixSignal.SIGHUP, context =>
            {
                context.Cancel = true;
                _ = ReloadAsync("SIGHUP");
            });
        }

        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken)
    {
        if (_watcher is not null)
        {
            _watcher.EnableRaisingEvents = false;
        }

        return Task.CompletedTask;
    }

    /// <summary>Reads, checks and (when valid) applies the config file. Safe to call concurrently: reloads run one at a time.</summary>
    public async Task<ReloadOutcome> ReloadAsync(string reason)
    {
        if (_path is null)
        {
            return new ReloadOutcome(false, Revision, [new ConfigError("", "no config file to reload")]);
        }

        await _gate.WaitAsync();
        ReloadOutcome outcome;
        try
        {
            var result = await _checker.CheckFileAsync(_path);
            if (result.Config is null)
            {
                _logger.LogError("Config reload ({Reason}) rejected, still serving revision {Revision}: {Count} error(s)", reason, Revision, result.Errors.Count);
                foreach (var error in result.Errors)
                {
                    _logger.LogError("  {Error}", error);
                }

                outcome = new ReloadOutcome(false, Revision, result.Errors);
            }
            else
            {
                var current = _settings.Current.Config;
                foreach (var (section, changed) in new[]
                {
                    ("listeners", !result.Config.Listeners.SequenceEqual(current.Listeners)),
                    // Validated configs carry no unknown properties, so record equality compares the settings alone.
                    ("accessLog", result.Config.AccessLog != current.AccessLog),
                    ("log", result.Config.Log != current.Log),
                    ("server", result.Config.Server != current.Server),
                    ("cache", result.Config.Cache != current.Cache),
                    ("admin", result.Config.Admin != current.Admin),
                    ("metrics", result.Config.Metrics.Enabled != current.Metrics.Enabled || result.Config.Metrics.Otlp != current.Metrics.Otlp),
                    ("tracing", result.Config.Tracing.Enabled != current.Tracing.Enabled || result.Config.Tracing.SampleRatio != current.Tracing.SampleRatio || result.Config.Tracing.Otlp != current.Tracing.Otlp),
                    // Certificates, the internal issuer's hosts, HSTS and the redirect apply on reload (Tls/TlsReloadService).
                    ("tls.minProtocol", result.Config.Tls.MinProtocol != current.Tls.MinProtocol),
                    ("tls.handshakeTimeout", result.Config.Tls.HandshakeTimeout != current.Tls.HandshakeTimeout),
                    ("tls.storage", result.Config.Tls.Storage != current.Tls.Storage),
                    // The ACME manager is built once, at start-up (Tls/AcmeSource): see docs/acme.md.
                    ("tls.acme", !AcmeDefinition.SameSettings(result.Config.Tls.Acme, current.Tls.Acme)),
                    ("limits", result.Config.Limits != current.Limits),
                    ("http.strict", result.Config.Http.Strict != current.Http.Strict),
                })
                {
                    if (changed)
                    {
                        _logger.LogWarning("Config reload ({Reason}): {Section} changed; that section takes effect at the next restart", reason, section);
                    }
                }

                // The objects the check parsed are the ones installed: nothing of the file is parsed again.
                Apply(result.Config, result.Parsed ?? ConfigValidator.Check(result.Config).Parsed);
                _logger.LogInformation("Config reloaded ({Reason}): revision {Revision}, {Routes} route(s), {Clusters} cluster(s)",
                    reason, Revision, result.Config.Routes.Count, result.Config.Clusters.Count);
                outcome = new ReloadOutcome(true, Revision, []);
            }
        }
        catch (Exception ex)
        {
            _logger.LogError(ex, "Config reload ({Reason}) failed, still serving revision {Revision}", reason, Revision);
            outcome = new ReloadOutcome(false, Revision, [new ConfigError("", ex.Message)]);
        }
        finally
        {
            _gate.Release();
        }

        Reloaded?.Invoke(outcome);
        return outcome;
    }

    private void Apply(GatehouseConfig config, ParsedConfig parsed)
    {
        var revision = Interlocked.Increment(ref _revision);
        var (routes, clusters) = YarpConfigMapper.Map(config, revision);
        var settings = GenerationCompiler.Compile(config, parsed, revision);
        // Published before YARP sees the routes: each route's endpoint finds this generation as YARP builds it.
        _settings.Swap(settings);
        // Before YARP sees the routes: limiters of changed policies are replaced and dropped ones disposed here, once,
        // rather than by whichever request of whichever generation comes first.
        _limiters.Apply(settings.Protection().RateLimits.Values);
        _proxyConfig.Update(routes, clusters, revision.ToString(System.Globalization.CultureInfo.InvariantCulture));
        try
        {
            _settings.AnnounceApplied(settings);
        }
        catch (Exception ex)
        {
            // The generation is in force whatever a subscriber (the certificate list) made of it; say what failed.
            _logger.LogError(ex, "Config revision {Revision} applied, but a follow-up step failed", revision);
        }
    }

    private void OnFileEvent(object sender, FileSystemEventArgs e) =>
        // Editors write a file in several steps; wait for the burst to end.
        _debounce?.Change(TimeSpan.FromMilliseconds(150), Timeout.InfiniteTimeSpan);

    public void Dispose()
    {
        _watcher?.Dispose();
        _sighup?.Dispose();
        _debounce?.Dispose();
        _gate.Dispose();
    }
}

public sealed record ReloadOutcome(bool Applied, int Revision, IReadOnlyList<ConfigError> Errors);
