using System.Buffers;
using Gatehouse.Acme.Challenges;
using Gatehouse.Tests.Upstream.Support;

namespace Gatehouse.Fuzz.Targets;

/// <summary>
/// The ClientHello peek (TlsClientHello, read before the TLS handshake on every listener that peeks). The first byte
/// seeds random cuts; the rest is what a client sent. The answer is the same whether the bytes arrive whole, one byte
/// per segment or cut at random (a Pipe hands them over in any pieces), and any prefix of an input whose answer is
/// Done answers NeedMoreData or the same Done, never NotClientHello (which would refuse a client that is only slow).
/// </summary>
public static class ClientHelloTarget
{
    public static void Run(byte[] data)
    {
        if (data.Length == 0)
        {
            return;
        }

        var input = data[1..];
        var whole = Read(new ReadOnlySequence<byte>(input));
        var random = new Random(data[0]);
        var cuts = Enumerable.Range(0, random.Next(1, 8)).Select(_ => random.Next(1, Math.Max(2, input.Length))).Distinct().Order().Where(c => c < input.Length).ToList();
        var stride = input.Length <= 4096 ? 1 : 61;
        var everyStride = Enumerable.Range(1, Math.Max(0, (input.Length - 1) / stride)).Select(i => i * stride);
        foreach (var pieces in new[] { Segments.Split(input, everyStride), Segments.Split(input, cuts) })
        {
            var split = Read(Segments.Of(pieces.Select(p => (ReadOnlyMemory<byte>)p).ToList()));
            FindingException.Unless(split == whole, $"split input disagrees: {whole} vs {split}");
        }

        if (whole.Status == TlsClientHello.ReadStatus.Done)
        {
            foreach (var cut in cuts.Append(input.Length / 2))
            {
                var prefix = Read(new ReadOnlySequence<byte>(input, 0, cut));
                FindingException.Unless(prefix.Status != TlsClientHello.ReadStatus.NotClientHello, $"prefix of {cut} bytes of a ClientHello refused");
            }
        }

        TlsClientHello.OffersAcmeTls(new ReadOnlySequence<byte>(input), out _);
    }

    private static Answer Read(ReadOnlySequence<byte> bytes)
    {
        var status = TlsClientHello.TryRead(bytes, readAlpn: true, out var offer);
        var withoutAlpn = TlsClientHello.TryRead(bytes, readAlpn: false, out var tlsOnly);
        FindingException.Unless(withoutAlpn == status && tlsOnly.Tls13 == offer.Tls13 && tlsOnly.Alpn.Count == 0, "reading ALPN changes the answer");
        return new Answer(status, offer.Tls13, string.Join("|", offer.Alpn));
    }

    private readonly record struct Answer(TlsClientHello.ReadStatus Status, bool Tls13, string Alpn);
}
