using System.Text.Json;
using System.Text.Json.Serialization;

namespace Gatehouse.Acme.Protocol;

/// <summary>
/// Source-generated (trim- and Native-AOT-safe) JSON metadata for what <see cref="AcmeJsonReader"/> deserializes,
/// with the options the reflection-based reader had: Web defaults (camelCase, case-insensitive member names, numbers
/// also read from strings) and nulls left out when writing.
/// </summary>
[JsonSourceGenerationOptions(JsonSerializerDefaults.Web, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(AcmeOrderJson))]
[JsonSerializable(typeof(AcmeAuthorizationJson))]
[JsonSerializable(typeof(AcmeChallengeJson))]
[JsonSerializable(typeof(AcmeProblemJson))]
internal sealed partial class AcmeJsonContext : JsonSerializerContext;

/// <summary>
/// Source-generated JSON metadata for the JWS objects <see cref="Jws"/> writes (a protected header, the flattened
/// serialization), with the serializer's plain defaults as before, so the bytes signed and sent do not change.
/// </summary>
[JsonSerializable(typeof(Dictionary<string, string>))]
internal sealed partial class JwsJsonContext : JsonSerializerContext;

// The wire shapes of the resources read with the serializer. They mirror the public records member for member, with
// setters instead of init accessors: the source generator sets init-only members through a constructor delegate that
// passes default (null) for every member the JSON leaves out, losing the initializers (dotnet/runtime#84484), whereas
// the reflection-based serializer called the init accessors like setters. With setters a missing member keeps its
// initializer and an explicit null stays null, as before; AcmeJsonReader's checks rely on that difference.

/// <summary>The wire shape of <see cref="AcmeOrder"/>.</summary>
internal sealed class AcmeOrderJson
{
    [JsonPropertyName("status")] public string Status { get; set; } = "";
    [JsonPropertyName("expires")] public DateTimeOffset? Expires { get; set; }
    [JsonPropertyName("identifiers")] public IReadOnlyList<AcmeIdentifier> Identifiers { get; set; } = [];
    [JsonPropertyName("authorizations")] public IReadOnlyList<Uri> Authorizations { get; set; } = [];
    [JsonPropertyName("finalize")] public Uri Finalize { get; set; } = null!;
    [JsonPropertyName("certificate")] public Uri? Certificate { get; set; }
    [JsonPropertyName("error")] public AcmeProblemJson? Error { get; set; }
    [JsonPropertyName("replaces")] public string? Replaces { get; set; }

    public AcmeOrder ToOrder(Uri url) => new()
    {
        Url = url,
        Status = Status,
        Expires = Expires,
        Identifiers = Identifiers,
        Authorizations = Authorizations,
        Finalize = Finalize,
        Certificate = Certificate,
        Error = Error?.ToProblem(),
        Replaces = Replaces,
    };
}

/// <summary>The wire shape of <see cref="AcmeAuthorization"/>.</summary>
internal sealed class AcmeAuthorizationJson
{
    [JsonPropertyName("status")] public string Status { get; set; } = "";
    [JsonPropertyName("identifier")] public AcmeIdentifier Identifier { get; set; } = new("dns", "");
    [JsonPropertyName("challenges")] public IReadOnlyList<AcmeChallengeJson> Challenges { get; set; } = [];
    [JsonPropertyName("wildcard")] public bool Wildcard { get; set; }

    public AcmeAuthorization ToAuthorization(Uri url) => new()
    {
        Url = url,
        Status = Status,
        Identifier = Identifier,
        Challenges = Challenges?.Select(c => c?.ToChallenge()!).ToList()!, // null stays null, null items too: the reader refuses them
        Wildcard = Wildcard,
    };
}

/// <summary>The wire shape of <see cref="AcmeChallenge"/>.</summary>
internal sealed class AcmeChallengeJson
{
    [JsonPropertyName("type")] public string Type { get; set; } = "";
    [JsonPropertyName("url")] public Uri Url { get; set; } = null!;
    [JsonPropertyName("status")] public string Status { get; set; } = "";
    [JsonPropertyName("token")] public string? Token { get; set; }
    [JsonPropertyName("error")] public AcmeProblemJson? Error { get; set; }

    public AcmeChallenge ToChallenge() => new()
    {
        Type = Type,
        Url = Url,
        Status = Status,
        Token = Token,
        Error = Error?.ToProblem(),
    };
}

/// <summary>The wire shape of <see cref="AcmeProblem"/>.</summary>
internal sealed class AcmeProblemJson
{
    [JsonPropertyName("type")] public string? Type { get; set; }
    [JsonPropertyName("detail")] public string? Detail { get; set; }
    [JsonPropertyName("status")] public int? Status { get; set; }
    [JsonPropertyName("subproblems")] public IReadOnlyList<AcmeProblemJson>? Subproblems { get; set; }

    public AcmeProblem ToProblem() => new()
    {
        Type = Type,
        Detail = Detail,
        Status = Status,
        Subproblems = Subproblems?.Select(p => p?.ToProblem()!).ToList(),
    };
}
