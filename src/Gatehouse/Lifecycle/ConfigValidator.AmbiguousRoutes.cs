using Gatehouse.Configuration;
using Gatehouse.Routing;
using Microsoft.AspNetCore.Routing.Patterns;

namespace Gatehouse.Lifecycle;

public static partial class ConfigValidator
{
    /// <summary>
    /// Reports pairs of routes that ASP.NET Core endpoint routing could never tell apart. Routing ranks the endpoints
    /// that match a request by order, then by the template's precedence, then by whether each has hosts, methods and
    /// how many header matches; two valid candidates of the same rank make it throw AmbiguousMatchException (a 500 for
    /// every such request). Two routes are reported when some request reaches both with the same rank: the same
    /// order (YARP's null is 0), the same template once Gatehouse has mapped pathPrefix to it, the same header
    /// matches, and host and method lists that share an entry (or are both absent). A list against an absent one
    /// ranks first, so it is no clash. Each pair is reported once, on the later route, naming the earlier.
    /// </summary>
    private static void ValidateAmbiguousRoutes(List<ConfigError> errors, IReadOnlyDictionary<string, RouteDefinition> routes)
    {
        var seen = new List<(string Id, RouteRank Rank)>();
        foreach (var (id, route) in routes)
        {
            if (route is null || RouteRank.Of(route) is not { } rank)
            {
                continue;
            }

            foreach (var (earlierId, earlier) in seen)
            {
                // Ids that differ only in case are already reported as one id twice.
                if (string.Equals(id, earlierId, StringComparison.OrdinalIgnoreCase) || !rank.SharesRequestsWith(earlier, out var methods, out var hosts))
                {
                    continue;
                }

                var which = (methods, hosts) switch
                {
                    (null, null) => "",
                    (_, null) => $" for {methods} requests",
                    (null, _) => $" for host {hosts}",
                    _ => $" for {methods} requests to host {hosts}",
                };
                errors.Add(new(
                    $"routes.{id}.match",
                    $"same match as routes.{earlierId}{which} and the same order ({rank.Order}); a request could not choose between them — "
                    + "change one match, or give one of them a different \"order\""));
            }

            seen.Add((id, rank));
        }
    }

    /// <summary>What endpoint routing compares when it ranks two matching endpoints, normalized so that equal means equal to the router.</summary>
    private sealed record RouteRank(int Order, string Template, HashSet<string> Hosts, HashSet<string> Methods, IReadOnlyList<string> Headers)
    {
        /// <summary>Null for a route whose template does not parse or whose headers are malformed: other checks report those.</summary>
        public static RouteRank? Of(RouteDefinition route)
        {
            var match = route.Match;
            if (match is null || match.Headers?.Any(h => h is null) == true)
            {
                return null;
            }

            // YARP gives a route without a path the catch-all "/{**catchall}"; the parameter's name is irrelevant.
            var template = match.Path ?? YarpConfigMapper.PrefixTemplate(match.PathPrefix) ?? "/{**catchall}";
            if (NormalizedTemplate(template) is not { } normalized)
            {
                return null;
            }

            return new RouteRank(
                route.Order ?? 0,
                normalized,
                new HashSet<string>((match.Hosts ?? []).Where(h => h is not null).Select(HostKey), StringComparer.OrdinalIgnoreCase),
                new HashSet<string>((match.Methods ?? []).Where(m => m is not null), StringComparer.OrdinalIgnoreCase),
                (match.Headers ?? []).Select(HeaderKey).Order(StringComparer.Ordinal).ToList());
        }

        /// <summary>True when some request is matched by both with the same rank; names the shared methods and hosts, when limited.</summary>
        public bool SharesRequestsWith(RouteRank other, out string? methods, out string? hosts)
        {
            methods = null;
            hosts = null;
            if (Order != other.Order || Template != other.Template || !Headers.SequenceEqual(other.Headers, StringComparer.Ordinal)
                || !Overlap(Methods, other.Methods, out var sharedMethods) || !Overlap(Hosts, other.Hosts, out var sharedHosts))
            {
                return false;
            }

            methods = sharedMethods;
            hosts = sharedHosts;
            return true;
        }

        /// <summary>
        /// Both absent: every request. Both present: the entries they share (the extra entries of a longer list do not
        /// rank it differently). One absent: the present one ranks first, no clash.
        /// </summary>
        private static bool Overlap(HashSet<string> mine, HashSet<string> theirs, out string? shared)
        {
            shared = null;
            if (mine.Count == 0 || theirs.Count == 0)
            {
                return mine.Count == theirs.Count;
            }

            var common = mine.Where(theirs.Contains).ToList();
            if (common.Count == 0)
            {
                return false;
            }

            // Only worth naming when the lists are not the same: "same match" then says it all.
            if (!mine.SetEquals(theirs))
            {
                shared = string.Join(", ", common);
            }

            return true;
        }

        /// <summary>
        /// The template as the router ranks it: literals ignore case, parameter names do not matter, and <c>{*x}</c>
        /// matches as <c>{**x}</c> does. Constraints stay: they rank a parameter first and may keep two apart. A default
        /// or an optional marker goes: it does not change the rank (RoutePrecedence), and the requests that give the
        /// parameter still reach both routes.
        /// </summary>
        private static string? NormalizedTemplate(string template)
        {
            RoutePattern pattern;
            try
            {
                pattern = RoutePatternFactory.Parse(template);
            }
            catch (RoutePatternException)
            {
                return null; // YARP's own check reports it, with its message.
            }

            return "/" + string.Join("/", pattern.PathSegments.Select(segment => string.Concat(segment.Parts.Select(part => part switch
            {
                RoutePatternLiteralPart literal => literal.Content.ToUpperInvariant(),
                RoutePatternSeparatorPart separator => separator.Content,
                RoutePatternParameterPart parameter => "{"
                    + (parameter.IsCatchAll ? "*" : "")
                    + string.Concat(parameter.ParameterPolicies.Select(p => ":" + p.Content?.ToUpperInvariant()))
                    + "}",
                _ => part.ToString(),
            }))));
        }

        /// <summary>A host with the port wildcard (<c>example.com:*</c>) is the same key to the router as the bare host.</summary>
        private static string HostKey(string host) =>
            host.EndsWith(":*", StringComparison.Ordinal) ? host[..^2] : host;

        private static string HeaderKey(HeaderMatchDefinition header)
        {
            var values = (header.Values ?? []).Where(v => v is not null)
                .Select(v => header.IsCaseSensitive ? v : v.ToUpperInvariant())
                .Distinct(StringComparer.Ordinal)
                .Order(StringComparer.Ordinal);
            // Header values cannot hold NUL (RFC 9110 §5.5), so it separates the parts unambiguously.
            return $"{header.Name?.ToUpperInvariant()}\0{header.Mode.ToUpperInvariant()}\0{header.IsCaseSensitive}\0{string.Join("\0", values)}";
        }
    }
}
