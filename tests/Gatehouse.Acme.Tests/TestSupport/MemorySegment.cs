using System.Buffers;

namespace Gatehouse.Acme.Tests.TestSupport;

/// <summary>
/// One segment of a hand-built multi-segment <see cref="ReadOnlySequence{T}"/>, as a Pipe hands over bytes that arrived
/// in several reads. Linked into Gatehouse.Tests as well (the HTTP/1.1 parser tests), like <see cref="FreePorts"/>.
/// </summary>
internal sealed class MemorySegment : ReadOnlySequenceSegment<byte>
{
    public MemorySegment(ReadOnlyMemory<byte> memory, long runningIndex)
    {
        Memory = memory;
        RunningIndex = runningIndex;
    }

    public MemorySegment Append(ReadOnlyMemory<byte> memory)
    {
        var next = new MemorySegment(memory, RunningIndex + Memory.Length);
        Next = next;
        return next;
    }
}
