using System.Text.Json;
using System.Text.Json.Serialization;

namespace Gatehouse.Configuration;

/// <summary>
/// What Gatehouse does so that clients see only Gatehouse: no backend software, version, address or exception page.
/// Everything is on by default except <see cref="Via"/>. See docs/protection.md.
/// </summary>
public sealed record HideBackendDefinition : ConfigSection
{
    /// <summary>
    /// Headers that carry no meaning for a client and only tell an attacker which software, version or host answered.
    /// Each is sent by common servers or frameworks by default.
    /// </summary>
    public static readonly IReadOnlyList<string> DefaultRemoveHeaders =
    [
        "Server",                           // every server: Apache/2.4.41 (Ubuntu), Kestrel, nginx/1.18.0
        "X-Powered-By",                     // PHP/8.1, Express, ASP.NET, Next.js, Servlet/4.0
        "X-AspNet-Version",                 // ASP.NET (System.Web)
        "X-AspNetMvc-Version",              // ASP.NET MVC
        "X-SourceFiles",                    // IIS Express: the source file path on the developer's disk
        "X-Backend",                        // load balancers and apps naming the server that answered
        "X-Backend-*",
        "X-Served-By",                      // Varnish/Fastly-style node names
        "X-Server",
        "X-Runtime",                        // Rails, Rack: request time, a framework fingerprint
        "X-Generator",                      // Drupal and other CMSs
        "X-Drupal-*",                       // X-Drupal-Cache, X-Drupal-Dynamic-Cache
        "X-Varnish",                        // Varnish transaction ids
        "X-Debug-Token",                    // Symfony profiler token...
        "X-Debug-Token-Link",               // ...and the link to the profiler itself
        "X-Application-Context",            // Spring Boot 1.x: application name, profile and port
        "X-Turbo-Charged-By",               // LiteSpeed
        "X-Mod-Pagespeed",                  // mod_pagespeed with its version
        "X-Page-Speed",                     // ngx_pagespeed with its version
        "X-Envoy-Upstream-Service-Time",    // an Envoy behind Gatehouse
        "Via",                              // the backend's own proxies (1.1 varnish); Gatehouse adds its own only when configured
    ];

    /// <summary>Backend response headers removed: exact names, or prefixes ending in <c>*</c>. Replaces the default list.</summary>
    public IReadOnlyList<string> RemoveHeaders { get; set; } = DefaultRemoveHeaders;

    /// <summary>Headers let through although <see cref="RemoveHeaders"/> names them (same syntax).</summary>
    public IReadOnlyList<string> KeepHeaders { get; set; } = [];

    /// <summary>Rewrite Location, Content-Location and Refresh URLs naming a destination to the client's host and scheme.</summary>
    public bool RewriteLocations { get; set; } = true;

    /// <summary>Drop Set-Cookie Domain attributes that name a destination host.</summary>
    public bool RewriteCookieDomains { get; set; } = true;

    public ReplaceErrorPagesDefinition ReplaceErrorPages { get; set; } = new();

    /// <summary>When set, <c>Via: 1.1 NAME</c> is added to forwarded requests and to responses (RFC 9110 §7.6.3). Off by default.</summary>
    public string? Via { get; set; }
}

/// <summary>Backend error bodies replaced by Gatehouse's own error page; see Protection/BackendHiding/ErrorPageDecision.cs.</summary>
public sealed record ReplaceErrorPagesDefinition : ConfigSection
{
    /// <summary>The default <see cref="Statuses"/>: none. A backend's designed pages and API errors are its content.</summary>
    public static readonly IReadOnlyList<string> DefaultStatuses = [];

    /// <summary>
    /// The default <see cref="PageStatuses"/>: 500 only, the status of an unhandled exception, whose page for people is
    /// where frameworks print stack traces, SQL and file paths.
    /// </summary>
    public static readonly IReadOnlyList<string> DefaultPageStatuses = ["500"];

    public bool Enabled { get; set; } = true;

    /// <summary>Statuses whose body is always replaced: <c>500</c> or a class such as <c>5xx</c>.</summary>
    public IReadOnlyList<StatusPattern> Statuses { get; set; } = StatusPattern.List(DefaultStatuses);

    /// <summary>Statuses whose body is replaced when it is a page for people (HTML or plain text), not JSON or XML.</summary>
    public IReadOnlyList<StatusPattern> PageStatuses { get; set; } = StatusPattern.List(DefaultPageStatuses);
}

/// <summary>A route's own <c>hideBackend</c> settings; what it leaves out comes from the top-level section.</summary>
public sealed record RouteHideBackendDefinition : ConfigSection
{
    public RouteReplaceErrorPagesDefinition? ReplaceErrorPages { get; set; }
}

/// <summary>Like <see cref="ReplaceErrorPagesDefinition"/>; each setting left out is the top-level one.</summary>
public sealed record RouteReplaceErrorPagesDefinition : ConfigSection
{
    public bool? Enabled { get; set; }

    public IReadOnlyList<StatusPattern>? Statuses { get; set; }

    public IReadOnlyList<StatusPattern>? PageStatuses { get; set; }
}

/// <summary>
/// An error status as written in the config: a number (<c>404</c>) or a string (<c>"404"</c>, <c>"5xx"</c>). Kept as
/// written so the validator reports a bad one with the others.
/// </summary>
[JsonConverter(typeof(StatusPatternJsonConverter))]
public readonly record struct StatusPattern(string Raw)
{
    public static IReadOnlyList<StatusPattern> List(IEnumerable<string> raws) => [.. raws.Select(raw => new StatusPattern(raw))];

    public static IReadOnlyList<string> Raws(IEnumerable<StatusPattern> patterns) => [.. patterns.Select(p => p.Raw)];

    public override string ToString() => Raw;
}

internal sealed class StatusPatternJsonConverter : JsonConverter<StatusPattern>
{
    public override StatusPattern Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        switch (reader.TokenType)
        {
            case JsonTokenType.String:
                return new StatusPattern(reader.GetString()!);
            case JsonTokenType.Number:
                using (var doc = JsonDocument.ParseValue(ref reader))
                {
                    return new StatusPattern(doc.RootElement.GetRawText());
                }

            default:
                var given = reader.TokenType;
                reader.Skip();
                return new StatusPattern(given.ToString());
        }
    }

    public override void Write(Utf8JsonWriter writer, StatusPattern value, JsonSerializerOptions options)
    {
        if (int.TryParse(value.Raw, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var status))
        {
            writer.WriteNumberValue(status);
        }
        else
        {
            writer.WriteStringValue(value.Raw);
        }
    }
}
