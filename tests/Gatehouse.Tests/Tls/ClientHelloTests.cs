using System.Buffers;
using System.IO.Pipelines;
using System.Net.Security;
using Gatehouse.Tls;

namespace Gatehouse.Tests.Tls;

public class ClientHelloTests
{
    [Fact]
    public async Task TryReadAlpn_ReadsWhatDotNetsClientOffers()
    {
        var hello = await CaptureClientHelloAsync([new SslApplicationProtocol("acme-tls/1"), SslApplicationProtocol.Http2]);

        Assert.Equal(ClientHello.ReadStatus.Done, ClientHello.TryReadAlpn(new ReadOnlySequence<byte>(hello), out var protocols));
        Assert.Equal(["acme-tls/1", "h2"], protocols);
    }

    [Fact]
    public async Task TryReadAlpn_NoAlpnExtension_Empty()
    {
        var hello = await CaptureClientHelloAsync(null);

        Assert.Equal(ClientHello.ReadStatus.Done, ClientHello.TryReadAlpn(new ReadOnlySequence<byte>(hello), out var protocols));
        Assert.Empty(protocols);
    }

    [Fact]
    public async Task TryReadAlpn_PartialRecord_NeedsMoreData()
    {
        var hello = await CaptureClientHelloAsync([SslApplicationProtocol.Http11]);

        Assert.Equal(ClientHello.ReadStatus.NeedMoreData, ClientHello.TryReadAlpn(new ReadOnlySequence<byte>(hello, 0, 3), out _));
        Assert.Equal(ClientHello.ReadStatus.NeedMoreData, ClientHello.TryReadAlpn(new ReadOnlySequence<byte>(hello, 0, hello.Length - 1), out _));
    }

    [Fact]
    public void TryReadAlpn_PlainHttp_IsNotAClientHello() =>
        Assert.Equal(ClientHello.ReadStatus.NotClientHello, ClientHello.TryReadAlpn(new ReadOnlySequence<byte>("GET / HTTP/1.1\r\n"u8.ToArray()), out _));

    [Fact]
    public void TryReadAlpn_TruncatedExtensions_DoesNotThrow()
    {
        byte[] record = [0x16, 3, 1, 0, 6, 1, 0, 0, 2, 3, 3];
        Assert.Equal(ClientHello.ReadStatus.Done, ClientHello.TryReadAlpn(new ReadOnlySequence<byte>(record), out var protocols));
        Assert.Empty(protocols);
    }

    /// <summary>The first record .NET's own TLS client sends, captured from an in-memory pipe (no network).</summary>
    private static async Task<byte[]> CaptureClientHelloAsync(List<SslApplicationProtocol>? alpn)
    {
        var pipe = new Pipe();
        var stream = new CaptureStream(pipe.Writer.AsStream());
        await using var ssl = new SslStream(stream, false, (_, certificate, _, _) => certificate is not null);
        using var cancel = new CancellationTokenSource();
        var handshake = ssl.AuthenticateAsClientAsync(new SslClientAuthenticationOptions { TargetHost = "example.test", ApplicationProtocols = alpn }, cancel.Token);
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
