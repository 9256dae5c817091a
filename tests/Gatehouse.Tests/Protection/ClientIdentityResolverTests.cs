using System.Net;
using Gatehouse.Protection;
using Microsoft.Extensions.Primitives;

namespace Gatehouse.Tests.Protection;

public class ClientIdentityResolverTests
{
    private static readonly IpNetworkList Trusted = IpNetworkList.From(["10.0.0.0/8", "fd00::/8"]);
    private static readonly IPAddress Peer = IPAddress.Parse("10.0.0.1");

    private static ClientIdentity Resolve(string? xff = null, string? proto = null, string? host = null, string? forwarded = null, IPAddress? peer = null) =>
        ClientIdentityResolver.Resolve(peer ?? Peer, Trusted, new StringValues(forwarded), new StringValues(xff), new StringValues(proto), new StringValues(host));

    [Fact]
    public void XForwardedFor_IsWalkedFromTheRight_SkippingTrustedHops()
    {
        var identity = Resolve("6.6.6.6, 203.0.113.5, 10.1.1.1, 10.2.2.2");

        Assert.Equal(IPAddress.Parse("203.0.113.5"), identity.ClientIp);
        Assert.Equal(Peer, identity.Peer);
        // What the client itself claimed (6.6.6.6, left of the first untrusted hop) is dropped.
        Assert.Equal("203.0.113.5, 10.1.1.1, 10.2.2.2, 10.0.0.1", identity.ForwardedFor);
    }

    [Fact]
    public void XForwardedFor_OverSeveralHeaderLines_IsOneList()
    {
        var identity = ClientIdentityResolver.Resolve(Peer, Trusted, default, new StringValues(["198.51.100.1, 10.9.9.9", "10.8.8.8"]), default, default);

        Assert.Equal(IPAddress.Parse("198.51.100.1"), identity.ClientIp);
    }

    [Fact]
    public void EveryHopTrusted_TheLeftmostIsTheClient_AsNginxRealIpRecursive()
    {
        Assert.Equal(IPAddress.Parse("10.5.5.5"), Resolve("10.5.5.5, 10.6.6.6").ClientIp);
    }

    [Fact]
    public void NoForwardingHeaders_ThePeerIsTheClient()
    {
        var identity = Resolve();

        Assert.Equal(Peer, identity.ClientIp);
        Assert.Equal("10.0.0.1", identity.ForwardedFor);
        Assert.Null(identity.Proto);
        Assert.Null(identity.Host);
    }

    [Theory]
    [InlineData("unknown")]
    [InlineData("_hidden")]
    [InlineData("not-an-ip")]
    public void AnEntryThatIsNoAddress_EndsTheWalkAtTheHopThatReportedIt(string garbage)
    {
        var identity = Resolve($"198.51.100.1, {garbage}, 10.3.3.3");

        Assert.Equal(IPAddress.Parse("10.3.3.3"), identity.ClientIp);
    }

    [Theory]
    [InlineData("198.51.100.1:4711", "198.51.100.1")]
    [InlineData("[2001:db8::7]:4711", "2001:db8::7")]
    [InlineData("2001:db8::7", "2001:db8::7")]
    [InlineData("::ffff:198.51.100.1", "198.51.100.1")]
    public void Entries_WithPortsBracketsOrMappedAddresses_AreRead(string entry, string expected)
    {
        Assert.Equal(IPAddress.Parse(expected), Resolve(entry).ClientIp);
    }

    [Fact]
    public void ProtoAndHost_AreTakenAtTheClientsHop_AlignedFromTheRight()
    {
        // The client claimed http for itself; the trusted edge appended what it saw: https.
        var identity = Resolve("198.51.100.1", proto: "http, https", host: "evil.example, shop.example");

        Assert.Equal("https", identity.Proto);
        Assert.Equal("shop.example", identity.Host);
    }

    [Fact]
    public void ProtoAndHost_ShorterThanTheChain_UseTheirLeftmostValue()
    {
        var identity = Resolve("198.51.100.1, 10.1.1.1", proto: "https", host: "shop.example");

        Assert.Equal("https", identity.Proto);
        Assert.Equal("shop.example", identity.Host);
    }

    [Fact]
    public void Forwarded_Rfc7239_IsReadPerElement_AndWinsOverXForwardedFor()
    {
        var identity = Resolve(
            xff: "6.6.6.6",
            forwarded: "for=6.6.6.6;proto=http, for=\"[2001:db8::1]:4711\";proto=https;host=shop.example, for=10.4.4.4;proto=http");

        Assert.Equal(IPAddress.Parse("2001:db8::1"), identity.ClientIp);
        Assert.Equal("https", identity.Proto);
        Assert.Equal("shop.example", identity.Host);
        Assert.Equal("2001:db8::1, 10.4.4.4, 10.0.0.1", identity.ForwardedFor);
    }

    [Fact]
    public void Forwarded_ObfuscatedNode_EndsTheWalk()
    {
        var identity = Resolve(forwarded: "for=198.51.100.1, for=_gateway;proto=https, for=10.4.4.4");

        Assert.Equal(IPAddress.Parse("10.4.4.4"), identity.ClientIp);
    }

    [Fact]
    public void Forwarded_QuotedValuesWithSeparators_AreParsed()
    {
        var elements = ClientIdentityResolver.ForwardedElements(new StringValues("for=\"198.51.100.1\";host=\"a.example:8080\";by=\"x;y,z\", For=10.0.0.9"));

        Assert.Equal(2, elements.Count);
        Assert.Equal("198.51.100.1", elements[0].For);
        Assert.Equal("a.example:8080", elements[0].Host);
        Assert.Equal("10.0.0.9", elements[1].For);
    }

    [Fact]
    public void IPv6TrustedProxy_IsWalkedLikeIPv4()
    {
        var identity = Resolve("2001:db8::42, fd00::2", peer: IPAddress.Parse("fd00::1"));

        Assert.Equal(IPAddress.Parse("2001:db8::42"), identity.ClientIp);
    }
}
