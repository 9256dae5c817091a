namespace Gatehouse.Runtime;

/// <summary>
/// An immutable set of typed settings, at most one per type: what each feature compiled from its section of one config
/// generation, for the whole generation, one cluster or one route. The generation is assembled above the features
/// (Lifecycle/), and each feature reads back only its own types, so no feature needs to know another's. A look-up is an
/// array index: every type gets its slot number once per process.
/// </summary>
public sealed class FeatureSet
{
    private static int _slots;

    private readonly object?[] _items;

    private FeatureSet(object?[] items) => _items = items;

    public static FeatureSet Empty { get; } = new([]);

    /// <summary>The <typeparamref name="T"/> of this set; null when the set has none.</summary>
    public T? Get<T>()
        where T : class
    {
        var slot = Slot<T>.Index;
        return slot < _items.Length ? (T?)_items[slot] : null;
    }

    /// <summary>This set with <paramref name="item"/> as its <typeparamref name="T"/> (a null item leaves it without one).</summary>
    public FeatureSet With<T>(T? item)
        where T : class
    {
        if (item is null)
        {
            return this;
        }

        var slot = Slot<T>.Index;
        var items = new object?[Math.Max(_items.Length, slot + 1)];
        _items.CopyTo(items, 0);
        items[slot] = item;
        return new FeatureSet(items);
    }

    private static class Slot<T>
    {
        public static readonly int Index = Interlocked.Increment(ref _slots) - 1;
    }
}
