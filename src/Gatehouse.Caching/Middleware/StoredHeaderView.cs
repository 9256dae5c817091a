using System.Collections;
using System.Collections.Frozen;
using System.Diagnostics.CodeAnalysis;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Primitives;
using Microsoft.Net.Http.Headers;

namespace Gatehouse.Caching.Middleware;

/// <summary>
/// The stored fields of a <see cref="Storage.CachedResponse"/> seen as a read-only <see cref="IHeaderDictionary"/>, so
/// that the decisions (conditions, ranges, validators) read them on every hit without a copy.
/// </summary>
internal sealed class StoredHeaderView(FrozenDictionary<string, StringValues> fields) : IHeaderDictionary
{
    public StringValues this[string key]
    {
        get => fields.TryGetValue(key, out var value) ? value : StringValues.Empty;
        set => throw ReadOnly();
    }

    public long? ContentLength
    {
        get => long.TryParse(this[HeaderNames.ContentLength], System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var length) ? length : null;
        set => throw ReadOnly();
    }

    public ICollection<string> Keys => fields.Keys;

    public ICollection<StringValues> Values => fields.Values;

    public int Count => fields.Count;

    public bool IsReadOnly => true;

    public bool ContainsKey(string key) => fields.ContainsKey(key);

    public bool TryGetValue(string key, [MaybeNullWhen(false)] out StringValues value) => fields.TryGetValue(key, out value);

    public bool Contains(KeyValuePair<string, StringValues> item) => fields.TryGetValue(item.Key, out var value) && value == item.Value;

    public void CopyTo(KeyValuePair<string, StringValues>[] array, int arrayIndex) => ((ICollection<KeyValuePair<string, StringValues>>)fields).CopyTo(array, arrayIndex);

    public IEnumerator<KeyValuePair<string, StringValues>> GetEnumerator() => ((IEnumerable<KeyValuePair<string, StringValues>>)fields).GetEnumerator();

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

    public void Add(string key, StringValues value) => throw ReadOnly();

    public void Add(KeyValuePair<string, StringValues> item) => throw ReadOnly();

    public bool Remove(string key) => throw ReadOnly();

    public bool Remove(KeyValuePair<string, StringValues> item) => throw ReadOnly();

    public void Clear() => throw ReadOnly();

    private static NotSupportedException ReadOnly() => new("Stored header fields are read-only.");
}
