using System.Buffers;
using System.Buffers.Binary;
using System.Text;

namespace Gatehouse.Acme.Challenges;

/// <summary>The outcome of reading the ALPN protocols from the first bytes of a TLS connection.</summary>
public enum ClientHelloReadResult
{
    /// <summary>More bytes are needed (the ClientHello spans more than what arrived so far).</summary>
    Incomplete,
    /// <summary>A ClientHello was read; the protocols list may be empty (no ALPN extension).</summary>
    Read,
    /// <summary>The bytes are not a TLS ClientHello (or one too large to be sane).</summary>
    NotClientHello,
}

/// <summary>
/// Reads the ALPN protocols a client offers from its raw ClientHello (RFC 8446 §4.1.2, RFC 7301 §3.1). .NET's TLS
/// handshake callback shows the SNI name but not the offered ALPN, yet TLS-ALPN-01 must be answered only to clients
/// that offer "acme-tls/1" (RFC 8737 §3), so a server peeks at the ClientHello before the handshake starts.
/// </summary>
public static class TlsClientHello
{
    private const int MaxClientHello = 64 * 1024;

    /// <summary>True when <paramref name="firstBytes"/> hold a ClientHello offering "acme-tls/1" (Incomplete: read more).</summary>
    public static ClientHelloReadResult OffersAcmeTls(ReadOnlySequence<byte> firstBytes, out bool offers)
    {
        var result = TryReadAlpn(firstBytes, out var protocols);
        offers = result == ClientHelloReadResult.Read && protocols.Contains(TlsAlpn01.AlpnProtocol, StringComparer.Ordinal);
        return result;
    }

    public static ClientHelloReadResult TryReadAlpn(ReadOnlySequence<byte> firstBytes, out IReadOnlyList<string> protocols)
    {
        protocols = [];
        var data = firstBytes.Length > MaxClientHello + 5 ? firstBytes.Slice(0, MaxClientHello + 5).ToArray() : firstBytes.ToArray();
        var handshake = new List<byte>();
        var offset = 0;
        while (true)
        {
            // The handshake message may be split over several records: join their fragments.
            if (handshake.Count >= 4)
            {
                if (handshake[0] != 1)
                {
                    return ClientHelloReadResult.NotClientHello;
                }

                var length = (handshake[1] << 16) | (handshake[2] << 8) | handshake[3];
                if (length > MaxClientHello)
                {
                    return ClientHelloReadResult.NotClientHello;
                }

                if (handshake.Count >= 4 + length)
                {
                    return ReadBody(handshake.Skip(4).Take(length).ToArray(), out protocols);
                }
            }

            if (data.Length - offset < 5)
            {
                return ClientHelloReadResult.Incomplete;
            }

            if (data[offset] != 22 || data[offset + 1] != 3)
            {
                return ClientHelloReadResult.NotClientHello; // not a handshake record of TLS 1.x
            }

            var recordLength = BinaryPrimitives.ReadUInt16BigEndian(data.AsSpan(offset + 3, 2));
            if (recordLength == 0 || recordLength > 16384 + 2048)
            {
                return ClientHelloReadResult.NotClientHello;
            }

            if (data.Length - offset - 5 < recordLength)
            {
                return ClientHelloReadResult.Incomplete;
            }

            handshake.AddRange(data.AsSpan(offset + 5, recordLength).ToArray());
            offset += 5 + recordLength;
            if (handshake.Count > MaxClientHello + 4)
            {
                return ClientHelloReadResult.NotClientHello;
            }
        }
    }

    private static ClientHelloReadResult ReadBody(ReadOnlySpan<byte> body, out IReadOnlyList<string> protocols)
    {
        protocols = [];
        var reader = new SpanReader(body);
        if (!reader.Skip(2 + 32) // legacy_version, random
            || !reader.SkipVector(1) // legacy_session_id
            || !reader.SkipVector(2) // cipher_suites
            || !reader.SkipVector(1)) // legacy_compression_methods
        {
            return ClientHelloReadResult.NotClientHello;
        }

        if (reader.Remaining == 0)
        {
            return ClientHelloReadResult.Read; // no extensions at all
        }

        if (!reader.TryReadVector(2, out var extensions))
        {
            return ClientHelloReadResult.NotClientHello;
        }

        var extensionReader = new SpanReader(extensions);
        while (extensionReader.Remaining > 0)
        {
            if (!extensionReader.TryReadUInt16(out var type) || !extensionReader.TryReadVector(2, out var extension))
            {
                return ClientHelloReadResult.NotClientHello;
            }

            if (type != 16) // application_layer_protocol_negotiation
            {
                continue;
            }

            var alpn = new SpanReader(extension);
            if (!alpn.TryReadVector(2, out var names))
            {
                return ClientHelloReadResult.NotClientHello;
            }

            var list = new List<string>();
            var nameReader = new SpanReader(names);
            while (nameReader.Remaining > 0)
            {
                if (!nameReader.TryReadVector(1, out var name) || name.Length == 0)
                {
                    return ClientHelloReadResult.NotClientHello;
                }

                list.Add(Encoding.ASCII.GetString(name));
            }

            protocols = list;
        }

        return ClientHelloReadResult.Read;
    }

    private ref struct SpanReader(ReadOnlySpan<byte> span)
    {
        private ReadOnlySpan<byte> _span = span;

        public readonly int Remaining => _span.Length;

        public bool Skip(int count)
        {
            if (_span.Length < count)
            {
                return false;
            }

            _span = _span[count..];
            return true;
        }

        public bool TryReadUInt16(out int value)
        {
            value = 0;
            if (_span.Length < 2)
            {
                return false;
            }

            value = BinaryPrimitives.ReadUInt16BigEndian(_span);
            _span = _span[2..];
            return true;
        }

        public bool SkipVector(int lengthBytes) => TryReadVector(lengthBytes, out _);

        public bool TryReadVector(int lengthBytes, out ReadOnlySpan<byte> vector)
        {
            vector = default;
            if (_span.Length < lengthBytes)
            {
                return false;
            }

            var length = lengthBytes == 1 ? _span[0] : BinaryPrimitives.ReadUInt16BigEndian(_span);
            if (_span.Length < lengthBytes + length)
            {
                return false;
            }

            vector = _span.Slice(lengthBytes, length);
            _span = _span[(lengthBytes + length)..];
            return true;
        }
    }
}
