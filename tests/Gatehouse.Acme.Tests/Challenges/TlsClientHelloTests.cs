using System.Buffers;
using System.IO.Pipelines;
using System.Net.Security;
using System.Security.Authentication;
using Gatehouse.Acme.Challenges;
using Gatehouse.Acme.Tests.TestSupport;

namespace Gatehouse.Acme.Tests.Challenges;

/// <summary>ClientHellos that .NET's own TLS client writes (captured without a socket), and hand-made ones.</summary>
public sealed class TlsClientHelloTests
{
    [Fact]
    public async Task TryReadAlpn_ReadsWhatDotNetsClientOffers()
    {
        var hello = await CaptureClientHelloAsync([new SslApplicationProtocol("acme-tls/1"), SslApplicationProtocol.Http2]);

        Assert.Equal(TlsClientHello.ReadStatus.Done, TlsClientHello.TryReadAlpn(new ReadOnlySequence<byte>(hello), out var protocols));
        Assert.Equal(["acme-tls/1", "h2"], protocols);
        Assert.Equal(TlsClientHello.ReadStatus.Done, TlsClientHello.OffersAcmeTls(new ReadOnlySequence<byte>(hello), out var offers));
        Assert.True(offers);
    }

    [Fact]
    public async Task TryReadAlpn_NoAlpnExtension_Empty_AndDoesNotOfferAcmeTls()
    {
        var hello = await CaptureClientHelloAsync(null);

        Assert.Equal(TlsClientHello.ReadStatus.Done, TlsClientHello.TryReadAlpn(new ReadOnlySequence<byte>(hello), out var protocols));
        Assert.Empty(protocols);
        Assert.Equal(TlsClientHello.ReadStatus.Done, TlsClientHello.OffersAcmeTls(new ReadOnlySequence<byte>(hello), out var offers));
        Assert.False(offers);
    }

    [Fact]
    public async Task TryReadAlpn_EveryTruncation_NeedsMoreData()
    {
        var hello = await CaptureClientHelloAsync([SslApplicationProtocol.Http11]);

        for (var length = 0; length < hello.Length; length++)
        {
            Assert.Equal(TlsClientHello.ReadStatus.NeedMoreData, TlsClientHello.TryReadAlpn(new ReadOnlySequence<byte>(hello, 0, length), out _));
        }
    }

    [Fact]
    public void TryReadAlpn_PlainHttp_IsNotAClientHello() =>
        Assert.Equal(TlsClientHello.ReadStatus.NotClientHello, TlsClientHello.TryReadAlpn(new ReadOnlySequence<byte>("GET / HTTP/1.1\r\n"u8.ToArray()), out _));

    [Fact]
    public void TryReadAlpn_TruncatedExtensions_DoesNotThrow()
    {
        byte[] record = [0x16, 3, 1, 0, 6, 1, 0, 0, 2, 3, 3];
        Assert.Equal(TlsClientHello.ReadStatus.Done, TlsClientHello.TryReadAlpn(new ReadOnlySequence<byte>(record), out var protocols));
        Assert.Empty(protocols);
    }

    [Theory]
    [InlineData(SslProtocols.Tls13, true)]
    [InlineData(SslProtocols.Tls12 | SslProtocols.Tls13, true)]
    [InlineData(SslProtocols.Tls12, false)]
    public async Task TryRead_SupportedVersions_Tls13OfferedOrNot(SslProtocols protocols, bool tls13)
    {
        var hello = await CaptureClientHelloAsync([SslApplicationProtocol.Http2], protocols);

        Assert.Equal(TlsClientHello.ReadStatus.Done, TlsClientHello.TryRead(new ReadOnlySequence<byte>(hello), readAlpn: false, out var offer));
        Assert.Equal(tls13, offer.Tls13);
        Assert.Empty(offer.Alpn); // not asked for
    }

    [Theory]
    [InlineData(1)]
    [InlineData(7)]
    [InlineData(100)]
    public async Task TryRead_ClientHelloOverSeveralRecordsAndSegments_ReadsTheSame(int fragment)
    {
        var hello = await CaptureClientHelloAsync([new SslApplicationProtocol("acme-tls/1")], SslProtocols.Tls13);
        var records = Fragment(hello, fragment);

        Assert.Equal(TlsClientHello.ReadStatus.Done, TlsClientHello.TryRead(Segments(records, 3), readAlpn: true, out var offer));
        Assert.True(offer.Tls13);
        Assert.Equal(["acme-tls/1"], offer.Alpn);
        // Every proper prefix asks for more.
        foreach (var cut in new[] { 5, 9, 12, records.Length / 2, records.Length - 1 })
        {
            Assert.Equal(TlsClientHello.ReadStatus.NeedMoreData, TlsClientHello.TryRead(new ReadOnlySequence<byte>(records, 0, cut), readAlpn: false, out _));
        }
    }

    [Fact]
    public void TryRead_Tls13VersionWithoutATls13Suite_IsNotTls13()
    {
        byte[] versions = [0, 43, 0, 5, 4, 0x03, 0x04, 0x03, 0x03];
        Assert.True(Read(Hello([0x13, 0x01, 0xc0, 0x2f], versions)).Tls13);
        Assert.False(Read(Hello([0xc0, 0x2f, 0x13, 0x05], versions)).Tls13); // TLS_AES_128_CCM_8_SHA256 is not enabled by OpenSSL
        Assert.False(Read(Hello([0x13, 0x01], [0, 43, 0, 3, 2, 0x03, 0x03])).Tls13); // supported_versions without 1.3
        Assert.False(Read(Hello([0x13, 0x01], [])).Tls13); // no supported_versions: a TLS 1.2 client
        Assert.False(Read(Hello([0x13, 0x01], [0, 43, 0, 4, 9, 0x03, 0x04, 0x03])).Tls13); // inner length overruns: malformed
    }

    [Fact]
    public void TryRead_NotAHandshakeOrTooLarge_IsNotAClientHello()
    {
        // Handshake type 2 (ServerHello), a record type 23, a record over 2^14, a message over the bound.
        Assert.Equal(TlsClientHello.ReadStatus.NotClientHello, TlsClientHello.TryRead(new ReadOnlySequence<byte>([0x16, 3, 1, 0, 6, 2, 0, 0, 2, 3, 3]), false, out _));
        Assert.Equal(TlsClientHello.ReadStatus.NotClientHello, TlsClientHello.TryRead(new ReadOnlySequence<byte>([0x17, 3, 3, 0, 6, 1, 0, 0, 2, 3, 3]), false, out _));
        Assert.Equal(TlsClientHello.ReadStatus.NotClientHello, TlsClientHello.TryRead(new ReadOnlySequence<byte>([0x16, 3, 1, 0x40, 1, 1, 0, 0, 2]), false, out _));
        Assert.Equal(TlsClientHello.ReadStatus.NotClientHello, TlsClientHello.TryRead(new ReadOnlySequence<byte>([0x16, 3, 1, 0x40, 0, 1, 0, 0x40, 1]), false, out _));
        // A second record that is not a handshake record.
        Assert.Equal(TlsClientHello.ReadStatus.NotClientHello, TlsClientHello.TryRead(new ReadOnlySequence<byte>([0x16, 3, 1, 0, 5, 1, 0, 0, 2, 3, 0x17, 3, 3, 0, 1, 3]), false, out _));
        Assert.Equal(TlsClientHello.ReadStatus.NotClientHello, TlsClientHello.TryRead(new ReadOnlySequence<byte>("GE"u8.ToArray()), false, out _));
    }

    /// <summary>Found by fuzzing (fuzz/run.sh client-hello): the answer depended on how the bytes were cut.</summary>
    [Fact]
    public void TryRead_RecordLongerThanItsClientHello_WaitsForTheWholeRecord_HoweverCut()
    {
        var hello = Hello([0x13, 0x01], []);
        var announcing = hello.ToArray();
        var recordLength = hello.Length - 5 + 16; // the record says 16 bytes more than the message it carries
        announcing[3] = (byte)(recordLength >> 8);
        announcing[4] = (byte)recordLength;
        byte[] complete = [.. announcing, .. new byte[16]];

        foreach (var size in new[] { announcing.Length, 1, 7 })
        {
            Assert.Equal(TlsClientHello.ReadStatus.NeedMoreData, TlsClientHello.TryRead(Segments(announcing, size), readAlpn: true, out _));
            Assert.Equal(TlsClientHello.ReadStatus.Done, TlsClientHello.TryRead(Segments(complete, size), readAlpn: true, out _));
        }
    }

    private static TlsClientHello.Offer Read(byte[] hello)
    {
        Assert.Equal(TlsClientHello.ReadStatus.Done, TlsClientHello.TryRead(new ReadOnlySequence<byte>(hello), readAlpn: true, out var offer));
        return offer;
    }

    /// <summary>A minimal ClientHello record with these cipher suites and extensions (raw bytes).</summary>
    private static byte[] Hello(byte[] suites, byte[] extensions)
    {
        var body = new List<byte> { 3, 3 };
        body.AddRange(new byte[32]);
        body.Add(0); // session id
        body.AddRange([(byte)(suites.Length >> 8), (byte)suites.Length, .. suites]);
        body.AddRange([1, 0]); // compression: null
        body.AddRange([(byte)(extensions.Length >> 8), (byte)extensions.Length, .. extensions]);
        byte[] message = [1, 0, (byte)(body.Count >> 8), (byte)body.Count, .. body];
        return [0x16, 3, 1, (byte)(message.Length >> 8), (byte)message.Length, .. message];
    }

    /// <summary>Re-cuts one ClientHello record into records carrying at most <paramref name="size"/> bytes each.</summary>
    private static byte[] Fragment(byte[] record, int size)
    {
        var message = record.AsSpan(5);
        var output = new List<byte>();
        for (var i = 0; i < message.Length; i += size)
        {
            var part = message.Slice(i, Math.Min(size, message.Length - i));
            output.AddRange([0x16, 3, 1, (byte)(part.Length >> 8), (byte)part.Length]);
            output.AddRange(part.ToArray());
        }

        return [.. output];
    }

    /// <summary>The bytes as a sequence of segments of <paramref name="size"/> bytes, as a pipe would hand them over.</summary>
    private static ReadOnlySequence<byte> Segments(byte[] data, int size)
    {
        MemorySegment? first = null, last = null;
        for (var i = 0; i < data.Length; i += size)
        {
            var chunk = data.AsMemory(i, Math.Min(size, data.Length - i));
            last = last is null ? first = new MemorySegment(chunk, 0) : last.Append(chunk);
        }

        return new ReadOnlySequence<byte>(first!, 0, last!, last!.Memory.Length);
    }

    /// <summary>The first record .NET's own TLS client sends, captured from an in-memory pipe (no network).</summary>
    private static async Task<byte[]> CaptureClientHelloAsync(List<SslApplicationProtocol>? alpn, SslProtocols protocols = SslProtocols.None)
    {
        var pipe = new Pipe();
        var stream = new CaptureStream(pipe.Writer.AsStream());
        await using var ssl = new SslStream(stream, false, (_, certificate, _, _) => certificate is not null);
        using var cancel = new CancellationTokenSource();
        var handshake = ssl.AuthenticateAsClientAsync(new SslClientAuthenticationOptions { TargetHost = "example.test", ApplicationProtocols = alpn, EnabledSslProtocols = protocols }, cancel.Token);
        var header = (await pipe.Reader.ReadAtLeastAsync(5)).Buffer;
        var length = 5 + ((header.Slice(3, 1).FirstSpan[0] << 8) | header.Slice(4, 1).FirstSpan[0]);
        pipe.Reader.AdvanceTo(header.Start);
        var record = (await pipe.Reader.ReadAtLeastAsync(length)).Buffer.Slice(0, length).ToArray();
        await cancel.CancelAsync();
        stream.Complete();
        await Assert.ThrowsAnyAsync<Exception>(() => handshake);
        return record;
    }

    /// <summary>Writes go to the pipe; reads end at once, as a server that closed would.</summary>
    private sealed class CaptureStream(Stream inner) : Stream
    {
        private readonly TaskCompletionSource _closed = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public void Complete() => _closed.TrySetResult();

        public override bool CanRead => true;

        public override bool CanSeek => false;

        public override bool CanWrite => true;

        public override long Length => throw new NotSupportedException();

        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

        public override void Flush() => inner.Flush();

        public override Task FlushAsync(CancellationToken cancellationToken) => inner.FlushAsync(cancellationToken);

        public override int Read(byte[] buffer, int offset, int count) => 0;

        public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
        {
            await _closed.Task;
            return 0;
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => inner.Write(buffer, offset, count);

        public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default) => inner.WriteAsync(buffer, cancellationToken);
    }
}
