using System.Text.Json;
using System.Text.Json.Serialization.Metadata;

namespace Gatehouse.Acme.Protocol;

/// <summary>
/// Reads the JSON an ACME server sends (RFC 8555 §7.1, RFC 9773 §4.2). The server is a peer on the network: whatever
/// it sends, each reader returns a resource with every member Gatehouse relies on, or throws
/// <see cref="AcmeException"/>, never anything else (a JsonException, a KeyNotFoundException or a UriFormatException
/// would escape the renewal loop's error handling as a bug). Fuzzed by fuzz/Gatehouse.Fuzz (target acme-json).
/// </summary>
public static class AcmeJsonReader
{
    /// <summary>The directory object (RFC 8555 §7.1.1): newNonce, newAccount and newOrder are required.</summary>
    public static AcmeDirectory Directory(string json) => Read(json, "directory", root =>
    {
        var meta = root.TryGetProperty("meta", out var m) && m.ValueKind == JsonValueKind.Object ? m : default;
        return new AcmeDirectory(
            RequiredUri(root, "newNonce", "directory"),
            RequiredUri(root, "newAccount", "directory"),
            RequiredUri(root, "newOrder", "directory"),
            OptionalUri(root, "revokeCert"),
            OptionalUri(root, "keyChange"),
            OptionalUri(root, "renewalInfo"),
            meta.ValueKind == JsonValueKind.Object ? OptionalUri(meta, "termsOfService") : null,
            meta.ValueKind == JsonValueKind.Object && meta.TryGetProperty("externalAccountRequired", out var ear) && ear.ValueKind == JsonValueKind.True);
    });

    /// <summary>An account object (RFC 8555 §7.1.2); a missing or non-string status reads as "".</summary>
    public static AcmeAccount Account(string json, Uri url) => Read(json, "account", root =>
        new AcmeAccount(url, OptionalString(root, "status") ?? "", OptionalUri(root, "orders")));

    /// <summary>An orders list (RFC 8555 §7.1.2.1): the absolute URLs among "orders"; anything else in it is skipped.</summary>
    public static IReadOnlyList<Uri> OrderList(string json) => Read(json, "orders list", root =>
    {
        var orders = new List<Uri>();
        if (root.TryGetProperty("orders", out var list) && list.ValueKind == JsonValueKind.Array)
        {
            foreach (var item in list.EnumerateArray())
            {
                if (AbsoluteUri(item) is { } uri)
                {
                    orders.Add(uri);
                }
            }
        }

        return (IReadOnlyList<Uri>)orders;
    });

    /// <summary>An order (RFC 8555 §7.1.3): status and finalize are required.</summary>
    public static AcmeOrder Order(string json, Uri url)
    {
        var order = Deserialize(json, AcmeJsonContext.Default.AcmeOrderJson, nameof(AcmeOrder)).ToOrder(url);
        return string.IsNullOrEmpty(order.Status) || order.Finalize is null || !order.Finalize.IsAbsoluteUri
            || order.Identifiers is null || order.Authorizations is null
            || order.Identifiers.Any(i => i is null) || order.Authorizations.Any(a => a is null || !a.IsAbsoluteUri)
            ? throw new AcmeException("malformed order: status, finalize, identifiers and authorizations are required")
            : order;
    }

    /// <summary>An authorization (RFC 8555 §7.1.4): status, identifier and challenges are required.</summary>
    public static AcmeAuthorization Authorization(string json, Uri url)
    {
        var authorization = Deserialize(json, AcmeJsonContext.Default.AcmeAuthorizationJson, nameof(AcmeAuthorization)).ToAuthorization(url);
        return string.IsNullOrEmpty(authorization.Status) || authorization.Identifier is null || authorization.Challenges is null
            || authorization.Challenges.Any(c => c is null || !Valid(c))
            ? throw new AcmeException("malformed authorization: status, identifier and challenges (type, url, status) are required")
            : authorization;
    }

    /// <summary>A challenge (RFC 8555 §8): type, url and status are required.</summary>
    public static AcmeChallenge Challenge(string json)
    {
        var challenge = Deserialize(json, AcmeJsonContext.Default.AcmeChallengeJson, nameof(AcmeChallenge)).ToChallenge();
        return Valid(challenge) ? challenge : throw new AcmeException("malformed challenge: type, url and status are required");
    }

    /// <summary>A problem document (RFC 7807, RFC 8555 §6.7), or null when the text is not one.</summary>
    public static AcmeProblem? Problem(string json)
    {
        try
        {
            return JsonSerializer.Deserialize(json, AcmeJsonContext.Default.AcmeProblemJson)?.ToProblem();
        }
        catch (JsonException)
        {
            return null;
        }
    }

    /// <summary>A renewalInfo answer (RFC 9773 §4.2): a suggested window whose end is not before its start.</summary>
    public static AcmeRenewalInfo RenewalInfo(string json, TimeSpan? retryAfter) => Read(json, "renewalInfo", root =>
    {
        if (!root.TryGetProperty("suggestedWindow", out var window) || window.ValueKind != JsonValueKind.Object
            || !TryDate(window, "start", out var start) || !TryDate(window, "end", out var end))
        {
            throw new AcmeException("malformed renewalInfo: suggestedWindow needs a start and an end (RFC 3339)");
        }

        if (end < start)
        {
            throw new AcmeException("renewalInfo window ends before it starts");
        }

        return new AcmeRenewalInfo(start, end, OptionalUri(root, "explanationURL"), retryAfter);
    });

    private static bool Valid(AcmeChallenge challenge) =>
        !string.IsNullOrEmpty(challenge.Type) && !string.IsNullOrEmpty(challenge.Status) && challenge.Url is { IsAbsoluteUri: true };

    /// <summary>Parses an object and hands its root to <paramref name="read"/>, turning a syntax error into AcmeException.</summary>
    private static T Read<T>(string json, string what, Func<JsonElement, T> read)
    {
        try
        {
            using var document = JsonDocument.Parse(json);
            return document.RootElement.ValueKind == JsonValueKind.Object
                ? read(document.RootElement)
                : throw new AcmeException($"malformed {what}: not a JSON object");
        }
        catch (JsonException e)
        {
            throw new AcmeException($"malformed {what}: {e.Message}", e);
        }
    }

    /// <summary>Deserializes a wire shape (AcmeJsonContext.cs); <paramref name="what"/> names the resource in errors.</summary>
    private static T Deserialize<T>(string json, JsonTypeInfo<T> typeInfo, string what)
        where T : class
    {
        try
        {
            return JsonSerializer.Deserialize(json, typeInfo) ?? throw new AcmeException($"empty {what}");
        }
        catch (JsonException e)
        {
            throw new AcmeException($"malformed {what}: {e.Message}", e);
        }
    }

    private static Uri RequiredUri(JsonElement element, string name, string what) =>
        OptionalUri(element, name) ?? throw new AcmeException($"the {what} has no {name}");

    private static Uri? OptionalUri(JsonElement element, string name) =>
        element.TryGetProperty(name, out var value) ? AbsoluteUri(value) : null;

    private static Uri? AbsoluteUri(JsonElement value) =>
        value.ValueKind == JsonValueKind.String && Uri.TryCreate(value.GetString(), UriKind.Absolute, out var uri) ? uri : null;

    private static string? OptionalString(JsonElement element, string name) =>
        element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;

    private static bool TryDate(JsonElement element, string name, out DateTimeOffset value)
    {
        value = default;
        return element.TryGetProperty(name, out var date) && date.ValueKind == JsonValueKind.String && date.TryGetDateTimeOffset(out value);
    }
}
