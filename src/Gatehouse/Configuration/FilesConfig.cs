namespace Gatehouse.Configuration;

/// <summary>
/// A route that serves a folder, as Caddy's <c>file_server</c> and nginx's <c>root</c> do (docs/static-files.md). With a
/// <c>clusterId</c> as well, a request no file answers goes to the cluster (nginx's <c>try_files $uri @backend</c>).
/// </summary>
public sealed record FilesDefinition : ConfigSection
{
    /// <summary>The folder, an absolute path. The request path is looked up under it (nginx's <c>root</c>, Caddy's <c>root</c>).</summary>
    public string? Root { get; set; }

    /// <summary>Files tried, in order, for a path ending in <c>/</c> (nginx's and Caddy's <c>index</c>).</summary>
    public IReadOnlyList<string> Index { get; set; } = ["index.html"];

    /// <summary>
    /// A file under the root (<c>/index.html</c>) served for a GET or HEAD that no file answers: a single-page app's
    /// client-side routes (nginx's <c>try_files $uri $uri/ /index.html</c>, Caddy's <c>try_files {path} /index.html</c>).
    /// </summary>
    public string? Fallback { get; set; }

    /// <summary>Sibling files served in place of the file when Accept-Encoding allows (<c>app.js.br</c>), in this order of preference (Caddy's <c>precompressed</c>).</summary>
    public IReadOnlyList<string> Precompressed { get; set; } = ["br", "zstd", "gzip"];

    /// <summary>Serve names starting with a dot (<c>.env</c>, <c>.git/</c>); hidden by default, as Caddy's <c>hide</c> would.</summary>
    public bool ServeDotfiles { get; set; }

    /// <summary>Follow symbolic links that lead out of the root (nginx's <c>disable_symlinks off</c>); refused by default.</summary>
    public bool FollowSymlinksOutsideRoot { get; set; }

    /// <summary>Removed from the start of the path before it is looked up (nginx's <c>alias</c>, Caddy's <c>handle_path</c>).</summary>
    public string? StripPrefix { get; set; }

    /// <summary>Cache-Control sent with each file (nginx's <c>expires</c>, Caddy's <c>header Cache-Control</c>); none by default.</summary>
    public string? CacheControl { get; set; }
}
