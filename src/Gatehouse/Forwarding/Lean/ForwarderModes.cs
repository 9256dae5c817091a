namespace Gatehouse.Forwarding;

/// <summary>The values of the <c>forwarder</c> setting, and where its default comes from.</summary>
public static class ForwarderModes
{
    /// <summary>Gatehouse's own HTTP/1.1 client for what it covers (docs/upstream.md), YARP's forwarder for the rest.</summary>
    public const string Lean = "lean";

    /// <summary>YARP's forwarder (HttpClient) for every request.</summary>
    public const string Yarp = "yarp";

    /// <summary>The default when the config names no forwarder, so a whole deployment (or test run) can switch without editing configs.</summary>
    public const string EnvironmentVariable = "GATEHOUSE_FORWARDER";

    public static string? FromEnvironment { get; } = Environment.GetEnvironmentVariable(EnvironmentVariable) is { Length: > 0 } value ? value : null;

    public static bool IsKnown(string mode) =>
        mode.Equals(Lean, StringComparison.OrdinalIgnoreCase) || mode.Equals(Yarp, StringComparison.OrdinalIgnoreCase);

    /// <summary>The mode in force for a config's <c>forwarder</c> value (validated before).</summary>
    public static bool UsesLean(string? configured) =>
        !(configured ?? FromEnvironment ?? Lean).Equals(Yarp, StringComparison.OrdinalIgnoreCase);
}
