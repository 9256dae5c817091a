using System.Net.Security;
using System.Runtime.CompilerServices;
using System.Security.Cryptography.X509Certificates;

namespace Gatehouse.Tls;

/// <summary>
/// Every server certificate Gatehouse can present, by source: <c>files</c> (tls.certificates), <c>internal</c> (the local
/// CA), and whatever else registers at runtime (ACME). A source replaces its whole set with <see cref="Set"/>; the store
/// then swaps in a new <see cref="SniIndex{T}"/> atomically, so handshakes never see a half-updated state and
/// connections already established keep the certificate they were given.
/// </summary>
public sealed class CertificateStore
{
    private readonly Lock _gate = new();
    private readonly List<(string Source, List<(ServerCertificate Certificate, bool IsDefault)> Entries)> _sources = [];

    // A certificate's handshake context is built once, when it is first given to the store: another source's change
    // leaves it (and the TLS session state .NET keeps with it) as it is.
    private readonly ConditionalWeakTable<CertificateWithChain, ServerCertificate> _built = [];
    private SniIndex<ServerCertificate> _selection = SniSelection.Build<ServerCertificate>([]);

    /// <summary>Raised after every change, with the id of the source that changed.</summary>
    public event Action<string>? Changed;

    /// <summary>Replaces the certificates of one source. Earlier-registered sources win when two name the same host.</summary>
    public void Set(string sourceId, IReadOnlyList<StoreEntry> certificates)
    {
        var entries = certificates.Select(e => (_built.GetValue(e.Certificate, Build), e.IsDefault)).ToList();
        lock (_gate)
        {
            var index = _sources.FindIndex(s => s.Source == sourceId);
            if (index >= 0)
            {
                _sources[index] = (sourceId, entries);
            }
            else
            {
                _sources.Add((sourceId, entries));
            }

            Rebuild();
        }

        Changed?.Invoke(sourceId);
    }

    /// <summary>Replaces the certificates of one source (none of them marked default).</summary>
    public void Set(string sourceId, IReadOnlyList<CertificateWithChain> certificates) =>
        Set(sourceId, certificates.Select(c => new StoreEntry(c)).ToList());

    public void Remove(string sourceId)
    {
        lock (_gate)
        {
            _sources.RemoveAll(s => s.Source == sourceId);
            Rebuild();
        }

        Changed?.Invoke(sourceId);
    }

    /// <summary>The certificate for a ClientHello's server name (null or unknown: the default); null when there is none at all.</summary>
    public ServerCertificate? Select(string? serverName) => Volatile.Read(ref _selection).Select(serverName);

    /// <summary>Every certificate held, with its source, in the order sources registered (for the admin API).</summary>
    public IReadOnlyList<(string Source, ServerCertificate Certificate, bool IsDefault)> Entries
    {
        get
        {
            lock (_gate)
            {
                return _sources.SelectMany(s => s.Entries.Select(e => (s.Source, e.Certificate, e.IsDefault))).ToList();
            }
        }
    }

    /// <summary>Every certificate held now, with its source's id (for metrics and status).</summary>
    public IReadOnlyList<(string Source, ServerCertificate Certificate)> All()
    {
        lock (_gate)
        {
            return [.. _sources.SelectMany(s => s.Entries.Select(e => (s.Source, e.Certificate)))];
        }
    }

    /// <summary>Whether some certificate names this host (exactly or by wildcard); the default alone does not count.</summary>
    public bool HasCertificateFor(string host) => Volatile.Read(ref _selection).Find(host) is not null;

    private static ServerCertificate Build(CertificateWithChain certificate) => new(
        certificate.Certificate,
        // offline: false lets .NET fetch missing intermediates (AIA) and, on Linux, staple OCSP responses.
        SslStreamCertificateContext.Create(certificate.Certificate, certificate.Intermediates, offline: false),
        PemFiles.Names(certificate.Certificate));

    private void Rebuild()
    {
        var entries = _sources.SelectMany(s => s.Entries).Select(e => (e.Certificate.Names, e.Certificate, e.IsDefault)).ToList();
        Volatile.Write(ref _selection, SniSelection.Build(entries));
    }
}

/// <summary>One certificate given to the store; <see cref="IsDefault"/> asks for it to answer unknown or absent SNI.</summary>
public sealed record StoreEntry(CertificateWithChain Certificate, bool IsDefault = false);

/// <summary>A certificate ready for handshakes: its context (leaf, intermediates, OCSP staple) is built once.</summary>
public sealed record ServerCertificate(X509Certificate2 Certificate, SslStreamCertificateContext Context, IReadOnlyList<string> Names);
