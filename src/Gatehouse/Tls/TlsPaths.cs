using Gatehouse.Configuration;

namespace Gatehouse.Tls;

/// <summary>
/// Relative paths in the TLS settings are relative to the config file's folder (so a config and its certificates move
/// together), or to the working directory when there is no config file (quick mode, demo).
/// </summary>
public static class TlsPaths
{
    public static string BaseDirectory(string? configPath) =>
        configPath is null ? Directory.GetCurrentDirectory() : Path.GetDirectoryName(Path.GetFullPath(configPath))!;

    public static string Resolve(string baseDirectory, string path) => Path.GetFullPath(path, baseDirectory);

    /// <summary>
    /// Where the internal CA (and ACME state) lives: <c>tls.storage</c>; else <c>gatehouse-data</c> next to the config
    /// file; else (no config file) the user's data folder, <c>~/.local/share/gatehouse</c> on Linux.
    /// </summary>
    public static string Storage(TlsDefinition tls, string? configPath) =>
        tls.Storage is { } storage ? Resolve(BaseDirectory(configPath), storage)
        : configPath is not null ? Path.Combine(BaseDirectory(configPath), "gatehouse-data")
        : Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.LocalApplicationData, Environment.SpecialFolderOption.Create), "gatehouse");
}
