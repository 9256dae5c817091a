using System.Net;
using System.Text;
using Gatehouse.ProxyProtocol;

namespace Gatehouse.Tests.ProxyProtocol;

public class ProxyHeaderWriterTests
{
    private static readonly IPEndPoint Client4 = new(IPAddress.Parse("192.0.2.10"), 56324);
    private static readonly IPEndPoint Local4 = new(IPAddress.Parse("198.51.100.1"), 443);

    [Fact]
    public void V1_IsTheSpecsLine() =>
        Assert.Equal("PROXY TCP4 192.0.2.10 198.51.100.1 56324 443\r\n", Encoding.ASCII.GetString(ProxyHeaderWriter.V1(Client4, Local4)));

    [Fact]
    public void V1_WithIPv4MappedAddresses_IsTcp4() =>
        Assert.Equal("PROXY TCP4 192.0.2.10 198.51.100.1 1 2\r\n",
            Encoding.ASCII.GetString(ProxyHeaderWriter.V1(new(IPAddress.Parse("::ffff:192.0.2.10"), 1), new(IPAddress.Parse("::ffff:198.51.100.1"), 2))));

    [Fact]
    public void V1_WithMixedFamilies_IsTcp6WithTheIPv4AddressMapped() =>
        Assert.Equal("PROXY TCP6 ::ffff:192.0.2.10 2001:db8::1 56324 443\r\n",
            Encoding.ASCII.GetString(ProxyHeaderWriter.V1(Client4, new(IPAddress.Parse("2001:db8::1"), 443))));

    [Fact]
    public void V1_WithoutAClient_IsUnknown() =>
        Assert.Equal("PROXY UNKNOWN\r\n", Encoding.ASCII.GetString(ProxyHeaderWriter.V1(null, Local4)));

    [Fact]
    public void V2_WithoutAClient_IsLocal()
    {
        var bytes = ProxyHeaderWriter.V2(null, null);
        Assert.Equal(16, bytes.Length);
        Assert.Equal(ProxyParseStatus.Done, ProxyHeaderParser.TryParse(bytes, out var header, out _));
        Assert.Equal(ProxyCommand.Local, header!.Command);
    }

    [Theory]
    [InlineData("192.0.2.10", "198.51.100.1")]
    [InlineData("2001:db8::10", "2001:db8::1")]
    public void WhatIsWritten_ParsesBackToTheSameEndpoints_InBothVersions(string source, string destination)
    {
        var from = new IPEndPoint(IPAddress.Parse(source), 40000);
        var to = new IPEndPoint(IPAddress.Parse(destination), 8443);
        foreach (var version in new[] { 1, 2 })
        {
            var bytes = ProxyHeaderWriter.Write(version, from, to);
            Assert.Equal(ProxyParseStatus.Done, ProxyHeaderParser.TryParse(bytes, out var header, out var consumed));
            Assert.Equal(bytes.Length, consumed);
            Assert.Equal(version, header!.Version);
            Assert.Equal(from, header.Source);
            Assert.Equal(to, header.Destination);
        }
    }

    [Fact]
    public void V2_CarriesTheClientsTls_AsAlpnAuthorityAndSslTlvs()
    {
        var tls = new ProxyTlsInfo { Version = "TLSv1.3", Cipher = "TLS_AES_128_GCM_SHA256", ServerName = "app.example", Alpn = "h2"u8.ToArray() };
        Assert.Equal(ProxyParseStatus.Done, ProxyHeaderParser.TryParse(ProxyHeaderWriter.V2(Client4, Local4, tls), out var header, out _));
        Assert.Equal("h2", Text(header!.Tlv(ProxyTlvTypes.Alpn)));
        Assert.Equal("app.example", Text(header.Tlv(ProxyTlvTypes.Authority)));
        var ssl = header.Tlv(ProxyTlvTypes.Ssl)!.Value.ToArray();
        Assert.Equal(ProxyTlvTypes.ClientSsl, ssl[0]);
        Assert.Equal(new byte[] { 0, 0, 0, 1 }, ssl[1..5]); // no verified client certificate: non-zero
        var subs = SubTlvs(ssl[5..]);
        Assert.Equal("TLSv1.3", subs[ProxyTlvTypes.SslVersion]);
        Assert.Equal("TLS_AES_128_GCM_SHA256", subs[ProxyTlvTypes.SslCipher]);
    }

    [Fact]
    public void V2_WithAVerifiedClientCertificate_SaysSo()
    {
        var tls = new ProxyTlsInfo { Version = "TLSv1.2", ClientCertificate = true, ClientCertificateVerified = true, ClientCommonName = "alice" };
        Assert.Equal(ProxyParseStatus.Done, ProxyHeaderParser.TryParse(ProxyHeaderWriter.V2(Client4, Local4, tls), out var header, out _));
        var ssl = header!.Tlv(ProxyTlvTypes.Ssl)!.Value.ToArray();
        Assert.Equal(ProxyTlvTypes.ClientSsl | ProxyTlvTypes.ClientCertificateConnection | ProxyTlvTypes.ClientCertificateSession, ssl[0]);
        Assert.Equal(new byte[] { 0, 0, 0, 0 }, ssl[1..5]);
        Assert.Equal("alice", SubTlvs(ssl[5..])[ProxyTlvTypes.SslCommonName]);
    }

    private static string Text(ReadOnlyMemory<byte>? value) => Encoding.UTF8.GetString(value!.Value.Span);

    private static Dictionary<byte, string> SubTlvs(byte[] bytes)
    {
        var result = new Dictionary<byte, string>();
        for (var i = 0; i < bytes.Length;)
        {
            var length = (bytes[i + 1] << 8) | bytes[i + 2];
            result[bytes[i]] = Encoding.UTF8.GetString(bytes, i + 3, length);
            i += 3 + length;
        }

        return result;
    }
}
