namespace Gatehouse.Caching;

/// <summary>
/// The bytes held of one representation: its <see cref="Parts"/> (sorted, merged, as <see cref="PartialContent.Combine"/>
/// leaves them) and, in <see cref="Bytes"/>, their contents one after the other with nothing between them. A stored
/// partial response (RFC 9111 §3.3) keeps its body so: no hole is ever allocated, so an entry costs what it holds.
/// </summary>
public sealed record SparseBody(IReadOnlyList<ContentPart> Parts, ReadOnlyMemory<byte> Bytes)
{
    /// <summary>A single part and its bytes (their lengths must agree).</summary>
    public static SparseBody Of(ContentPart part, ReadOnlyMemory<byte> bytes)
    {
        ArgumentOutOfRangeException.ThrowIfNotEqual(bytes.Length, part.Length, nameof(bytes));
        return new SparseBody([part], bytes);
    }

    /// <summary>§3.4: the whole representation is held; <see cref="Bytes"/> is then its content.</summary>
    public bool IsComplete => PartialContent.IsComplete(Parts);

    /// <summary>
    /// These parts with <paramref name="part"/> added (§3.4). Where the new part overlaps held bytes, its bytes win: they
    /// are the newest, and under one strong validator they are the same anyway. The caller has checked
    /// <see cref="PartialContent.CanCombine"/>.
    /// </summary>
    public SparseBody Add(ContentPart part, ReadOnlyMemory<byte> bytes)
    {
        ArgumentOutOfRangeException.ThrowIfNotEqual(bytes.Length, part.Length, nameof(bytes));
        var parts = PartialContent.Combine(Parts, part);
        var length = 0L;
        foreach (var merged in parts)
        {
            length += merged.Length;
        }
        var combined = new byte[length];
        var at = 0L;
        foreach (var merged in parts)
        {
            // Each merged part is filled from the held parts inside it, then from the new one over them.
            foreach (var held in Parts)
            {
                if (held.First >= merged.First && held.Last <= merged.Last)
                {
                    Bytes.Span.Slice((int)OffsetOf(held.First), (int)held.Length).CopyTo(combined.AsSpan((int)(at + held.First - merged.First)));
                }
            }
            if (part.First >= merged.First && part.Last <= merged.Last)
            {
                bytes.Span.CopyTo(combined.AsSpan((int)(at + part.First - merged.First)));
            }
            at += merged.Length;
        }
        return new SparseBody(parts, combined);
    }

    /// <summary>The bytes of <paramref name="range"/>, which must lie inside one held part (<see cref="PartialContent.Covering"/>).</summary>
    public ReadOnlyMemory<byte> Slice(ContentPart range) => Bytes.Slice((int)OffsetOf(range.First), (int)range.Length);

    /// <summary>Where byte <paramref name="position"/> of the representation is in <see cref="Bytes"/>.</summary>
    private long OffsetOf(long position)
    {
        var offset = 0L;
        foreach (var part in Parts)
        {
            if (position >= part.First && position <= part.Last)
            {
                return offset + position - part.First;
            }
            offset += part.Length;
        }
        throw new ArgumentOutOfRangeException(nameof(position), position, "not a held byte");
    }
}
