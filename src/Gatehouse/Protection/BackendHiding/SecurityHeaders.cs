using Gatehouse.Configuration;
using Gatehouse.Http;

namespace Gatehouse.Protection;

/// <summary>
/// Response headers added when absent and headers removed, for one route: the built-in defaults, then the global
/// <c>securityHeaders</c>, then the route's, each overriding the one before by name; an empty value drops a header.
/// </summary>
public sealed record SecurityHeaderRules(KeyValuePair<string, string>[] Set, string[] Remove) : Http.IAnswerHeaders
{
    /// <summary>
    /// Safe for any site: no MIME sniffing, no full URLs leaked to other origins in Referer. HSTS belongs to the TLS
    /// settings; CSP and frame options depend on the site, so they are left to configuration.
    /// </summary>
    public static SecurityHeaderRules Defaults { get; } = new(
    [
        new("X-Content-Type-Options", "nosniff"),
        new("Referrer-Policy", "strict-origin-when-cross-origin"),
    ], []);

    public SecurityHeaderRules Over(SecurityHeadersDefinition? definition)
    {
        if (definition is null || (definition.Set.Count == 0 && definition.Remove.Count == 0))
        {
            return this;
        }

        var set = new List<KeyValuePair<string, string>>(Set);
        foreach (var (name, value) in definition.Set)
        {
            set.RemoveAll(h => h.Key.Equals(name, StringComparison.OrdinalIgnoreCase));
            if (!string.IsNullOrEmpty(value))
            {
                set.Add(new(name, value));
            }
        }

        var remove = Remove.Concat(definition.Remove).Distinct(StringComparer.OrdinalIgnoreCase).ToArray();
        return new SecurityHeaderRules([.. set], remove);
    }

    /// <summary>Removes, then adds what is still absent: a header the backend set itself is kept unless listed in remove.</summary>
    public void ApplyTo(IHeaderDictionary headers)
    {
        foreach (var name in Remove)
        {
            headers.Remove(name);
        }

        foreach (var (name, value) in Set)
        {
            headers.TryAdd(name, value);
        }
    }
}
