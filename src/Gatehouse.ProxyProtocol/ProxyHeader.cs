using System.Net;

namespace Gatehouse.ProxyProtocol;

/// <summary>
/// What a PROXY protocol header said about the connection it precedes. <see cref="Source"/> is the client the sender
/// accepted, <see cref="Destination"/> the address the client connected to. Both are null when the header carries no
/// usable address (v1 <c>UNKNOWN</c>, v2 <c>LOCAL</c>, an unspecified or AF_UNIX family): the receiver then keeps the
/// connection's own addresses, as the specification asks.
/// </summary>
public sealed record ProxyHeader(
    int Version,
    ProxyCommand Command,
    ProxyAddressFamily Family,
    ProxyTransport Transport,
    IPEndPoint? Source,
    IPEndPoint? Destination,
    IReadOnlyList<ProxyTlv> Tlvs)
{
    /// <summary>The AF_UNIX source and destination paths (v2 only), when <see cref="Family"/> is Unix.</summary>
    public string? UnixSource { get; init; }

    public string? UnixDestination { get; init; }

    /// <summary>True when the header names a client to use in place of the connection's peer.</summary>
    public bool CarriesClient => Command == ProxyCommand.Proxy && Source is not null;

    /// <summary>The value of the first TLV of <paramref name="type"/>, if any.</summary>
    public ReadOnlyMemory<byte>? Tlv(byte type)
    {
        foreach (var tlv in Tlvs)
        {
            if (tlv.Type == type)
            {
                return tlv.Value;
            }
        }

        return null;
    }
}

/// <summary>v2's command; a v1 header is always <see cref="Proxy"/> (its UNKNOWN has no address instead).</summary>
public enum ProxyCommand
{
    /// <summary>The sender speaks for itself (a health check): use the connection's own addresses.</summary>
    Local,

    /// <summary>The sender relays a client's connection: the header's addresses are the client's.</summary>
    Proxy,
}

public enum ProxyAddressFamily
{
    Unspecified,
    Inet,
    Inet6,
    Unix,
}

public enum ProxyTransport
{
    Unspecified,
    Stream,
    Datagram,
}

/// <summary>One type-length-value field of a v2 header (the value is a copy, owned by the header).</summary>
public readonly record struct ProxyTlv(byte Type, ReadOnlyMemory<byte> Value);

/// <summary>The TLV types of the specification (section 2.2.x) that Gatehouse reads or writes.</summary>
public static class ProxyTlvTypes
{
    public const byte Alpn = 0x01;
    public const byte Authority = 0x02;
    public const byte Crc32c = 0x03;
    public const byte Noop = 0x04;
    public const byte UniqueId = 0x05;
    public const byte Ssl = 0x20;
    public const byte SslVersion = 0x21;
    public const byte SslCommonName = 0x22;
    public const byte SslCipher = 0x23;
    public const byte SslSignatureAlgorithm = 0x24;
    public const byte SslKeyAlgorithm = 0x25;
    public const byte NetNamespace = 0x30;

    /// <summary>PP2_TYPE_SSL's client bits: the client connected over TLS, sent a certificate on this connection, or in the session.</summary>
    public const byte ClientSsl = 0x01;
    public const byte ClientCertificateConnection = 0x02;
    public const byte ClientCertificateSession = 0x04;
}

public enum ProxyParseStatus
{
    /// <summary>A whole, valid header: consume the bytes it took.</summary>
    Done,

    /// <summary>What arrived so far is a valid beginning; read more (within the bound and the timeout).</summary>
    NeedMoreData,

    /// <summary>Not a PROXY header, or a malformed one: refuse the connection.</summary>
    Invalid,
}
