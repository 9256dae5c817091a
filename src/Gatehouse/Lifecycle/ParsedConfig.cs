using Gatehouse.Configuration;
using Gatehouse.Protection;

namespace Gatehouse.Lifecycle;

/// <summary>
/// The typed objects one <see cref="ConfigValidator.Check"/> parsed a config's sections into, each feature's own
/// (IP lists and rate-limit policies so far; see docs/architecture.md, "The config lifecycle"). The check reports what
/// did not parse; <see cref="GenerationCompiler"/> builds the generation from these objects instead of parsing again.
/// </summary>
public sealed class ParsedConfig
{
    public ParsedProtection Protection { get; internal set; } = ParsedProtection.Empty;
}

/// <summary>The outcome of one check: every error, and what was parsed (meaningful only when there is no error).</summary>
public sealed record ConfigCheck(IReadOnlyList<ConfigError> Errors, ParsedConfig Parsed);
