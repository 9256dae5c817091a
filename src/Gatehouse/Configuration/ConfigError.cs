namespace Gatehouse.Configuration;

/// <summary>One problem in a config file: where it is (a dotted path such as <c>clusters.api.destinations.d1.address</c>) and what is wrong.</summary>
public sealed record ConfigError(string Path, string Message)
{
    public override string ToString() => string.IsNullOrEmpty(Path) ? Message : $"{Path}: {Message}";
}
