using System.Buffers;
using System.Text;

namespace Gatehouse.Tls;

/// <summary>
/// Reads the ALPN protocol names a TLS ClientHello offers (RFC 5246 §7.4.1.2, RFC 7301 §3.1). .NET tells the certificate
/// callback the server name but not ALPN, and TLS-ALPN-01 (RFC 8737) must choose its certificate by ALPN; so the first
/// record is peeked before the handshake. Pure: bytes in, names out.
/// </summary>
public static class ClientHello
{
    public enum ReadStatus
    {
        /// <summary>The first record is complete and was read (the list may be empty).</summary>
        Done,

        /// <summary>More bytes are needed to see the whole first record.</summary>
        NeedMoreData,

        /// <summary>Not a TLS handshake record carrying a ClientHello.</summary>
        NotClientHello,
    }

    private const int RecordHeaderLength = 5;
    private const ushort AlpnExtension = 16;

    public static ReadStatus TryReadAlpn(ReadOnlySequence<byte> data, out IReadOnlyList<string> protocols)
    {
        protocols = [];
        if (data.Length < RecordHeaderLength)
        {
            return ReadStatus.NeedMoreData;
        }

        Span<byte> header = stackalloc byte[RecordHeaderLength];
        data.Slice(0, RecordHeaderLength).CopyTo(header);
        if (header[0] != 0x16 || header[1] != 3)
        {
            return ReadStatus.NotClientHello;
        }

        var recordLength = (header[3] << 8) | header[4];
        if (data.Length < RecordHeaderLength + recordLength)
        {
            return ReadStatus.NeedMoreData;
        }

        var record = data.Slice(RecordHeaderLength, recordLength).ToArray();
        return Parse(record, out protocols);
    }

    private static ReadStatus Parse(ReadOnlySpan<byte> record, out IReadOnlyList<string> protocols)
    {
        protocols = [];
        var reader = new SpanReader(record);
        if (!reader.TryByte(out var type) || type != 1 || !reader.TrySkip(3) // handshake type ClientHello, length
            || !reader.TrySkip(2 + 32) // client_version, random
            || !reader.TryVector(1, out _) // session_id
            || !reader.TryVector(2, out _) // cipher_suites
            || !reader.TryVector(1, out _)) // compression_methods
        {
            return type == 1 ? ReadStatus.Done : ReadStatus.NotClientHello;
        }

        if (!reader.TryVector(2, out var extensions))
        {
            return ReadStatus.Done;
        }

        var ext = new SpanReader(extensions);
        while (ext.TryUInt16(out var extensionType) && ext.TryVector(2, out var body))
        {
            if (extensionType != AlpnExtension)
            {
                continue;
            }

            var alpn = new SpanReader(body);
            if (!alpn.TryVector(2, out var list))
            {
                return ReadStatus.Done;
            }

            var names = new List<string>();
            var entries = new SpanReader(list);
            while (entries.TryVector(1, out var name))
            {
                names.Add(Encoding.ASCII.GetString(name));
            }

            protocols = names;
            return ReadStatus.Done;
        }

        return ReadStatus.Done;
    }

    private ref struct SpanReader(ReadOnlySpan<byte> data)
    {
        private ReadOnlySpan<byte> _rest = data;

        public bool TryByte(out byte value)
        {
            value = 0;
            if (_rest.Length < 1)
            {
                return false;
            }

            value = _rest[0];
            _rest = _rest[1..];
            return true;
        }

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
