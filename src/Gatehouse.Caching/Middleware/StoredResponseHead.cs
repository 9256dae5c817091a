using System.Collections.Frozen;
using System.Reflection;
using Gatehouse.Caching.Storage;
using Microsoft.Extensions.Primitives;
using Microsoft.Net.Http.Headers;

namespace Gatehouse.Caching.Middleware;

/// <summary>
/// What a hit sends of one stored response's header section, worked out once per stored header set (and route's own
/// targeted field) instead of on every hit: the fields to copy, in stored order, without those the cache sets itself or
/// never sends; the fields of a 304; a read-only view for the decisions; and the last Age and Cache-Status values,
/// which change at most once a second, formatted. Kept in <see cref="CachedResponse.Derived"/>.
/// </summary>
/// <remarks>
/// Kestrel takes response headers only through <c>IHeaderDictionary</c>, so "ready bytes" are ready
/// <see cref="StringValues"/>: a hit assigns them without building a string. A name equal (ordinally) to one of
/// <see cref="HeaderNames"/> is replaced by that very instance, so Kestrel's known-header lookup matches it by
/// reference; the spelling sent does not change.
/// </remarks>
internal sealed class StoredResponseHead
{
    private static readonly FrozenDictionary<string, string> KnownNames = typeof(HeaderNames)
        .GetFields(BindingFlags.Public | BindingFlags.Static)
        .Where(field => field.FieldType == typeof(string))
        .Select(field => (string)field.GetValue(null)!)
        .Distinct(StringComparer.Ordinal)
        .ToFrozenDictionary(name => name, StringComparer.Ordinal);

    private FormattedAge? age;
    private HitStatusMember? hitStatus;

    private StoredResponseHead(FrozenDictionary<string, StringValues> source, string? ownTargetedField)
    {
        Source = source;
        OwnTargetedField = ownTargetedField;
        View = new StoredHeaderView(source);
        var fields = new List<KeyValuePair<string, StringValues>>(source.Count);
        foreach (var (name, value) in source)
        {
            if (!IsReplaced(name, ownTargetedField))
            {
                fields.Add(new(KnownNames.GetValueOrDefault(name, name), value));
            }
        }
        Fields = [.. fields];
        NotModifiedFields = [.. ClientConditions.NotModifiedHeaders(View)];
    }

    /// <summary>The stored fields this was derived from.</summary>
    public FrozenDictionary<string, StringValues> Source { get; }

    public string? OwnTargetedField { get; }

    /// <summary>The stored fields as a read-only <see cref="Microsoft.AspNetCore.Http.IHeaderDictionary"/>.</summary>
    public StoredHeaderView View { get; }

    /// <summary>The stored fields a full (or partial) response sends: all but Age, Content-Length and the own targeted field.</summary>
    public KeyValuePair<string, StringValues>[] Fields { get; }

    /// <summary><see cref="ClientConditions.NotModifiedHeaders"/> of the stored fields.</summary>
    public KeyValuePair<string, StringValues>[] NotModifiedFields { get; }

    /// <summary>
    /// The head of <paramref name="entry"/> for a route with <paramref name="ownTargetedField"/>, derived on first use.
    /// One head is kept per entry: a key that routes with different own targeted fields share is derived again at each
    /// switch (correct, only slower; such routes are rare).
    /// </summary>
    public static StoredResponseHead Of(CachedResponse entry, string? ownTargetedField)
    {
        // A copy of the entry made with `with` shares the slot: the head is only reused for the same header set.
        if (entry.Derived.Value is StoredResponseHead head && ReferenceEquals(head.Source, entry.Headers)
            && string.Equals(head.OwnTargetedField, ownTargetedField, StringComparison.Ordinal))
        {
            return head;
        }
        head = new StoredResponseHead(entry.Headers, ownTargetedField);
        entry.Derived.Value = head;
        return head;
    }

    /// <summary><see cref="ResponseAge.ToHeaderValue"/>, formatted again only when the second changes.</summary>
    public string Age(TimeSpan currentAge)
    {
        var seconds = DeltaSeconds.ToSeconds(currentAge);
        if (age is { } last && last.Seconds == seconds)
        {
            return last.Text;
        }
        var text = ResponseAge.ToHeaderValue(currentAge);
        age = new FormattedAge(seconds, text);
        return text;
    }

    /// <summary>
    /// This cache's Cache-Status member for a hit (<see cref="CacheStatus"/> with <c>hit</c>, <c>ttl</c>, and
    /// <c>key</c> and <c>detail</c> when given), formatted again only when one of them changes: <c>ttl</c> is sent in
    /// whole seconds.
    /// </summary>
    public string HitStatus(string cacheName, string? key, TimeSpan timeToLive, string? detail)
    {
        var ttl = Math.Floor(timeToLive.TotalSeconds);
        if (hitStatus is { } last && last.Ttl == ttl && last.CacheName == cacheName && last.Key == key && last.Detail == detail)
        {
            return last.Text;
        }
        var text = new CacheStatus(cacheName) { Hit = true, TimeToLive = timeToLive, Key = key, Detail = detail }.ToString();
        hitStatus = new HitStatusMember(cacheName, key, ttl, detail, text);
        return text;
    }

    /// <summary>Fields the cache sets itself (Age, Content-Length) or never sends (its own targeted field).</summary>
    private static bool IsReplaced(string name, string? ownTargetedField) =>
        name.Equals(HeaderNames.Age, StringComparison.OrdinalIgnoreCase)
        || name.Equals(HeaderNames.ContentLength, StringComparison.OrdinalIgnoreCase)
        || (ownTargetedField is not null && name.Equals(ownTargetedField, StringComparison.OrdinalIgnoreCase));

    // Immutable, replaced whole: concurrent hits read one pair or the other, never a mix.
    private sealed record FormattedAge(long Seconds, string Text);

    private sealed record HitStatusMember(string CacheName, string? Key, double Ttl, string? Detail, string Text);
}
