namespace Gatehouse.Configuration;

/// <summary>
/// Response compression (docs/compression.md). Off by default, as in nginx, Caddy, Traefik and HAProxy: compressing costs
/// CPU on every response, and a page that reflects both a secret and attacker input can leak the secret through its
/// compressed length (BREACH), so it is a decision the operator makes.
/// </summary>
public sealed record CompressionDefinition : ConfigSection
{
    public bool Enabled { get; set; }

    /// <summary>The codings Gatehouse may apply, in its order of preference when the client weighs them equally.</summary>
    public IReadOnlyList<string> Encodings { get; set; } = ["zstd", "br", "gzip"];

    /// <summary>Levels for responses compressed as they stream (gzip 1–9, br 0–11, zstd 1–22).</summary>
    public IReadOnlyDictionary<string, int> Levels { get; set; } = DefaultLevels;

    /// <summary>Levels for responses the cache stores, which are compressed once and served many times.</summary>
    public IReadOnlyDictionary<string, int> StoredLevels { get; set; } = DefaultStoredLevels;

    /// <summary>Media types worth compressing: <c>type/subtype</c>, <c>type/*</c>, or <c>*/*+suffix</c>.</summary>
    public IReadOnlyList<string> Types { get; set; } = DefaultTypes;

    /// <summary>Responses whose Content-Length is below this are sent as they are (one packet either way).</summary>
    public ByteSize MinimumSize { get; set; } = ByteSize.Parse("1KB");

    public static readonly IReadOnlyDictionary<string, int> DefaultLevels = new Dictionary<string, int> { ["gzip"] = 5, ["br"] = 4, ["zstd"] = 3 };

    public static readonly IReadOnlyDictionary<string, int> DefaultStoredLevels = new Dictionary<string, int> { ["gzip"] = 9, ["br"] = 11, ["zstd"] = 9 };

    /// <summary>
    /// Text and the text-like formats of the web. Images other than SVG, audio, video, archives and fonts that are
    /// compressed inside (woff, woff2) gain nothing and are left out; text/event-stream too, since a stream of small
    /// events gains little and every flush costs a compressor block.
    /// </summary>
    public static readonly IReadOnlyList<string> DefaultTypes =
    [
        "text/*", "application/json", "*/*+json", "application/javascript", "application/x-javascript",
        "application/ecmascript", "application/xml", "*/*+xml", "application/xhtml+xml", "image/svg+xml",
        "application/wasm", "application/manifest+json", "application/x-ndjson", "application/graphql-response+json",
        "application/vnd.ms-fontobject", "font/ttf", "font/otf", "font/collection", "image/x-icon", "image/vnd.microsoft.icon",
        "application/x-font-ttf", "application/x-font-opentype",
    ];
}

/// <summary>A route's compression: each setting present replaces the top-level one; levels merge by coding.</summary>
public sealed record RouteCompressionDefinition : ConfigSection
{
    public bool? Enabled { get; set; }

    public IReadOnlyList<string>? Encodings { get; set; }

    public IReadOnlyDictionary<string, int>? Levels { get; set; }

    public IReadOnlyDictionary<string, int>? StoredLevels { get; set; }

    public IReadOnlyList<string>? Types { get; set; }

    public ByteSize? MinimumSize { get; set; }
}
