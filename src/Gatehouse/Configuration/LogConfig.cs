namespace Gatehouse.Configuration;

/// <summary>
/// <c>log</c>: Gatehouse's own lines (start, reloads, failed attempts, certificates) on stderr, apart from the access
/// log. Read at start-up.
/// </summary>
public sealed record LogDefinition : ConfigSection
{
    /// <summary><c>text</c> (one line each: time, level, category, message) or <c>json</c> (one object per line).</summary>
    public string Format { get; set; } = LogFormats.Text;

    /// <summary>The least severe level written: <c>debug</c>, <c>information</c>, <c>warning</c> or <c>error</c>.</summary>
    public string Level { get; set; } = LogLevels.Information;
}

public static class LogFormats
{
    public const string Text = "text";
    public const string Json = "json";
}

public static class LogLevels
{
    public const string Debug = "debug";
    public const string Information = "information";
    public const string Warning = "warning";
    public const string Error = "error";

    public static readonly IReadOnlyList<string> All = [Debug, Information, Warning, Error];
}
