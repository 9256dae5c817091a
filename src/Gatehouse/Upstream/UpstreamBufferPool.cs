using System.Buffers;
using System.Collections.Concurrent;

namespace Gatehouse.Upstream;

/// <summary>
/// The 16 KiB blocks that backend connections read responses into. A connection waits for its backend's answer with a
/// zero-byte read and takes a block only once bytes are there (<see cref="UpstreamConnection"/>), so blocks are out
/// for the time a response is parsed and copied, not for the backend's latency. Still, a burst of responses arriving at
/// once takes more than <see cref="ArrayPool{T}.Shared"/> keeps (a few dozen arrays of a size per core), which then
/// allocated a new 16 KiB array for most of them (13 KB of garbage per request at 1,000 client connections, before the
/// zero-byte reads). This pool keeps what comes back, up to <see cref="MaxKept"/> blocks (32 MiB), as Kestrel's own
/// block pool does for its connections.
/// </summary>
internal sealed class UpstreamBufferPool : MemoryPool<byte>
{
    public const int BlockSize = 16 * 1024;
    private const int MaxKept = 2048;

    public static readonly UpstreamBufferPool Blocks = new();

    private readonly ConcurrentQueue<Block> _free = new();
    private int _kept;

    public override int MaxBufferSize => BlockSize;

    public override IMemoryOwner<byte> Rent(int minBufferSize = -1)
    {
        ArgumentOutOfRangeException.ThrowIfGreaterThan(minBufferSize, BlockSize);
        if (_free.TryDequeue(out var block))
        {
            Interlocked.Decrement(ref _kept);
        }
        else
        {
            block = new Block(this);
        }

        block.Lend();
        return block;
    }

    private void Return(Block block)
    {
        if (Interlocked.Increment(ref _kept) <= MaxKept)
        {
            _free.Enqueue(block);
        }
        else
        {
            Interlocked.Decrement(ref _kept);
        }
    }

    protected override void Dispose(bool disposing)
    {
    }

    private sealed class Block(UpstreamBufferPool pool) : IMemoryOwner<byte>
    {
        private readonly byte[] _array = GC.AllocateUninitializedArray<byte>(BlockSize);
        private int _lent;

        public Memory<byte> Memory => Volatile.Read(ref _lent) == 1 ? _array : throw new ObjectDisposedException(nameof(Block));

        public void Lend() => Volatile.Write(ref _lent, 1);

        // Only the first Dispose returns the block: a second one must never hand the same memory to two readers.
        public void Dispose()
        {
            if (Interlocked.Exchange(ref _lent, 0) == 1)
            {
                pool.Return(this);
            }
        }
    }
}
