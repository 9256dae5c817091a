namespace Gatehouse.Configuration;

/// <summary>The protocols a cluster's destinations speak.</summary>
public static class ClusterProtocols
{
    public const string Http = "http";
    public const string FastCgi = "fastcgi";
}

/// <summary>
/// A FastCGI cluster's settings (PHP-FPM and the like), as nginx's fastcgi_pass and Caddy's php_fastcgi take them
/// (docs/fastcgi.md).
/// </summary>
public sealed record FastCgiDefinition : ConfigSection
{
    /// <summary>The document root as the FastCGI server sees it; SCRIPT_FILENAME is this plus the script's path. Required.</summary>
    public string? Root { get; set; }

    /// <summary>The front controller, and the file tried in a directory: Caddy's <c>try_files {path} {path}/index.php index.php</c>.</summary>
    public string Index { get; set; } = "index.php";

    /// <summary>Where a path is split into the script and PATH_INFO: after the first of these extensions ending a segment.</summary>
    public IReadOnlyList<string> SplitPath { get; set; } = [".php"];

    /// <summary>
    /// Check the document root (on this machine) to route a path that names no existing script to the index (the front
    /// controller); off: every path is taken as it is, for a FastCGI server on another machine.
    /// </summary>
    public bool TryFiles { get; set; } = true;

    /// <summary>Extra CGI variables (nginx's fastcgi_param), over the ones Gatehouse sets.</summary>
    public IReadOnlyDictionary<string, string> Params { get; set; } = new Dictionary<string, string>();

    /// <summary>The largest response head (CGI header lines) read from the server; more is a 502.</summary>
    public ByteSize MaxResponseHeaderBytes { get; set; } = ByteSize.From(64 * 1024);
}
