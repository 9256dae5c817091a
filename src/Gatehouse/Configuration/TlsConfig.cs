namespace Gatehouse.Configuration;

/// <summary>
/// Top-level <c>tls</c>: where server certificates come from (PEM files, the internal issuer; ACME later) and the
/// hardening that applies to every HTTPS listener. A listener is HTTPS when it has its own <c>tls</c> section.
/// </summary>
public sealed record TlsDefinition : ConfigSection
{
    /// <summary>PEM files: leaf and chain in one file, the key in another. SNI names come from each certificate's SAN DNS names.</summary>
    public IReadOnlyList<CertificateFileDefinition> Certificates { get; set; } = [];

    /// <summary>A local CA (like Caddy's <c>tls internal</c>) issuing short-lived certificates for these hosts.</summary>
    public InternalIssuerDefinition Internal { get; set; } = new();

    /// <summary>Automatic certificates from an ACME CA (see docs/acme.md).</summary>
    public AcmeDefinition Acme { get; set; } = new();

    /// <summary>Where the internal CA and ACME state (under <c>acme/</c>) are kept. Default: <c>gatehouse-data</c> next to the config file.</summary>
    public string? Storage { get; set; }

    public HstsDefinition Hsts { get; set; } = new();

    /// <summary>Redirect plain-HTTP requests for hosts that have a certificate to the HTTPS listener (301, or 308 for non-GET/HEAD).</summary>
    public bool RedirectHttp { get; set; } = true;

    /// <summary><c>1.2</c> (TLS 1.2 and 1.3) or <c>1.3</c> (TLS 1.3 only). Older versions are never offered.</summary>
    public string MinProtocol { get; set; } = TlsProtocolNames.Tls12;

    /// <summary>
    /// From accepting a connection to the end of its TLS handshake (Kestrel's HandshakeTimeout, 10 s by default, as
    /// Kestrel's own); a client that stays silent or sends half a ClientHello is closed then.
    /// </summary>
    public Duration HandshakeTimeout { get; set; } = Duration.Parse("10s");
}

public static class TlsProtocolNames
{
    public const string Tls12 = "1.2";
    public const string Tls13 = "1.3";
}

public sealed record CertificateFileDefinition : ConfigSection
{
    /// <summary>PEM file holding the leaf certificate first, then its intermediates.</summary>
    public string? Certificate { get; set; }

    /// <summary>PEM file holding the private key (PKCS#8, RSA or EC).</summary>
    public string? Key { get; set; }

    /// <summary>Served when SNI names no host of any certificate (or is absent). Default: the first listed certificate.</summary>
    public bool Default { get; set; }
}

public sealed record InternalIssuerDefinition : ConfigSection
{
    /// <summary>Host names (or IP addresses) the internal issuer covers; empty turns it off.</summary>
    public IReadOnlyList<string> Hosts { get; set; } = [];
}

public sealed record HstsDefinition : ConfigSection
{
    public bool Enabled { get; set; } = true;

    public Duration MaxAge { get; set; } = Duration.From(TimeSpan.FromDays(365));

    public bool IncludeSubDomains { get; set; }

    public bool Preload { get; set; }
}

/// <summary>Per listener: its presence makes the listener HTTPS.</summary>
public sealed record ListenerTlsDefinition : ConfigSection
{
    public ClientCertificateDefinition ClientCertificate { get; set; } = new();

    /// <summary>Offer HTTP/2 by ALPN (h2) besides HTTP/1.1.</summary>
    public bool Http2 { get; set; } = true;
}

public sealed record ClientCertificateDefinition : ConfigSection
{
    /// <summary><c>none</c>, <c>allow</c> (asked for; when sent it must be valid) or <c>require</c>.</summary>
    public string Mode { get; set; } = ClientCertificateModes.None;

    /// <summary>PEM file of the CAs client certificates must chain to. Required unless mode is none.</summary>
    public string? CaBundle { get; set; }

    /// <summary>Request header carrying the client certificate's subject to the backend.</summary>
    public string SubjectHeader { get; set; } = "X-Client-Cert-Subject";

    /// <summary>Request header carrying the client certificate's SHA-256 fingerprint (lowercase hex) to the backend.</summary>
    public string FingerprintHeader { get; set; } = "X-Client-Cert-Fingerprint";
}

public static class ClientCertificateModes
{
    public const string None = "none";
    public const string Allow = "allow";
    public const string Require = "require";
}

/// <summary><c>clusters.X.httpClient.tls</c>: how Gatehouse speaks TLS to https:// destinations.</summary>
public sealed record UpstreamTlsDefinition : ConfigSection
{
    /// <summary>PEM file of the CAs the backends' certificates must chain to (instead of the system's trust store).</summary>
    public string? CaBundle { get; set; }

    /// <summary>SNI sent to the backend and name its certificate must carry, instead of the destination's host.</summary>
    public string? ServerName { get; set; }

    /// <summary>PEM certificate Gatehouse presents to the backend (mTLS); needs <see cref="ClientKey"/>.</summary>
    public string? ClientCertificate { get; set; }

    public string? ClientKey { get; set; }
}
