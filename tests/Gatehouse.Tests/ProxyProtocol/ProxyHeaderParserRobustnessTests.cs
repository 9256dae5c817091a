using System.Net;
using Gatehouse.ProxyProtocol;

namespace Gatehouse.Tests.ProxyProtocol;

/// <summary>
/// What the fuzzer would check, run on every build with a fixed seed: no input makes the parser throw, a Done never
/// consumes more than it was given or than the bound, and NeedMoreData only comes for input shorter than the bound.
/// </summary>
public class ProxyHeaderParserRobustnessTests
{
    private static void AssertWellBehaved(byte[] input, int maxPayload = ProxyHeaderParser.DefaultMaxV2Payload)
    {
        var status = ProxyHeaderParser.TryParse(input, out var header, out var consumed, maxPayload);
        switch (status)
        {
            case ProxyParseStatus.Done:
                Assert.NotNull(header);
                Assert.InRange(consumed, 1, Math.Min(input.Length, ProxyHeaderParser.MaxHeaderLength(maxPayload)));
                break;
            case ProxyParseStatus.NeedMoreData:
                Assert.Equal(0, consumed);
                Assert.True(input.Length < ProxyHeaderParser.MaxHeaderLength(maxPayload), "asked for more past the bound");
                break;
            default:
                Assert.Equal(0, consumed);
                break;
        }
    }

    [Fact]
    public void RandomBytes_NeverThrow()
    {
        var random = new Random(19);
        for (var i = 0; i < 20_000; i++)
        {
            var bytes = new byte[random.Next(0, 300)];
            random.NextBytes(bytes);
            // Half start like a header, so the parser gets past its first byte.
            if (i % 4 == 1 && bytes.Length > 6)
            {
                "PROXY "u8.CopyTo(bytes);
            }
            else if (i % 4 == 2 && bytes.Length > 12)
            {
                "\r\n\r\n\0\r\nQUIT\n"u8.CopyTo(bytes);
                bytes[12] = (byte)(0x20 | (bytes[12] & 1));
            }

            AssertWellBehaved(bytes);
        }
    }

    [Fact]
    public void EverySingleByteChangeOfValidHeaders_NeverThrows()
    {
        var client = new IPEndPoint(IPAddress.Parse("2001:db8::10"), 40000);
        var local = new IPEndPoint(IPAddress.Parse("2001:db8::1"), 443);
        var tls = new ProxyTlsInfo { Version = "TLSv1.3", Cipher = "TLS_AES_128_GCM_SHA256", ServerName = "a.example", Alpn = "h2"u8.ToArray() };
        foreach (var valid in new[] { ProxyHeaderWriter.V1(client, local), ProxyHeaderWriter.V2(client, local, tls) })
        {
            for (var i = 0; i < valid.Length; i++)
            {
                foreach (var value in new byte[] { 0x00, 0x01, 0x20, 0x7F, 0x80, 0xFF, (byte)(valid[i] ^ 0x01) })
                {
                    var mutated = (byte[])valid.Clone();
                    mutated[i] = value;
                    AssertWellBehaved(mutated);
                    AssertWellBehaved(mutated[..i]);
                }
            }
        }
    }
}
