using Gatehouse.Caching.Middleware;

namespace Gatehouse.Caching.Tests.Middleware;

public class CaptureBufferTests
{
    [Fact]
    public void KeepsWhatFits_InAnArrayOfExactlyThatSize()
    {
        var buffer = new CaptureBuffer(limit: 100, expectedLength: null);

        Assert.True(buffer.TryAppend([1, 2, 3]));
        Assert.True(buffer.TryAppend([4]));

        Assert.Equal(new byte[] { 1, 2, 3, 4 }, buffer.ToMemory().ToArray());
    }

    [Fact]
    public void PastTheLimit_GivesUp()
    {
        var buffer = new CaptureBuffer(limit: 4, expectedLength: null);

        Assert.True(buffer.TryAppend([1, 2, 3, 4]));
        Assert.False(buffer.TryAppend([5]));
    }

    [Fact]
    public void GrowsPastItsFirstSize()
    {
        var buffer = new CaptureBuffer(limit: 1 << 20, expectedLength: null);
        var chunk = new byte[10_000];
        chunk[^1] = 7;

        for (var i = 0; i < 50; i++)
        {
            Assert.True(buffer.TryAppend(chunk));
        }

        var copy = buffer.ToMemory();
        Assert.Equal(500_000, copy.Length);
        Assert.Equal(7, copy.Span[^1]);
    }
}
