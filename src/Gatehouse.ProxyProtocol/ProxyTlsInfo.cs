namespace Gatehouse.ProxyProtocol;

/// <summary>
/// What a v2 header tells the backend about the client's TLS (HAProxy's <c>send-proxy-v2-ssl</c> and
/// <c>proxy-v2-options authority,alpn</c>): the protocol version and cipher go in PP2_TYPE_SSL's sub-TLVs, the server
/// name in PP2_TYPE_AUTHORITY, the negotiated protocol in PP2_TYPE_ALPN.
/// </summary>
public sealed record ProxyTlsInfo
{
    /// <summary>As OpenSSL names it, which is what HAProxy sends and backends compare: <c>TLSv1.2</c>, <c>TLSv1.3</c>.</summary>
    public string? Version { get; init; }

    public string? Cipher { get; init; }

    /// <summary>The SNI the client sent.</summary>
    public string? ServerName { get; init; }

    /// <summary>The ALPN protocol negotiated (<c>h2</c>, <c>http/1.1</c>); empty when none.</summary>
    public ReadOnlyMemory<byte> Alpn { get; init; }

    public bool ClientCertificate { get; init; }

    /// <summary>The client's certificate was checked and accepted (the verify field is then zero).</summary>
    public bool ClientCertificateVerified { get; init; }

    /// <summary>The client certificate's subject common name, when there is one.</summary>
    public string? ClientCommonName { get; init; }
}
