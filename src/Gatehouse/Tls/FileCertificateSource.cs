using Gatehouse.Configuration;

namespace Gatehouse.Tls;

/// <summary>
/// The certificates of <c>tls.certificates</c>. Loads them into the <see cref="CertificateStore"/>, watches their files and
/// reloads on change without a restart; established connections keep their certificate. A file that does not load keeps
/// the last good certificate for that entry, and the reason is logged.
/// </summary>
internal sealed class FileCertificateSource : IDisposable
{
    public const string SourceId = "files";

    private readonly CertificateStore _store;
    private readonly ILogger<FileCertificateSource> _logger;
    private readonly string _baseDirectory;
    private readonly Lock _gate = new();
    private readonly Dictionary<(string Certificate, string Key), CertificateWithChain> _lastGood = [];
    private readonly List<FileSystemWatcher> _watchers = [];
    private readonly Timer _debounce;
    private IReadOnlyList<CertificateFileDefinition> _definitions = [];
    private HashSet<string> _files = new(StringComparer.Ordinal);

    public FileCertificateSource(CertificateStore store, string baseDirectory, IReadOnlyList<CertificateFileDefinition> definitions, ILogger<FileCertificateSource> logger)
    {
        _store = store;
        _logger = logger;
        _baseDirectory = baseDirectory;
        _debounce = new Timer(_ => ReloadOnTimer());
        Configure(definitions);
    }

    /// <summary>Raised after every load with the errors found (empty when every certificate loaded). Tests await it.</summary>
    public event Action<IReadOnlyList<ConfigError>>? Reloaded;

    /// <summary>Applies a new <c>tls.certificates</c> list (config reload): loads it and watches its files.</summary>
    public void Configure(IReadOnlyList<CertificateFileDefinition> definitions)
    {
        lock (_gate)
        {
            _definitions = definitions;
            _files = definitions.SelectMany(d => new[] { d.Certificate!, d.Key! }).Select(p => TlsPaths.Resolve(_baseDirectory, p)).ToHashSet(StringComparer.Ordinal);
            foreach (var watcher in _watchers)
            {
                watcher.Dispose();
            }

            _watchers.Clear();
            foreach (var directory in _files.Select(Path.GetDirectoryName).Distinct().OfType<string>().Where(Directory.Exists))
            {
                var watcher = new FileSystemWatcher(directory)
                {
                    NotifyFilter = NotifyFilters.LastWrite | NotifyFilters.FileName | NotifyFilters.Size | NotifyFilters.CreationTime,
                };
                watcher.Changed += OnFileEvent;
                watcher.Created += OnFileEvent;
                watcher.Renamed += OnFileEvent;
                watcher.EnableRaisingEvents = true;
                _watchers.Add(watcher);
            }
        }

        Reload("configuration");
    }

    public IReadOnlyList<CertificateFileDefinition> Definitions => _definitions;

    private void Reload(string reason)
    {
        var errors = new List<ConfigError>();
        lock (_gate)
        {
            var entries = new List<StoreEntry>();
            for (var i = 0; i < _definitions.Count; i++)
            {
                var definition = _definitions[i];
                var key = (TlsPaths.Resolve(_baseDirectory, definition.Certificate!), TlsPaths.Resolve(_baseDirectory, definition.Key!));
                var loaded = TlsFileCheck.LoadCertificateEntry(definition, i, _baseDirectory, out var entryErrors);
                if (loaded is not null)
                {
                    if (!_lastGood.TryGetValue(key, out var previous) || previous.Certificate.Thumbprint != loaded.Certificate.Thumbprint)
                    {
                        _logger.LogInformation("TLS certificate loaded ({Reason}): {Path}, {Names}, expires {NotAfter:u}",
                            reason, key.Item1, string.Join(", ", PemFiles.Names(loaded.Certificate)), loaded.Certificate.NotAfter.ToUniversalTime());
                    }

                    if (loaded.Certificate.NotAfter < DateTime.Now)
                    {
                        _logger.LogWarning("TLS certificate {Path} expired on {NotAfter:u}; clients will refuse it", key.Item1, loaded.Certificate.NotAfter.ToUniversalTime());
                    }

                    _lastGood[key] = loaded;
                }
                else
                {
                    errors.AddRange(entryErrors);
                    _logger.LogError("TLS certificate {Path} not (re)loaded ({Reason}): {Errors}; {Keeping}",
                        key.Item1, reason, string.Join("; ", entryErrors),
                        _lastGood.ContainsKey(key) ? "still serving the previous certificate" : "no certificate for this entry");
                }

                if (_lastGood.TryGetValue(key, out var current))
                {
                    entries.Add(new StoreEntry(current, definition.Default));
                }
            }

            _store.Set(SourceId, entries);
        }

        Reloaded?.Invoke(errors);
    }

    private void ReloadOnTimer()
    {
        try
        {
            Reload("file change");
        }
        catch (Exception ex)
        {
            // A timer thread must never throw: that would end the process. The last good certificates keep serving.
            _logger.LogError(ex, "TLS certificate reload failed; still serving the previous certificates");
        }
    }

    private void OnFileEvent(object sender, FileSystemEventArgs e)
    {
        // Kubernetes (and other atomic writers) swap a "..data" symlink instead of writing the files themselves.
        if (_files.Contains(e.FullPath) || (e is RenamedEventArgs renamed && _files.Contains(renamed.OldFullPath))
            || e.Name?.StartsWith("..", StringComparison.Ordinal) == true)
        {
            // Certificate and key are usually written one after the other; wait for the burst to end.
            _debounce.Change(TimeSpan.FromMilliseconds(200), Timeout.InfiniteTimeSpan);
        }
    }

    public void Dispose()
    {
        lock (_gate)
        {
            foreach (var watcher in _watchers)
            {
                watcher.Dispose();
            }

            _watchers.Clear();
        }

        _debounce.Dispose();
    }
}
