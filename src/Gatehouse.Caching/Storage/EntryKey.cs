namespace Gatehouse.Caching.Storage;

/// <summary>What a store keeps one entry under: a primary key and one of its variants.</summary>
internal readonly record struct EntryKey(string Key, string VaryKey)
{
    public static EntryKey Of(CachedResponse response) => new(response.Key, response.VaryKey);
}
