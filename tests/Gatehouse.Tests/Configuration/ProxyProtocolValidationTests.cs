using Gatehouse.Configuration;
using Gatehouse.Lifecycle;

namespace Gatehouse.Tests.Configuration;

public class ProxyProtocolValidationTests
{
    private static GatehouseConfig Accepting(ListenerProxyProtocolDefinition proxyProtocol) => SampleConfig.Valid() with
    {
        Listeners = [new ListenerDefinition { Port = 8080, ProxyProtocol = proxyProtocol }],
    };

    private static List<string> Errors(GatehouseConfig config) => ConfigValidator.Validate(config).Select(e => e.ToString()).ToList();

    [Fact]
    public void AListenerWithTrustedSenders_AndClustersSendingEitherVersion_AreValid()
    {
        var config = Accepting(new ListenerProxyProtocolDefinition { TrustedSenders = ["10.0.0.0/8", "192.0.2.7", "2001:db8::/32"] }) with
        {
            Clusters = new Dictionary<string, ClusterDefinition>
            {
                ["api"] = SampleConfig.Cluster with
                {
                    ProxyProtocol = "v2",
                    Destinations = SampleConfig.Destinations(SampleConfig.Destination, SampleConfig.Destination with { ProxyProtocol = "v1" }, SampleConfig.Destination with { ProxyProtocol = "none" }),
                },
            },
        };
        Assert.Empty(Errors(config));
    }

    [Fact]
    public void AListenerWithoutTrustedSenders_IsReported_ForNoPeerCouldConnect() =>
        Assert.Contains("listeners[0].proxyProtocol.trustedSenders: required: the addresses or CIDRs of the load balancers that send the header",
            Errors(Accepting(new ListenerProxyProtocolDefinition())));

    [Fact]
    public void BadSendersAndTimeout_AreReportedWithTheirPaths()
    {
        var paths = ConfigValidator.Validate(Accepting(new ListenerProxyProtocolDefinition
        {
            TrustedSenders = ["10.0.0.0/8", "not-an-address", "10.0.0.0/33"],
            HeaderTimeout = Duration.Parse("0s"),
        })).Select(e => e.Path).ToList();
        Assert.Equal(["listeners[0].proxyProtocol.trustedSenders[1]", "listeners[0].proxyProtocol.trustedSenders[2]", "listeners[0].proxyProtocol.headerTimeout"], paths);
    }

    [Fact]
    public void UnknownVersions_AreReportedForClusterAndDestination()
    {
        var errors = Errors(SampleConfig.Valid(cluster: SampleConfig.Cluster with
        {
            ProxyProtocol = "2",
            Destinations = SampleConfig.Destinations(SampleConfig.Destination with { ProxyProtocol = "v3" }),
        }));
        Assert.Contains("clusters.api.proxyProtocol: '2' is not v1 or v2", errors);
        Assert.Contains("clusters.api.destinations.d1.proxyProtocol: 'v3' is not v1, v2 or none", errors);
    }

    [Fact]
    public void NoneAtTheCluster_IsNotAVersion() =>
        Assert.Contains("clusters.api.proxyProtocol: 'none' is not v1 or v2", Errors(SampleConfig.Valid(cluster: SampleConfig.Cluster with { ProxyProtocol = "none" })));

    [Fact]
    public void TheSameSectionReadTwice_IsEqual_SoAReloadDoesNotReportAListenerChange()
    {
        ListenerDefinition Read() => new() { Port = 8080, ProxyProtocol = new() { TrustedSenders = new List<string> { "10.0.0.1" }, HeaderTimeout = Duration.Parse("3s") } };
        Assert.Equal(Read(), Read());
        Assert.NotEqual(Read(), Read() with { ProxyProtocol = new() { TrustedSenders = ["10.0.0.2"], HeaderTimeout = Duration.Parse("3s") } });
    }
}
