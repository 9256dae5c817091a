using System.Text.Json.Serialization;

namespace Gatehouse.Acme.Protocol;

/// <summary>The directory object (RFC 8555 §7.1.1), plus ARI's renewalInfo (RFC 9773 §3).</summary>
public sealed record AcmeDirectory(
    Uri NewNonce,
    Uri NewAccount,
    Uri NewOrder,
    Uri? RevokeCert,
    Uri? KeyChange,
    Uri? RenewalInfo,
    Uri? TermsOfService,
    bool ExternalAccountRequired);

/// <summary>An account as the server returned it; <see cref="Url"/> is the "kid" for later requests.</summary>
public sealed record AcmeAccount(Uri Url, string Status, Uri? Orders);

/// <summary>An identifier of an order or authorization (RFC 8555 §7.1.3); Gatehouse orders "dns" identifiers.</summary>
public sealed record AcmeIdentifier(
    [property: JsonPropertyName("type")] string Type,
    [property: JsonPropertyName("value")] string Value);

// AcmeJsonReader reads orders, authorizations, challenges and problems through the mutable wire shapes in
// AcmeJsonContext.cs (source generation cannot set init accessors without losing their initializers): a member
// added here needs its twin there.

/// <summary>An order (RFC 8555 §7.1.3) with the URL it lives at.</summary>
public sealed record AcmeOrder
{
    [JsonIgnore] public Uri Url { get; init; } = null!;
    [JsonPropertyName("status")] public string Status { get; init; } = "";
    [JsonPropertyName("expires")] public DateTimeOffset? Expires { get; init; }
    [JsonPropertyName("identifiers")] public IReadOnlyList<AcmeIdentifier> Identifiers { get; init; } = [];
    [JsonPropertyName("authorizations")] public IReadOnlyList<Uri> Authorizations { get; init; } = [];
    [JsonPropertyName("finalize")] public Uri Finalize { get; init; } = null!;
    [JsonPropertyName("certificate")] public Uri? Certificate { get; init; }
    [JsonPropertyName("error")] public AcmeProblem? Error { get; init; }
    [JsonPropertyName("replaces")] public string? Replaces { get; init; }
}

/// <summary>An authorization (RFC 8555 §7.1.4).</summary>
public sealed record AcmeAuthorization
{
    [JsonIgnore] public Uri Url { get; init; } = null!;
    [JsonPropertyName("status")] public string Status { get; init; } = "";
    [JsonPropertyName("identifier")] public AcmeIdentifier Identifier { get; init; } = new("dns", "");
    [JsonPropertyName("challenges")] public IReadOnlyList<AcmeChallenge> Challenges { get; init; } = [];
    [JsonPropertyName("wildcard")] public bool Wildcard { get; init; }
}

/// <summary>A challenge (RFC 8555 §7.1.5, §8).</summary>
public sealed record AcmeChallenge
{
    [JsonPropertyName("type")] public string Type { get; init; } = "";
    [JsonPropertyName("url")] public Uri Url { get; init; } = null!;
    [JsonPropertyName("status")] public string Status { get; init; } = "";
    [JsonPropertyName("token")] public string? Token { get; init; }
    [JsonPropertyName("error")] public AcmeProblem? Error { get; init; }
}

/// <summary>A problem document (RFC 7807 as used by RFC 8555 §6.7).</summary>
public sealed record AcmeProblem
{
    [JsonPropertyName("type")] public string? Type { get; init; }
    [JsonPropertyName("detail")] public string? Detail { get; init; }
    [JsonPropertyName("status")] public int? Status { get; init; }
    [JsonPropertyName("subproblems")] public IReadOnlyList<AcmeProblem>? Subproblems { get; init; }

    /// <summary>The "urn:ietf:params:acme:error:" suffix (e.g. "badNonce"), or the whole type when it has another prefix.</summary>
    [JsonIgnore]
    public string? ShortType => Type is { } type && type.StartsWith(AcmeProblemTypes.Prefix, StringComparison.Ordinal)
        ? type[AcmeProblemTypes.Prefix.Length..]
        : Type;

    public override string ToString() => $"{Type} ({Status}): {Detail}";
}

public static class AcmeProblemTypes
{
    public const string Prefix = "urn:ietf:params:acme:error:";
    public const string BadNonce = Prefix + "badNonce";
    public const string RateLimited = Prefix + "rateLimited";
    public const string AlreadyReplaced = Prefix + "alreadyReplaced";
}

/// <summary>The renewal information of a certificate (RFC 9773 §4.2).</summary>
public sealed record AcmeRenewalInfo(DateTimeOffset WindowStart, DateTimeOffset WindowEnd, Uri? ExplanationUrl, TimeSpan? RetryAfter);

/// <summary>What the server said about a status in words, so callers compare names, not strings spread around.</summary>
public static class AcmeStatus
{
    public const string Pending = "pending";
    public const string Ready = "ready";
    public const string Processing = "processing";
    public const string Valid = "valid";
    public const string Invalid = "invalid";
}
