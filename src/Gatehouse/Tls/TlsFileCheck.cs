using Gatehouse.Configuration;

namespace Gatehouse.Tls;

/// <summary>
/// The load-time half of TLS validation: opens every file the TLS settings name and reports what is wrong with it, with
/// the setting's path (<c>tls.certificates[1].key: not a PEM private key</c>). <c>gatehouse validate</c>, start-up and
/// every reload run it; a reload with a bad file is rejected and the last good config keeps serving. Certificate entries
/// are loaded by one method (<see cref="LoadCertificateEntry"/>) for this check and for serving them.
/// </summary>
public static class TlsFileCheck
{
    /// <param name="upstream">When given, receives each cluster's loaded <c>httpClient.tls</c> files, for its generation to keep.</param>
    public static IReadOnlyList<ConfigError> Check(GatehouseConfig config, string baseDirectory, IDictionary<string, UpstreamTlsFiles>? upstream = null)
    {
        var errors = new List<ConfigError>();
        for (var i = 0; i < config.Tls.Certificates.Count; i++)
        {
            LoadCertificateEntry(config.Tls.Certificates[i], i, baseDirectory, out var entryErrors)?.Certificate.Dispose();
            errors.AddRange(entryErrors);
        }

        for (var i = 0; i < config.Listeners.Count; i++)
        {
            if (config.Listeners[i].Tls?.ClientCertificate.CaBundle is { } bundle)
            {
                CaBundle(errors, $"listeners[{i}].tls.clientCertificate.caBundle", baseDirectory, bundle);
            }
        }

        foreach (var (id, cluster) in config.Clusters)
        {
            if (cluster.HttpClient.Tls is not { } tls)
            {
                continue;
            }

            var files = UpstreamTlsFiles.Load(tls, $"clusters.{id}.httpClient.tls", baseDirectory, errors);
            upstream?.Add(id, files);
        }

        if (config.Tls.Storage is { } storage && File.Exists(TlsPaths.Resolve(baseDirectory, storage)))
        {
            errors.Add(new("tls.storage", "is a file; it must be a folder (created when missing)"));
        }

        if (config.Tls.Acme.CaBundle is { } acmeBundle)
        {
            CaBundle(errors, $"{AcmeSettings.Path}.caBundle", baseDirectory, acmeBundle);
        }

        return errors;
    }

    /// <summary>
    /// Loads <c>tls.certificates[<paramref name="index"/>]</c> (leaf and key, the chain after the leaf): the certificate,
    /// or null and what is wrong, each error with its setting's path. <see cref="FileCertificateSource"/> serves what it loads.
    /// </summary>
    public static CertificateWithChain? LoadCertificateEntry(CertificateFileDefinition definition, int index, string baseDirectory, out IReadOnlyList<ConfigError> errors)
    {
        var path = $"tls.certificates[{index}]";
        var loaded = PemFiles.LoadCertificateWithKey(
            TlsPaths.Resolve(baseDirectory, definition.Certificate!), TlsPaths.Resolve(baseDirectory, definition.Key!), out var certificateError, out var keyError);
        if (loaded is not null && PemFiles.ServerUsageProblem(loaded.Certificate) is { } usage)
        {
            certificateError = usage;
            loaded.Certificate.Dispose();
            loaded = null;
        }

        var found = new List<ConfigError>();
        Add(found, $"{path}.certificate", certificateError);
        Add(found, $"{path}.key", keyError);
        errors = found;
        return loaded;
    }

    private static void CaBundle(List<ConfigError> errors, string path, string baseDirectory, string bundle)
    {
        var certificates = PemFiles.LoadCertificates(TlsPaths.Resolve(baseDirectory, bundle), out var error);
        Add(errors, path, error);
        foreach (var certificate in certificates ?? [])
        {
            certificate.Dispose();
        }
    }

    private static void Add(List<ConfigError> errors, string path, string? error)
    {
        if (error is not null)
        {
            errors.Add(new(path, error));
        }
    }
}
