using Gatehouse.Protection;

namespace Gatehouse.Tests.Protection;

public class ViaHeaderTests
{
    [Theory]
    [InlineData("HTTP/1.0", "1.0 gatehouse")]
    [InlineData("HTTP/1.1", "1.1 gatehouse")]
    [InlineData("HTTP/2", "2 gatehouse")]
    [InlineData("HTTP/3", "3 gatehouse")]
    public void ForProtocol_NamesTheReceivedProtocol(string protocol, string expected)
    {
        Assert.Equal(expected, new ViaHeader("gatehouse").ForProtocol(protocol));
    }

    [Theory]
    [InlineData(1, 0, "1.0 edge")]
    [InlineData(1, 1, "1.1 edge")]
    [InlineData(2, 0, "2 edge")]
    [InlineData(3, 0, "3 edge")]
    public void ForVersion_NamesTheBackendResponseVersion(int major, int minor, string expected)
    {
        Assert.Equal(expected, new ViaHeader("edge").ForVersion(new Version(major, minor)));
    }
}
