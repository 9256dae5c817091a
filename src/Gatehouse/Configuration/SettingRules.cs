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

    public static void AtLeastOne(ICollection<ConfigError> errors, string path, int value)
    {
        if (value < 1)
        {
            errors.Add(new(path, $"{value} must be at least 1"));
        }
    }
}
