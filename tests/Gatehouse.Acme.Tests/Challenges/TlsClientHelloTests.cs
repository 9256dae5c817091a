using System.Buffers;
using System.Net.Security;
using System.Text;
using Gatehouse.Acme.Challenges;

namespace Gatehouse.Acme.Tests.Challenges;

/// <summary>ALPN read from ClientHellos that .NET's own TLS client writes (captured without a socket).</summary>
public sealed class TlsClientHelloTests
{
    [Fact]
    public async Task Rfc7301_ReadsTheOfferedProtocols_InOrder()
    {
        var hello = await CaptureClientHelloAsync("www.gatehouse.test", ["h2", TlsAlpn01.AlpnProtocol]);

        var result = TlsClientHello.TryReadAlpn(new ReadOnlySequence<byte>(hello), out var protocols);

        Assert.Equal(ClientHelloReadResult.Read, result);
        Assert.Equal(["h2", "acme-tls/1"], protocols);
        Assert.Equal(ClientHelloReadResult.Read, TlsClientHello.OffersAcmeTls(new ReadOnlySequence<byte>(hello), out var offers));
        Assert.True(offers);
    }

    [Fact]
    public async Task WithoutAlpn_ReadsNoProtocols_AndDoesNotOfferAcmeTls()
    {
        var hello = await CaptureClientHelloAsync("www.gatehouse.test", null);

        Assert.Equal(ClientHelloReadResult.Read, TlsClientHello.OffersAcmeTls(new ReadOnlySequence<byte>(hello), out var offers));
        Assert.False(offers);
    }

    [Fact]
    public async Task EveryTruncation_IsIncomplete()
    {
        var hello = await CaptureClientHelloAsync("www.gatehouse.test", ["http/1.1"]);

        for (var length = 0; length < hello.Length; length++)
        {
            Assert.Equal(ClientHelloReadResult.Incomplete, TlsClientHello.TryReadAlpn(new ReadOnlySequence<byte>(hello, 0, length), out _));
        }
    }

    [Fact]
    public async Task ClientHelloSplitOverTwoRecords_IsJoined()
    {
        var hello = await CaptureClientHelloAsync("www.gatehouse.test", [TlsAlpn01.AlpnProtocol]);
        var handshake = hello.AsSpan(5, hello.Length - 5).ToArray();
        var split = handshake.Length / 2;
        byte[] Record(ReadOnlySpan<byte> fragment) => [22, 3, 1, (byte)(fragment.Length >> 8), (byte)fragment.Length, .. fragment];
        byte[] twoRecords = [.. Record(handshake.AsSpan(0, split)), .. Record(handshake.AsSpan(split))];

        Assert.Equal(ClientHelloReadResult.Read, TlsClientHello.OffersAcmeTls(new ReadOnlySequence<byte>(twoRecords), out var offers));
        Assert.True(offers);
    }

    [Fact]
    public void PlainHttp_IsNotAClientHello()
    {
        var request = Encoding.ASCII.GetBytes("GET / HTTP/1.1\r\nHost: x\r\n\r\n");

        Assert.Equal(ClientHelloReadResult.NotClientHello, TlsClientHello.TryReadAlpn(new ReadOnlySequence<byte>(request), out _));
    }

    [Fact]
    public void MalformedExtensions_AreNotAClientHello_NotACrash()
    {
        // A handshake record with a ClientHello whose body is far shorter than its fixed fields.
        byte[] hello = [22, 3, 1, 0, 8, 1, 0, 0, 4, 3, 3, 0, 0];

        Assert.Equal(ClientHelloReadResult.NotClientHello, TlsClientHello.TryReadAlpn(new ReadOnlySequence<byte>(hello), out _));
    }

    private static async Task<byte[]> CaptureClientHelloAsync(string host, List<string>? protocols)
    {
        var capture = new CaptureStream();
        await using var tls = new SslStream(capture);
        var options = new SslClientAuthenticationOptions { TargetHost = host };
        if (protocols is not null)
        {
            options.ApplicationProtocols = protocols.Select(p => new SslApplicationProtocol(p)).ToList();
        }

        // The "server" hangs up at once: the handshake fails after the ClientHello was written.
        await Assert.ThrowsAnyAsync<Exception>(() => tls.AuthenticateAsClientAsync(options, TestContext.Current.CancellationToken));
        return capture.Written.ToArray();
    }

    private sealed class CaptureStream : Stream
    {
        public MemoryStream Written { get; } = new();

        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => true;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }
        public override void Flush() { }
        public override int Read(byte[] buffer, int offset, int count) => 0;
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => Written.Write(buffer, offset, count);
    }
}
