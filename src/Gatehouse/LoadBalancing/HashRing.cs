using System.IO.Hashing;
using System.Runtime.InteropServices;

namespace Gatehouse.LoadBalancing;

/// <summary>
/// A consistent-hash ring (Karger et al., as in nginx's <c>hash … consistent</c> and Envoy's ring_hash): each member owns
/// <see cref="PointsPerWeight"/> × weight points, so adding or removing one of N members moves about 1/N of the keys.
/// Immutable once built.
/// </summary>
public sealed class HashRing
{
    public const int PointsPerWeight = 160;

    private readonly ulong[] _points;
    private readonly int[] _owners;

    public HashRing(IReadOnlyList<(string Id, int Weight)> members)
    {
        Members = members.Select(m => m.Id).ToArray();
        var entries = new List<(ulong Point, int Owner)>();
        for (var owner = 0; owner < members.Count; owner++)
        {
            var points = PointsPerWeight * Math.Max(1, members[owner].Weight);
            for (var i = 0; i < points; i++)
            {
                entries.Add((Hash($"{members[owner].Id}#{i}"), owner));
            }
        }

        // Ties on a point are broken by member id so the ring is the same whatever the member order.
        entries.Sort((a, b) => a.Point != b.Point ? a.Point.CompareTo(b.Point) : string.CompareOrdinal(Members[a.Owner], Members[b.Owner]));
        _points = entries.Select(e => e.Point).ToArray();
        _owners = entries.Select(e => e.Owner).ToArray();
    }

    public IReadOnlyList<string> Members { get; }

    public static ulong Hash(ReadOnlySpan<char> key) => XxHash3.HashToUInt64(MemoryMarshal.AsBytes(key));

    /// <summary>
    /// The index (into <see cref="Members"/>) of the first member clockwise from the key's hash that <paramref name="accept"/>s,
    /// or -1 when none does.
    /// </summary>
    public int Locate<TState>(ulong keyHash, TState state, Func<int, TState, bool> accept)
    {
        if (_points.Length == 0)
        {
            return -1;
        }

        var start = Array.BinarySearch(_points, keyHash);
        if (start < 0)
        {
            start = ~start;
        }

        // The first owner almost always accepts; only a skip pays for remembering who was tried.
        var first = _owners[start % _points.Length];
        if (accept(first, state))
        {
            return first;
        }

        var tried = new HashSet<int> { first };
        for (var step = 1; step < _points.Length && tried.Count < Members.Count; step++)
        {
            var owner = _owners[(start + step) % _points.Length];
            if (tried.Add(owner) && accept(owner, state))
            {
                return owner;
            }
        }

        return -1;
    }

    public string? Locate(string key) => Locate(Hash(key), 0, static (_, _) => true) is var i and >= 0 ? Members[i] : null;
}
