using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.Json.Serialization.Metadata;

namespace Gatehouse.Configuration;

/// <summary>
/// How the config records map to JSON, generated at compile time (no reflection at run time, so a Native AOT build
/// reads configs exactly as the JIT build does): <see cref="Read"/> for config files, <see cref="Write"/> for showing a
/// config (<c>GET /config</c>) and comparing sections.
/// </summary>
public static class ConfigJson
{
    /// <summary>Config files: camelCase names, any case accepted, comments and trailing commas allowed, nulls checked against the records' annotations.</summary>
    public static readonly JsonSerializerOptions Read = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        PropertyNameCaseInsensitive = true,
        ReadCommentHandling = JsonCommentHandling.Skip,
        AllowTrailingCommas = true,
        NumberHandling = JsonNumberHandling.Strict,
        UnmappedMemberHandling = JsonUnmappedMemberHandling.Skip,

        // "match": null would otherwise reach the validator as a null section and throw there.
        RespectNullableAnnotations = true,
        TypeInfoResolver = ConfigJsonContext.Default,
    };

    /// <summary>A config shown or compared: camelCase names, nulls left out.</summary>
    public static readonly JsonSerializerOptions Write = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        TypeInfoResolver = ConfigJsonContext.Default,
    };

    /// <summary>The generated metadata of <typeparamref name="T"/> under <paramref name="options"/>.</summary>
    public static JsonTypeInfo<T> Info<T>(JsonSerializerOptions options) => (JsonTypeInfo<T>)options.GetTypeInfo(typeof(T));
}

/// <summary>Every config record, reached from <see cref="GatehouseConfig"/>.</summary>
[JsonSerializable(typeof(GatehouseConfig))]
internal sealed partial class ConfigJsonContext : JsonSerializerContext;
