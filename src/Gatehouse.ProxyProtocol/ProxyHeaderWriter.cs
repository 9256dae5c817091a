using System.Buffers.Binary;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Gatehouse.ProxyProtocol;

/// <summary>
/// The header Gatehouse sends before the first byte of a connection to a backend that asked for it. Addresses of
/// different families are both written as IPv6 (an IPv4 one as <c>::ffff:a.b.c.d</c>); an IPv4-mapped pair goes out as
/// plain IPv4. No client (a health probe, Gatehouse speaking for itself) is v1 <c>UNKNOWN</c> or v2 <c>LOCAL</c>.
/// </summary>
public static class ProxyHeaderWriter
{
    public static byte[] Write(int version, IPEndPoint? source, IPEndPoint? destination, ProxyTlsInfo? tls = null) =>
        version == 1 ? V1(source, destination) : V2(source, destination, tls);

    public static byte[] V1(IPEndPoint? source, IPEndPoint? destination)
    {
        if (!TryPair(source, destination, out var from, out var to))
        {
            return "PROXY UNKNOWN\r\n"u8.ToArray();
        }

        var protocol = from.AddressFamily == AddressFamily.InterNetwork ? "TCP4" : "TCP6";
        return Encoding.ASCII.GetBytes(string.Create(CultureInfo.InvariantCulture,
            $"PROXY {protocol} {from.Address} {to.Address} {from.Port} {to.Port}\r\n"));
    }

    public static byte[] V2(IPEndPoint? source, IPEndPoint? destination, ProxyTlsInfo? tls = null)
    {
        var tlvs = tls is null ? [] : TlsTlvs(tls);
        if (!TryPair(source, destination, out var from, out var to))
        {
            // LOCAL, family UNSPEC: the backend uses the connection's own addresses.
            var local = new byte[ProxyHeaderParser.V2FixedLength];
            WriteFixed(local, command: 0, familyAndTransport: 0x00, length: 0);
            return local;
        }

        var inet = from.AddressFamily == AddressFamily.InterNetwork;
        var addressLength = inet ? 12 : 36;
        var header = new byte[ProxyHeaderParser.V2FixedLength + addressLength + tlvs.Length];
        WriteFixed(header, command: 1, familyAndTransport: (byte)(inet ? 0x11 : 0x21), length: addressLength + tlvs.Length);
        var addresses = header.AsSpan(ProxyHeaderParser.V2FixedLength);
        var size = inet ? 4 : 16;
        from.Address.TryWriteBytes(addresses[..size], out _);
        to.Address.TryWriteBytes(addresses[size..(2 * size)], out _);
        BinaryPrimitives.WriteUInt16BigEndian(addresses[(2 * size)..], (ushort)from.Port);
        BinaryPrimitives.WriteUInt16BigEndian(addresses[((2 * size) + 2)..], (ushort)to.Port);
        tlvs.CopyTo(addresses[addressLength..]);
        return header;
    }

    private static void WriteFixed(Span<byte> header, byte command, byte familyAndTransport, int length)
    {
        ProxyV2Parser.Signature.CopyTo(header);
        header[12] = (byte)(0x20 | command);
        header[13] = familyAndTransport;
        BinaryPrimitives.WriteUInt16BigEndian(header[14..], (ushort)length);
    }

    /// <summary>Both ends in one family: IPv4 when both are (or map to) IPv4, else both as IPv6.</summary>
    private static bool TryPair(IPEndPoint? source, IPEndPoint? destination, out IPEndPoint from, out IPEndPoint to)
    {
        from = to = null!;
        if (source is null || destination is null || !IsInet(source.Address) || !IsInet(destination.Address))
        {
            return false;
        }

        var a = Unmapped(source.Address);
        var b = Unmapped(destination.Address);
        if (a.AddressFamily != b.AddressFamily)
        {
            a = a.MapToIPv6();
            b = b.MapToIPv6();
        }

        from = new IPEndPoint(a, source.Port);
        to = new IPEndPoint(b, destination.Port);
        return true;
    }

    private static bool IsInet(IPAddress address) => address.AddressFamily is AddressFamily.InterNetwork or AddressFamily.InterNetworkV6;

    private static IPAddress Unmapped(IPAddress address) => address.IsIPv4MappedToIPv6 ? address.MapToIPv4() : address;

    private static byte[] TlsTlvs(ProxyTlsInfo tls)
    {
        using var tlvs = new MemoryStream();
        if (!tls.Alpn.IsEmpty)
        {
            WriteTlv(tlvs, ProxyTlvTypes.Alpn, tls.Alpn.Span);
        }

        if (!string.IsNullOrEmpty(tls.ServerName))
        {
            WriteTlv(tlvs, ProxyTlvTypes.Authority, Encoding.UTF8.GetBytes(tls.ServerName));
        }

        using var ssl = new MemoryStream();
        var client = ProxyTlvTypes.ClientSsl;
        if (tls.ClientCertificate)
        {
            client |= ProxyTlvTypes.ClientCertificateConnection | ProxyTlvTypes.ClientCertificateSession;
        }

        ssl.WriteByte(client);
        Span<byte> verify = stackalloc byte[4];
        // Zero only for a client certificate that was presented and verified (spec 2.2.5).
        BinaryPrimitives.WriteUInt32BigEndian(verify, tls.ClientCertificate && tls.ClientCertificateVerified ? 0u : 1u);
        ssl.Write(verify);
        WriteTextTlv(ssl, ProxyTlvTypes.SslVersion, tls.Version);
        WriteTextTlv(ssl, ProxyTlvTypes.SslCipher, tls.Cipher);
        WriteTextTlv(ssl, ProxyTlvTypes.SslCommonName, tls.ClientCommonName);
        WriteTlv(tlvs, ProxyTlvTypes.Ssl, ssl.ToArray());
        return tlvs.ToArray();
    }

    private static void WriteTextTlv(Stream stream, byte type, string? text)
    {
        if (!string.IsNullOrEmpty(text))
        {
            WriteTlv(stream, type, Encoding.UTF8.GetBytes(text));
        }
    }

    private static void WriteTlv(Stream stream, byte type, ReadOnlySpan<byte> value)
    {
        // A value longer than a TLV can say is cut: the header stays well formed (SNI and ALPN are far shorter anyway).
        value = value[..Math.Min(value.Length, ushort.MaxValue)];
        Span<byte> head = stackalloc byte[3];
        head[0] = type;
        BinaryPrimitives.WriteUInt16BigEndian(head[1..], (ushort)value.Length);
        stream.Write(head);
        stream.Write(value);
    }
}
