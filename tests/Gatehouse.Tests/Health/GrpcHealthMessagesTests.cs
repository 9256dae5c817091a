using Gatehouse.Health;

namespace Gatehouse.Tests.Health;

public class GrpcHealthMessagesTests
{
    [Fact]
    public void Request_ForTheWholeServer_IsAnEmptyFramedMessage()
    {
        Assert.Equal(new byte[] { 0, 0, 0, 0, 0 }, GrpcHealthMessages.Request(""));
    }

    [Fact]
    public void Request_ForAService_IsFieldOneAsAString()
    {
        var expected = new byte[] { 0, 0, 0, 0, 6, 0x0A, 4, (byte)'e', (byte)'c', (byte)'h', (byte)'o' };

        Assert.Equal(expected, GrpcHealthMessages.Request("echo"));
    }

    [Theory]
    [InlineData(new byte[] { 0, 0, 0, 0, 2, 0x08, 1 }, true)] // status = SERVING
    [InlineData(new byte[] { 0, 0, 0, 0, 2, 0x08, 2 }, false)] // NOT_SERVING
    [InlineData(new byte[] { 0, 0, 0, 0, 2, 0x08, 3 }, false)] // SERVICE_UNKNOWN
    [InlineData(new byte[] { 0, 0, 0, 0, 0 }, false)] // absent: UNKNOWN
    [InlineData(new byte[] { 0, 0, 0, 0, 5, 0x12, 1, (byte)'x', 0x08, 1 }, true)] // an unknown field first is skipped
    [InlineData(new byte[] { 1, 0, 0, 0, 2, 0x08, 1 }, false)] // compressed: not read
    [InlineData(new byte[] { 0, 0, 0, 0, 3, 0x08, 1 }, false)] // length says more than there is
    [InlineData(new byte[] { 0, 0, 0, 0, 2, 0x08, 1, 0 }, false)] // trailing bytes
    [InlineData(new byte[] { 0, 0, 0, 0, 1, 0x08 }, false)] // truncated varint
    [InlineData(new byte[] { 0, 0, 0 }, false)]
    public void IsServing_ReadsOnlyAWellFormedServingAnswer(byte[] body, bool serving)
    {
        Assert.Equal(serving, GrpcHealthMessages.IsServing(body));
    }
}
