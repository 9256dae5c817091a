using Gatehouse.Configuration;

namespace Gatehouse.Lifecycle;

/// <summary>The pure checks of the TLS settings; whether the files exist and hold what they should is checked at load (Tls/TlsFileCheck).</summary>
public static partial class ConfigValidator
{
    private static void ValidateTls(List<ConfigError> errors, GatehouseConfig config)
    {
        var tls = config.Tls;
        Unknown(errors, "tls", tls);
        for (var i = 0; i < tls.Certificates.Count; i++)
        {
            var path = $"tls.certificates[{i}]";
            var certificate = tls.Certificates[i];
            if (certificate is null)
            {
                errors.Add(new(path, "a certificate must be an object"));
                continue;
            }

            Unknown(errors, path, certificate);
            FilePath(errors, $"{path}.certificate", certificate.Certificate, required: true);
            FilePath(errors, $"{path}.key", certificate.Key, required: true);
        }

        if (tls.Certificates.Count(c => c?.Default == true) > 1)
        {
            errors.Add(new("tls.certificates", "only one certificate can be the default"));
        }

        Unknown(errors, "tls.internal", tls.Internal);
        for (var i = 0; i < tls.Internal.Hosts.Count; i++)
        {
            if (!IsCertificateName(tls.Internal.Hosts[i]))
            {
                errors.Add(new($"tls.internal.hosts[{i}]", $"'{tls.Internal.Hosts[i]}' is not a host name or IP address"));
            }
        }

        FilePath(errors, "tls.storage", tls.Storage, required: false);
        var hsts = tls.Hsts;
        Unknown(errors, "tls.hsts", hsts);
        PositiveDuration(errors, "tls.hsts.maxAge", hsts.MaxAge, allowZero: true);
        if (hsts.Preload && (!hsts.IncludeSubDomains || hsts.MaxAge.Value < TimeSpan.FromDays(365)))
        {
            // The preload list (hstspreload.org) refuses anything less.
            errors.Add(new("tls.hsts.preload", "needs includeSubDomains and a maxAge of at least 365d"));
        }

        if (tls.MinProtocol is not (TlsProtocolNames.Tls12 or TlsProtocolNames.Tls13))
        {
            errors.Add(new("tls.minProtocol", $"'{tls.MinProtocol}' is not 1.2 or 1.3 (older versions are not offered)"));
        }

        PositiveDuration(errors, "tls.handshakeTimeout", tls.HandshakeTimeout);
        ValidateAcme(errors, tls.Acme, config.Listeners);
        var hasCertificates = tls.Certificates.Count > 0 || tls.Internal.Hosts.Count > 0 || tls.Acme.Enabled;
        for (var i = 0; i < config.Listeners.Count; i++)
        {
            if (config.Listeners[i]?.Tls is { } listenerTls)
            {
                ValidateListenerTls(errors, $"listeners[{i}].tls", listenerTls, hasCertificates);
            }
        }

        foreach (var (id, cluster) in config.Clusters)
        {
            if (cluster?.HttpClient?.Tls is { } upstream)
            {
                ValidateUpstreamTls(errors, $"clusters.{id}.httpClient.tls", upstream);
            }
        }
    }

    private static void ValidateListenerTls(List<ConfigError> errors, string path, ListenerTlsDefinition tls, bool hasCertificates)
    {
        Unknown(errors, path, tls);
        if (!hasCertificates)
        {
            errors.Add(new(path, "an HTTPS listener needs a certificate: add tls.certificates, tls.internal.hosts or tls.acme.hosts"));
        }

        var client = tls.ClientCertificate;
        Unknown(errors, $"{path}.clientCertificate", client);
        if (client.Mode is not (ClientCertificateModes.None or ClientCertificateModes.Allow or ClientCertificateModes.Require))
        {
            errors.Add(new($"{path}.clientCertificate.mode", $"'{client.Mode}' is not none, allow or require"));
        }
        else if (client.Mode != ClientCertificateModes.None && client.CaBundle is null)
        {
            errors.Add(new($"{path}.clientCertificate.caBundle", $"required with mode {client.Mode}: the CAs client certificates must chain to"));
        }

        FilePath(errors, $"{path}.clientCertificate.caBundle", client.CaBundle, required: false);
        foreach (var (setting, header) in new[] { ("subjectHeader", client.SubjectHeader), ("fingerprintHeader", client.FingerprintHeader) })
        {
            if (!IsToken(header))
            {
                errors.Add(new($"{path}.clientCertificate.{setting}", $"'{header}' is not a header name"));
            }
        }
    }

    private static void ValidateUpstreamTls(List<ConfigError> errors, string path, UpstreamTlsDefinition tls)
    {
        Unknown(errors, path, tls);
        FilePath(errors, $"{path}.caBundle", tls.CaBundle, required: false);
        FilePath(errors, $"{path}.clientCertificate", tls.ClientCertificate, required: false);
        FilePath(errors, $"{path}.clientKey", tls.ClientKey, required: false);
        if ((tls.ClientCertificate is null) != (tls.ClientKey is null))
        {
            errors.Add(new(tls.ClientKey is null ? $"{path}.clientKey" : $"{path}.clientCertificate", "clientCertificate and clientKey go together"));
        }

        if (tls.ServerName is { } name && (Uri.CheckHostName(name) != UriHostNameType.Dns || name.Contains('*', StringComparison.Ordinal)))
        {
            errors.Add(new($"{path}.serverName", $"'{name}' is not a DNS host name"));
        }
    }

    private static void FilePath(List<ConfigError> errors, string path, string? value, bool required)
    {
        if (value is null)
        {
            if (required)
            {
                errors.Add(new(path, "required: a file path"));
            }
        }
        else if (string.IsNullOrWhiteSpace(value) || value.IndexOfAny(Path.GetInvalidPathChars()) >= 0)
        {
            errors.Add(new(path, $"'{value}' is not a file path"));
        }
    }

    /// <summary>A DNS name, a wildcard name (<c>*.example.com</c>) or an IP address.</summary>
    private static bool IsCertificateName(string? name) =>
        !string.IsNullOrWhiteSpace(name)
        && (System.Net.IPAddress.TryParse(name, out _)
            || Uri.CheckHostName(name.StartsWith("*.", StringComparison.Ordinal) ? name[2..] : name) == UriHostNameType.Dns);
}
