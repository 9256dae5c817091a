using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using Gatehouse.Configuration;

namespace Gatehouse.Admin;

/// <summary>
/// The effective config as <c>GET /config</c> shows it: every setting with its default filled in, secrets replaced by
/// <see cref="Redacted"/>. A secret is a string under a name that says so (<c>token</c>, <c>password</c>, <c>secret</c>,
/// <c>hmacKey</c>…), every basic-auth user's password hash, and the user-info part of any URL (<c>redis://:pw@host</c>,
/// <c>http://user:pw@auth</c>). File paths (certificate keys, CA bundles) are shown: they are not the key material.
/// Pure, so it is unit-tested.
/// </summary>
public static partial class ConfigRedaction
{
    public const string Redacted = "[redacted]";

    private static readonly string[] SecretNameParts = ["token", "password", "secret", "hmac", "apikey", "credential", "privatekey", "encryptionkey"];

    public static JsonNode Redact(GatehouseConfig config)
    {
        var node = JsonSerializer.SerializeToNode(config, ConfigJson.Info<GatehouseConfig>(ConfigJson.Write)) ?? new JsonObject();
        Walk(node, parentName: null);
        return node;
    }

    private static void Walk(JsonNode node, string? parentName)
    {
        switch (node)
        {
            case JsonObject obj:
                // A transform that sets a credential header ({ "requestHeader": "Authorization", "set": "Bearer …" }).
                var setsSecretHeader = obj.Any(p => p.Value is JsonValue v && v.GetValueKind() == JsonValueKind.String
                    && p.Key.EndsWith("header", StringComparison.OrdinalIgnoreCase) && IsSecretHeader(v.GetValue<string>()));
                foreach (var (name, child) in obj.ToList())
                {
                    if (child is JsonValue value && value.GetValueKind() == JsonValueKind.String && value.GetValue<string>() is { Length: > 0 } text)
                    {
                        obj[name] = IsSecretName(name) || string.Equals(parentName, "users", StringComparison.OrdinalIgnoreCase)
                            || (setsSecretHeader && name is "set" or "append" or "Set" or "Append")
                            ? Redacted
                            : WithoutConnectionStringSecrets(WithoutUserInfo(text));
                    }
                    else if (child is not null)
                    {
                        Walk(child, name);
                    }
                }

                break;
            case JsonArray array:
                for (var i = 0; i < array.Count; i++)
                {
                    if (array[i] is JsonValue value && value.GetValueKind() == JsonValueKind.String)
                    {
                        array[i] = WithoutUserInfo(value.GetValue<string>());
                    }
                    else if (array[i] is { } child)
                    {
                        Walk(child, parentName);
                    }
                }

                break;
        }
    }

    public static bool IsSecretName(string name)
    {
        var lower = name.ToLowerInvariant();
        // tokensPerPeriod is a number, never reached here (only strings are redacted); names are camelCase config keys.
        return SecretNameParts.Any(lower.Contains);
    }

    private static bool IsSecretHeader(string header) =>
        header.Equals("Authorization", StringComparison.OrdinalIgnoreCase) || header.Equals("Proxy-Authorization", StringComparison.OrdinalIgnoreCase)
        || header.Equals("Cookie", StringComparison.OrdinalIgnoreCase) || IsSecretName(header.Replace("-", "", StringComparison.Ordinal)) || header.Contains("key", StringComparison.OrdinalIgnoreCase);

    /// <summary>
    /// <paramref name="text"/> with the value of every <c>password=</c> of a connection string (the <c>cluster.redis</c>
    /// setting: <c>host:6379,password=…</c>) replaced; other text unchanged.
    /// </summary>
    public static string WithoutConnectionStringSecrets(string text) =>
        text.Contains("password=", StringComparison.OrdinalIgnoreCase) ? ConnectionStringPassword().Replace(text, "$1" + Redacted) : text;

    [System.Text.RegularExpressions.GeneratedRegex("(password=)[^,;]*", System.Text.RegularExpressions.RegexOptions.IgnoreCase)]
    private static partial System.Text.RegularExpressions.Regex ConnectionStringPassword();

    /// <summary><paramref name="text"/> with the user-info of a URL replaced (<c>scheme://[redacted]@host…</c>); other text unchanged.</summary>
    public static string WithoutUserInfo(string text)
    {
        var scheme = text.IndexOf("://", StringComparison.Ordinal);
        if (scheme <= 0)
        {
            return text;
        }

        var authorityStart = scheme + 3;
        var authorityEnd = text.IndexOfAny(['/', '?', '#'], authorityStart);
        var authority = authorityEnd < 0 ? text[authorityStart..] : text[authorityStart..authorityEnd];
        var at = authority.LastIndexOf('@');
        return at < 0 ? text : string.Concat(text.AsSpan(0, authorityStart), Redacted, text.AsSpan(authorityStart + at));
    }
}
