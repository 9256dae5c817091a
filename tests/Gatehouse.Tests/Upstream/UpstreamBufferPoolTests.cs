using Gatehouse.Upstream;

namespace Gatehouse.Tests.Upstream;

public sealed class UpstreamBufferPoolTests
{
    [Fact]
    public void AReturnedBlock_IsLentAgain_InsteadOfANewOne()
    {
        var pool = new UpstreamBufferPool();
        var first = pool.Rent(1024);
        var memory = first.Memory;
        first.Dispose();

        using var second = pool.Rent(UpstreamBufferPool.BlockSize);

        Assert.True(second.Memory.Span.Overlaps(memory.Span));
        Assert.Equal(UpstreamBufferPool.BlockSize, second.Memory.Length);
    }

    [Fact]
    public void DisposedTwice_ABlockIsStillLentToOneReaderOnly()
    {
        var pool = new UpstreamBufferPool();
        var block = pool.Rent();
        block.Dispose();
        block.Dispose();

        using var a = pool.Rent();
        using var b = pool.Rent();

        Assert.False(a.Memory.Span.Overlaps(b.Memory.Span));
    }

    [Fact]
    public void ADisposedBlock_CannotBeWrittenThroughItsOldOwner()
    {
        var pool = new UpstreamBufferPool();
        var block = pool.Rent();
        block.Dispose();

        Assert.Throws<ObjectDisposedException>(() => block.Memory);
    }

    [Fact]
    public void MoreThanABlock_IsRefused() =>
        Assert.Throws<ArgumentOutOfRangeException>(() => new UpstreamBufferPool().Rent(UpstreamBufferPool.BlockSize + 1));
}
