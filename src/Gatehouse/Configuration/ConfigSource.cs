namespace Gatehouse.Configuration;

/// <summary>Where the config comes from: a validated initial config and, when it came from a file, that file's path.</summary>
public sealed record ConfigSource(GatehouseConfig Initial, string? Path);
