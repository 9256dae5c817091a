using System.Net;
using Gatehouse.Protection;

namespace Gatehouse.Tests.Protection;

public class IpNetworkListTests
{
    [Theory]
    [InlineData("10.0.0.0/8", "10.255.1.2", true)]
    [InlineData("10.0.0.0/8", "11.0.0.1", false)]
    [InlineData("192.0.2.7", "192.0.2.7", true)]
    [InlineData("192.0.2.7", "192.0.2.8", false)]
    [InlineData("0.0.0.0/0", "203.0.113.9", true)]
    [InlineData("2001:db8::/32", "2001:db8:1::5", true)]
    [InlineData("2001:db8::/32", "2001:db9::5", false)]
    [InlineData("::1", "::1", true)]
    [InlineData("::1", "127.0.0.1", false)]
    [InlineData("127.0.0.0/8", "::1", false)]
    public void Contains_MatchesIPv4AndIPv6Networks(string network, string address, bool expected)
    {
        var list = IpNetworkList.From([network]);

        Assert.Equal(expected, list.Contains(IPAddress.Parse(address)));
    }

    [Fact]
    public void Contains_MatchesIPv4MappedIPv6AsIPv4()
    {
        var list = IpNetworkList.From(["10.0.0.0/8"]);

        Assert.True(list.Contains(IPAddress.Parse("::ffff:10.1.2.3")));
        Assert.False(list.Contains(IPAddress.Parse("::ffff:11.1.2.3")));
    }

    [Fact]
    public void IPv4MappedNetworkInConfig_IsReadAsIPv4()
    {
        Assert.True(IpNetworkList.TryParse("::ffff:10.0.0.1", out var network, out _));

        Assert.Equal(IPAddress.Parse("10.0.0.1"), network.BaseAddress);
        Assert.Equal(32, network.PrefixLength);
    }

    [Fact]
    public void EmptyList_ContainsNothing_AndNullIsNeverContained()
    {
        Assert.False(IpNetworkList.Empty.Contains(IPAddress.Loopback));
        Assert.False(IpNetworkList.From(["0.0.0.0/0"]).Contains(null));
    }

    [Theory]
    [InlineData("10.0.0.1/8", "did you mean 10.0.0.0/8?")]
    [InlineData("10.0.0.0/33", "prefix length that is not 0 to 32")]
    [InlineData("2001:db8::/129", "prefix length that is not 0 to 128")]
    [InlineData("10.0.0.0/-1", "prefix length")]
    [InlineData("10.0.0.0/", "prefix length")]
    [InlineData("example.com", "is not an address or CIDR")]
    [InlineData("", "is empty")]
    public void TryParse_ExplainsWhatIsWrong(string text, string expected)
    {
        Assert.False(IpNetworkList.TryParse(text, out _, out var problem));
        Assert.Contains(expected, problem, StringComparison.Ordinal);
    }
}
