using System.Text.Json.Serialization;
using Microsoft.Extensions.Primitives;

namespace Gatehouse.Caching.Storage;

/// <summary>The metadata at the start of a disk entry file, as JSON; the body follows it.</summary>
internal sealed record DiskEntryHeader
{
    public required string Key { get; init; }

    public required string Target { get; init; }

    public required string VaryKey { get; init; }

    public required int StatusCode { get; init; }

    public required Dictionary<string, string?[]> Headers { get; init; }

    public required Freshness Freshness { get; init; }

    public required string[] Tags { get; init; }

    public static DiskEntryHeader From(CachedResponse response) => new()
    {
        Key = response.Key,
        Target = response.Target,
        VaryKey = response.VaryKey,
        StatusCode = response.StatusCode,
        Headers = response.Headers.ToDictionary(h => h.Key, h => h.Value.ToArray(), StringComparer.Ordinal),
        Freshness = response.Freshness,
        Tags = [.. response.Tags],
    };

    public CachedResponse ToResponse(ReadOnlyMemory<byte> body) => new()
    {
        Key = Key,
        Target = Target,
        VaryKey = VaryKey,
        StatusCode = StatusCode,
        Headers = CachedResponse.FreezeHeaders(Headers.Select(h => KeyValuePair.Create(h.Key, new StringValues(h.Value)))),
        Body = body,
        Freshness = Freshness,
        Tags = Tags,
    };
}

/// <summary>
/// Source-generated JSON for <see cref="DiskEntryHeader"/>: enums by name (so reordering <see cref="FreshnessSource"/>
/// cannot change a stored meaning), TimeSpan as <c>[-][d.]hh:mm:ss[.fffffff]</c> and DateTimeOffset as ISO 8601 with
/// its offset, both to the tick. Missing required members and nulls where none are allowed make a file unreadable.
/// </summary>
[JsonSourceGenerationOptions(UseStringEnumConverter = true, RespectNullableAnnotations = true, RespectRequiredConstructorParameters = true)]
[JsonSerializable(typeof(DiskEntryHeader))]
internal sealed partial class DiskEntryJsonContext : JsonSerializerContext;
