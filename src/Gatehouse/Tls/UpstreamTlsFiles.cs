using System.Net.Security;
using System.Security.Cryptography.X509Certificates;
using Gatehouse.Configuration;

namespace Gatehouse.Tls;

/// <summary>
/// The files of one cluster's <c>httpClient.tls</c>, loaded by the check that reports what is wrong with them
/// (<see cref="TlsFileCheck"/>) and kept in that config's generation, so the HTTP client of the cluster trusts and presents
/// what was checked instead of reading the files again. The paths say which settings the material is for.
/// </summary>
public sealed record UpstreamTlsFiles(string? CaBundle, X509Certificate2Collection? Roots, string? ClientCertificate, string? ClientKey, SslStreamCertificateContext? Client)
{
    /// <summary>
    /// The one load of <paramref name="tls"/>: the material, and an error for each file that cannot serve, at
    /// <c><paramref name="path"/>.caBundle</c>, <c>.clientCertificate</c> or <c>.clientKey</c>.
    /// </summary>
    public static UpstreamTlsFiles Load(UpstreamTlsDefinition tls, string path, string baseDirectory, ICollection<ConfigError> errors)
    {
        X509Certificate2Collection? roots = null;
        if (tls.CaBundle is { } bundle)
        {
            roots = PemFiles.LoadCertificates(TlsPaths.Resolve(baseDirectory, bundle), out var error);
            Add(errors, $"{path}.caBundle", error);
        }

        SslStreamCertificateContext? client = null;
        if (tls.ClientCertificate is { } certificate && tls.ClientKey is { } key)
        {
            var loaded = PemFiles.LoadCertificateWithKey(TlsPaths.Resolve(baseDirectory, certificate), TlsPaths.Resolve(baseDirectory, key), out var certificateError, out var keyError);
            Add(errors, $"{path}.clientCertificate", certificateError);
            Add(errors, $"{path}.clientKey", keyError);
            client = loaded is null ? null : SslStreamCertificateContext.Create(loaded.Certificate, loaded.Intermediates, offline: true);
        }

        return new UpstreamTlsFiles(tls.CaBundle, roots, tls.ClientCertificate, tls.ClientKey, client);
    }

    /// <summary>Whether this material was loaded from the files <paramref name="metadata"/> names (the settings of the client being made).</summary>
    public bool IsFor(IReadOnlyDictionary<string, string> metadata) =>
        CaBundle == metadata.GetValueOrDefault(UpstreamTls.CaBundleMetadata)
        && ClientCertificate == metadata.GetValueOrDefault(UpstreamTls.ClientCertificateMetadata)
        && ClientKey == metadata.GetValueOrDefault(UpstreamTls.ClientKeyMetadata);

    private static void Add(ICollection<ConfigError> errors, string path, string? error)
    {
        if (error is not null)
        {
            errors.Add(new(path, error));
        }
    }
}
