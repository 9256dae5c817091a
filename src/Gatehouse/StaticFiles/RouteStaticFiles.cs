using Gatehouse.Configuration;

namespace Gatehouse.StaticFiles;

/// <summary>One route's <c>files</c> section, compiled; absent when the route serves no files.</summary>
public sealed class RouteStaticFiles
{
    private readonly RealRoot _realRoot;

    private RouteStaticFiles(string root) => _realRoot = new RealRoot(root);

    /// <summary>The root as configured, made absolute.</summary>
    public string Root => _realRoot.Configured;

    public required IReadOnlyList<string> Index { get; init; }

    /// <summary>The single-page app's file, as a path under the root (<c>index.html</c>); null without one.</summary>
    public string? Fallback { get; init; }

    public required IReadOnlyList<SiblingCoding> Precompressed { get; init; }

    public bool ServeDotfiles { get; init; }

    public bool FollowSymlinksOutsideRoot { get; init; }

    public string? StripPrefix { get; init; }

    public string? CacheControl { get; init; }

    /// <summary>The route has a cluster too: a request no file answers is forwarded to it instead of 404 or the fallback.</summary>
    public bool ForwardsMisses { get; init; }

    /// <summary>
    /// Extensions of scripts (<c>.php</c>) never sent as files, when the route's cluster is a FastCGI one: those requests go
    /// to the cluster, which runs them (docs/static-files.md#static-files-and-php). Empty otherwise.
    /// </summary>
    public IReadOnlyList<string> ScriptExtensions { get; init; } = [];

    /// <summary>The root with every symbolic link resolved, as it is now (a deploy may switch a link); null when it is missing.</summary>
    public string? CurrentRealRoot() => _realRoot.Current();

    /// <summary>Null when the route has no <c>files</c> section. Expects a validated config.</summary>
    public static RouteStaticFiles? From(RouteDefinition route, IReadOnlyList<string>? scriptExtensions = null)
    {
        if (route.Files is not { Root: { } root } files)
        {
            return null;
        }
        var fallback = files.Fallback is { } f ? FilePaths.Map(f, null, serveDotfiles: true) : default;
        return new RouteStaticFiles(Path.TrimEndingDirectorySeparator(Path.GetFullPath(root)))
        {
            Index = files.Index ?? [],
            Fallback = fallback.Lookup == PathLookup.File ? fallback.Relative : null,
            Precompressed = (files.Precompressed ?? []).Select(SiblingCoding.Named).OfType<SiblingCoding>().Distinct().ToList(),
            ServeDotfiles = files.ServeDotfiles,
            FollowSymlinksOutsideRoot = files.FollowSymlinksOutsideRoot,
            StripPrefix = files.StripPrefix,
            CacheControl = files.CacheControl,
            ForwardsMisses = !string.IsNullOrWhiteSpace(route.ClusterId),
            ScriptExtensions = scriptExtensions ?? [],
        };
    }
}
