using System.Buffers;
using System.Text;

namespace Gatehouse.Acme.Challenges;

/// <summary>
/// Reads what a TLS ClientHello offers (RFC 8446 §4.1.2, RFC 5246 §7.4.1.2): the ALPN names (RFC 7301 §3.1) and whether
/// it can speak TLS 1.3 (supported_versions, RFC 8446 §4.2.1, with a TLS 1.3 cipher suite). .NET tells the handshake
/// callback the server name but neither of these, and both choose the server's options: TLS-ALPN-01 must be answered
/// only to clients offering "acme-tls/1" (RFC 8737 §3), and Gatehouse's listeners resume TLS 1.3 sessions only for
/// clients that offer it (docs/tls.md); so a server peeks at the first bytes before the handshake. This is the one
/// reader for both. A ClientHello split over several records is reassembled up to <see cref="MaxMessageLength"/>.
/// Pure: bytes in, answer out; no allocation unless the message spans records or ALPN names are read.
/// </summary>
public static class TlsClientHello
{
    public enum ReadStatus
    {
        /// <summary>The whole ClientHello was seen and read (what it lacks reads as not offered).</summary>
        Done,

        /// <summary>More bytes are needed to see the whole ClientHello.</summary>
        NeedMoreData,

        /// <summary>Not a TLS handshake starting with a ClientHello, or larger than this reader accepts.</summary>
        NotClientHello,
    }

    /// <summary>What a ClientHello offers, as far as Gatehouse cares.</summary>
    public readonly record struct Offer(bool Tls13, IReadOnlyList<string> Alpn);

    /// <summary>The largest ClientHello message reassembled (real ones are well under 2 KB, post-quantum key shares included).</summary>
    public const int MaxMessageLength = 16 * 1024;

    /// <summary>
    /// How many bytes a caller should buffer at most while <see cref="TryRead"/> asks for more: room for the largest
    /// message cut into records of 1 KB or more. (Kestrel's input buffer, 1 MB by default, holds that much unread.)
    /// </summary>
    public const int MaxPeekBytes = MaxMessageLength + HandshakeHeaderLength + 17 * RecordHeaderLength;

    private const int RecordHeaderLength = 5;
    private const int MaxRecordLength = 16 * 1024; // RFC 8446 §5.1: 2^14
    private const int HandshakeHeaderLength = 4;
    private const ushort AlpnExtension = 16;
    private const ushort SupportedVersionsExtension = 43;
    private const ushort Tls13Version = 0x0304;

    /// <summary>Whether <paramref name="firstBytes"/> hold a ClientHello offering "acme-tls/1" (<see cref="ReadStatus.NeedMoreData"/>: read more).</summary>
    public static ReadStatus OffersAcmeTls(ReadOnlySequence<byte> firstBytes, out bool offers)
    {
        var status = TryReadAlpn(firstBytes, out var protocols);
        offers = status == ReadStatus.Done && protocols.Contains(TlsAlpn01.AlpnProtocol, StringComparer.Ordinal);
        return status;
    }

    public static ReadStatus TryReadAlpn(ReadOnlySequence<byte> data, out IReadOnlyList<string> protocols)
    {
        var status = TryRead(data, readAlpn: true, out var offer);
        protocols = offer.Alpn;
        return status;
    }

    public static ReadStatus TryRead(ReadOnlySequence<byte> data, bool readAlpn, out Offer offer)
    {
        offer = new Offer(false, []);
        Span<byte> header = stackalloc byte[RecordHeaderLength + HandshakeHeaderLength];
        if (data.Length < header.Length)
        {
            // Enough to reject plain HTTP early; otherwise wait for the record and handshake headers.
            return data.Length > 0 && data.FirstSpan[0] != 0x16 ? ReadStatus.NotClientHello : ReadStatus.NeedMoreData;
        }

        // Common case: the whole message sits in the first record, in one contiguous span.
        data.Slice(0, header.Length).CopyTo(header);
        var firstRecordLength = (header[3] << 8) | header[4];
        var messageLength = HandshakeHeaderLength + ((header[6] << 16) | (header[7] << 8) | header[8]);
        if (!IsHandshakeRecord(header)
            || (firstRecordLength >= HandshakeHeaderLength && (header[5] != 1 || messageLength > MaxMessageLength + HandshakeHeaderLength)))
        {
            return ReadStatus.NotClientHello;
        }

        // The whole first record, not only the message in it: Gather reads record by record, and the answer must not
        // depend on how the bytes were cut (fuzzing found a record announcing more than its ClientHello answered Done
        // whole and NeedMoreData in pieces).
        var first = data.FirstSpan;
        if (firstRecordLength >= messageLength && first.Length >= RecordHeaderLength + firstRecordLength)
        {
            offer = Parse(first.Slice(RecordHeaderLength, messageLength), readAlpn);
            return ReadStatus.Done;
        }

        return Gather(data, readAlpn, out offer);
    }

    private static bool IsHandshakeRecord(ReadOnlySpan<byte> header)
    {
        var length = (header[3] << 8) | header[4];
        return header[0] == 0x16 && header[1] == 3 && length is > 0 and <= MaxRecordLength;
    }

    /// <summary>
    /// Reassembles the message from consecutive handshake records (RFC 8446 §5.1 lets a client cut it anywhere, even
    /// inside the handshake header) into a pooled buffer, then reads it.
    /// </summary>
    private static ReadStatus Gather(ReadOnlySequence<byte> data, bool readAlpn, out Offer offer)
    {
        offer = new Offer(false, []);
        Span<byte> record = stackalloc byte[RecordHeaderLength];
        Span<byte> handshake = stackalloc byte[HandshakeHeaderLength];
        var handshakeBytes = 0;
        var messageLength = 0;
        var copied = 0;
        var position = 0L;
        byte[]? buffer = null;
        try
        {
            while (true)
            {
                if (data.Length < position + RecordHeaderLength)
                {
                    return ReadStatus.NeedMoreData;
                }

                data.Slice(position, RecordHeaderLength).CopyTo(record);
                if (!IsHandshakeRecord(record))
                {
                    return ReadStatus.NotClientHello;
                }

                var recordLength = (record[3] << 8) | record[4];
                if (data.Length < position + RecordHeaderLength + recordLength)
                {
                    return ReadStatus.NeedMoreData;
                }

                var fragment = data.Slice(position + RecordHeaderLength, recordLength);
                position += RecordHeaderLength + recordLength;
                if (handshakeBytes < HandshakeHeaderLength)
                {
                    var take = (int)Math.Min(fragment.Length, HandshakeHeaderLength - handshakeBytes);
                    fragment.Slice(0, take).CopyTo(handshake[handshakeBytes..]);
                    handshakeBytes += take;
                    fragment = fragment.Slice(take);
                    if (handshakeBytes < HandshakeHeaderLength)
                    {
                        continue;
                    }

                    messageLength = HandshakeHeaderLength + ((handshake[1] << 16) | (handshake[2] << 8) | handshake[3]);
                    if (handshake[0] != 1 || messageLength > MaxMessageLength + HandshakeHeaderLength)
                    {
                        return ReadStatus.NotClientHello;
                    }

                    buffer = ArrayPool<byte>.Shared.Rent(messageLength);
                    handshake.CopyTo(buffer);
                    copied = HandshakeHeaderLength;
                }

                // A record may go on past the ClientHello only with another handshake message, which a client never
                // sends before the server answers: read only what belongs to the ClientHello.
                var rest = (int)Math.Min(fragment.Length, messageLength - copied);
                fragment.Slice(0, rest).CopyTo(buffer.AsSpan(copied));
                copied += rest;
                if (copied == messageLength)
                {
                    offer = Parse(buffer.AsSpan(0, messageLength), readAlpn);
                    return ReadStatus.Done;
                }
            }
        }
        finally
        {
            if (buffer is not null)
            {
                ArrayPool<byte>.Shared.Return(buffer);
            }
        }
    }

    /// <summary>Reads one whole ClientHello message (handshake header included); a malformed one offers nothing.</summary>
    private static Offer Parse(ReadOnlySpan<byte> message, bool readAlpn)
    {
        var none = new Offer(false, []);
        var reader = new SpanReader(message);
        if (!reader.TrySkip(HandshakeHeaderLength) // handshake type ClientHello, length
            || !reader.TrySkip(2 + 32) // legacy_version, random
            || !reader.TryVector(1, out _) // legacy_session_id
            || !reader.TryVector(2, out var cipherSuites)
            || !reader.TryVector(1, out _) // legacy_compression_methods
            || !reader.TryVector(2, out var extensions))
        {
            return none;
        }

        var versionOffered = false;
        IReadOnlyList<string> alpn = [];
        var ext = new SpanReader(extensions);
        while (ext.TryUInt16(out var extensionType) && ext.TryVector(2, out var body))
        {
            if (extensionType == SupportedVersionsExtension)
            {
                versionOffered = ContainsUInt16(new SpanReader(body), 1, Tls13Version);
            }
            else if (extensionType == AlpnExtension && readAlpn)
            {
                alpn = ReadAlpn(body);
            }
        }

        // TLS 1.3 only if the client could also agree on a TLS 1.3 suite (all of them are 0x13xx).
        var tls13 = versionOffered && HasTls13Suite(cipherSuites);
        return new Offer(tls13, alpn);
    }

    private static bool ContainsUInt16(SpanReader reader, int lengthBytes, ushort wanted)
    {
        if (!reader.TryVector(lengthBytes, out var list))
        {
            return false;
        }

        var items = new SpanReader(list);
        while (items.TryUInt16(out var item))
        {
            if (item == wanted)
            {
                return true;
            }
        }

        return false;
    }

    private static bool HasTls13Suite(ReadOnlySpan<byte> cipherSuites)
    {
        for (var i = 0; i + 1 < cipherSuites.Length; i += 2)
        {
            // TLS_AES_128_GCM_SHA256, TLS_AES_256_GCM_SHA384, TLS_CHACHA20_POLY1305_SHA256: what OpenSSL enables.
            if (cipherSuites[i] == 0x13 && cipherSuites[i + 1] is 0x01 or 0x02 or 0x03)
            {
                return true;
            }
        }

        return false;
    }

    private static IReadOnlyList<string> ReadAlpn(ReadOnlySpan<byte> body)
    {
        var alpn = new SpanReader(body);
        if (!alpn.TryVector(2, out var list))
        {
            return [];
        }

        var names = new List<string>();
        var entries = new SpanReader(list);
        while (entries.TryVector(1, out var name))
        {
            names.Add(Encoding.ASCII.GetString(name));
        }

        return names;
    }

    private ref struct SpanReader(ReadOnlySpan<byte> data)
    {
        private ReadOnlySpan<byte> _rest = data;

        public bool TryUInt16(out ushort value)
        {
            value = 0;
            if (_rest.Length < 2)
            {
                return false;
            }

            value = (ushort)((_rest[0] << 8) | _rest[1]);
            _rest = _rest[2..];
            return true;
        }

        public bool TrySkip(int count)
        {
            if (_rest.Length < count)
            {
                return false;
            }

            _rest = _rest[count..];
            return true;
        }

        /// <summary>A vector with a length prefix of 1 or 2 bytes.</summary>
        public bool TryVector(int lengthBytes, out ReadOnlySpan<byte> vector)
        {
            vector = default;
            if (_rest.Length < lengthBytes)
            {
                return false;
            }

            var length = lengthBytes == 1 ? _rest[0] : (_rest[0] << 8) | _rest[1];
            if (_rest.Length < lengthBytes + length)
            {
                return false;
            }

            vector = _rest.Slice(lengthBytes, length);
            _rest = _rest[(lengthBytes + length)..];
            return true;
        }
    }
}
