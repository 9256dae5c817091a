using Gatehouse.Configuration;
using Gatehouse.Forwarding;

namespace Gatehouse.Tests.Forwarding;

public class ProxyProtocolSendingTests
{
    private static ClusterDefinition Cluster(string? version, params (string Id, string Address, string? Version)[] destinations) => new()
    {
        ProxyProtocol = version,
        Destinations = destinations.ToDictionary(d => d.Id, d => new DestinationDefinition { Address = d.Address, ProxyProtocol = d.Version }),
    };

    [Fact]
    public void AClusterWhereNoDestinationSends_HasNoSettings_SoItsRequestsPayNothing()
    {
        Assert.Null(ProxyProtocolSending.From(Cluster(null, ("a", "http://10.0.0.1:80", null))));
        Assert.Null(ProxyProtocolSending.From(Cluster("v2", ("a", "http://10.0.0.1:80", "none"))));
    }

    [Fact]
    public void DestinationsTakeTheClustersVersion_UnlessTheyNameTheirOwn()
    {
        var sending = ProxyProtocolSending.From(Cluster("v2",
            ("a", "http://10.0.0.1:8080", null), ("b", "https://Backend.Example:8443/base", "v1"), ("c", "http://[2001:db8::1]/", "none")))!;
        Assert.Equal(2, sending.VersionFor("a"));
        Assert.Equal(1, sending.VersionFor("B"));
        Assert.Equal(0, sending.VersionFor("c"));
        Assert.Equal(2, sending.VersionFor("10.0.0.1", 8080));
        Assert.Equal(1, sending.VersionFor("backend.example", 8443));
        Assert.Equal(0, sending.VersionFor("2001:db8::1", 80));
    }

    [Fact]
    public void TheMetadataForYarpsClient_RoundTripsTheVersionsPerAuthority()
    {
        var metadata = ProxyProtocolSending.AddMetadata([], Cluster(null, ("a", "http://10.0.0.1:8080", "v1"), ("b", "http://[2001:db8::1]:81", "v2")));
        var versions = ProxyProtocolSending.ParseMetadata(metadata[ProxyProtocolSending.Metadata]);
        Assert.Equal(new Dictionary<string, int> { ["10.0.0.1:8080"] = 1, ["2001:db8::1:81"] = 2 }, versions);
        Assert.Empty(ProxyProtocolSending.AddMetadata([], Cluster(null, ("a", "http://10.0.0.1:8080", null))));
    }
}
