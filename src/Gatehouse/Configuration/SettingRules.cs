namespace Gatehouse.Configuration;

/// <summary>
/// The checks every section's parse shares, each with its one wording: a feature that parses its own section
/// (<c>RateLimitPolicy.Parse</c>) reports a bad duration exactly as the validator does for any other setting.
/// </summary>
public static class SettingRules
{
    public static void PositiveDuration(ICollection<ConfigError> errors, string path, Duration duration, bool allowZero = false)
    {
        if (duration.Value is not { } value)
        {
            errors.Add(new(path, $"'{duration.Raw}' is not a duration (such as 250ms, 5s, 2m or 00:00:05)"));
        }
        else if (value < TimeSpan.Zero || (value == TimeSpan.Zero && !allowZero))
        {
            errors.Add(new(path, $"'{duration.Raw}' must be {(allowZero ? "zero or more" : "more than zero")}"));
        }
    }

    /// <summary>Each entry must be an RFC 9110 token (a header, cookie or method name): <c>path[i]: 'x y' is not a header name</c>.</summary>
    public static void Names(ICollection<ConfigError> errors, string path, IReadOnlyList<string> names, string what)
    {
        for (var i = 0; i < names.Count; i++)
        {
            if (!IsToken(names[i]))
            {
                errors.Add(new($"{path}[{i}]", $"'{names[i]}' is not {what}"));
            }
        }
    }

    /// <summary>
    /// An RFC 9110 §5.6.2 token: the rule a setting naming a field or method is held to, the same one the edge applies to
    /// requests (Protection's HeaderFieldRules, which a feature outside Protection cannot reach).
    /// </summary>
    public static bool IsToken(string? text) => text is { Length: > 0 } && !text.AsSpan().ContainsAnyExcept(TokenChars);

    private static readonly System.Buffers.SearchValues<char> TokenChars =
        System.Buffers.SearchValues.Create("!#$%&'*+-.^_`|~0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz");

    public static void AtLeastOne(ICollection<ConfigError> errors, string path, int value)
    {
        if (value < 1)
        {
            errors.Add(new(path, $"{value} must be at least 1"));
        }
    }
}
