using System.Diagnostics.CodeAnalysis;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Primitives;
using Microsoft.Net.Http.Headers;

namespace Gatehouse.Caching;

/// <summary>
/// The response directives of RFC 9111 §5.2.2, <c>immutable</c> (RFC 8246) and <c>stale-while-revalidate</c> /
/// <c>stale-if-error</c> (RFC 5861), read from Cache-Control or from a targeted field (RFC 9213).
/// </summary>
/// <remarks>
/// A freshness directive (<c>max-age</c>, <c>s-maxage</c>) that is malformed, or that appears more than once with
/// different values, is read as 0: §4.2.1 says such a response should be considered stale, and 0 also keeps
/// heuristics and Expires from applying. A stale extension with such a value is ignored: it grants nothing.
/// </remarks>
public sealed record ResponseCacheControl
{
    /// <summary>No directives at all.</summary>
    public static ResponseCacheControl None { get; } = new();

    /// <summary><c>max-age</c> (§5.2.2.1).</summary>
    public TimeSpan? MaxAge { get; init; }

    /// <summary><c>s-maxage</c> (§5.2.2.10): overrides max-age and Expires in a shared cache, and forbids serving stale.</summary>
    public TimeSpan? SharedMaxAge { get; init; }

    /// <summary>Unqualified <c>no-cache</c> (§5.2.2.4): never reuse without successful validation.</summary>
    public bool NoCache { get; init; }

    /// <summary>The fields named by a qualified <c>no-cache="…"</c> (§5.2.2.4).</summary>
    public IReadOnlyList<string> NoCacheFields { get; init; } = [];

    /// <summary><c>no-store</c> (§5.2.2.5).</summary>
    public bool NoStore { get; init; }

    /// <summary><c>no-transform</c> (§5.2.2.6).</summary>
    public bool NoTransform { get; init; }

    /// <summary>Unqualified <c>private</c> (§5.2.2.7): a shared cache must not store the response.</summary>
    public bool Private { get; init; }

    /// <summary>The fields named by a qualified <c>private="…"</c> (§5.2.2.7): a shared cache must not store them.</summary>
    public IReadOnlyList<string> PrivateFields { get; init; } = [];

    /// <summary><c>public</c> (§5.2.2.9).</summary>
    public bool Public { get; init; }

    /// <summary><c>must-revalidate</c> (§5.2.2.2).</summary>
    public bool MustRevalidate { get; init; }

    /// <summary><c>proxy-revalidate</c> (§5.2.2.8).</summary>
    public bool ProxyRevalidate { get; init; }

    /// <summary><c>must-understand</c> (§5.2.2.3).</summary>
    public bool MustUnderstand { get; init; }

    /// <summary><c>immutable</c> (RFC 8246).</summary>
    public bool Immutable { get; init; }

    /// <summary><c>stale-while-revalidate</c> (RFC 5861 §3).</summary>
    public TimeSpan? StaleWhileRevalidate { get; init; }

    /// <summary><c>stale-if-error</c> (RFC 5861 §4).</summary>
    public TimeSpan? StaleIfError { get; init; }

    /// <summary>
    /// The targeted field (RFC 9213) these directives came from, or null for Cache-Control. When set, the response's
    /// Cache-Control and Expires fields are ignored (RFC 9213 §2.2).
    /// </summary>
    public string? TargetedField { get; init; }

    /// <summary>
    /// Selects the directives that govern a response in this cache (RFC 9213 §2.2): the first field of
    /// <paramref name="targetedFieldNames"/> that is present, parses as a Structured Dictionary and is not empty;
    /// otherwise Cache-Control.
    /// </summary>
    public static ResponseCacheControl FromResponse(IHeaderDictionary responseHeaders, IReadOnlyList<string> targetedFieldNames)
    {
        foreach (var name in targetedFieldNames)
        {
            if (responseHeaders.TryGetValue(name, out var field) && TryParseTargeted(field, name, out var control))
            {
                return control;
            }
        }
        return Parse(responseHeaders[HeaderNames.CacheControl]);
    }

    /// <summary>Parses Cache-Control field lines (RFC 9111 §5.2, lists per RFC 9110 §5.6.1).</summary>
    public static ResponseCacheControl Parse(StringValues cacheControl) => Build(CacheDirective.ParseAll(cacheControl), null);

    /// <summary>
    /// Parses a targeted field (RFC 9213 §2.1): a Structured Dictionary whose members are cache directives. Fails
    /// when the field is empty or does not parse, in which case the field is to be ignored. Booleans stand for
    /// directives without argument (false: absent), Integers for delta-seconds, Strings for field lists; parameters
    /// are ignored, and unknown directives too, as in Cache-Control.
    /// </summary>
    public static bool TryParseTargeted(StringValues field, string fieldName, [NotNullWhen(true)] out ResponseCacheControl? control)
    {
        control = null;
        var combined = string.Join(", ", field.Where(line => line is not null));
        if (!StructuredDictionary.TryParse(combined, out var members) || members.Count == 0)
        {
            return false;
        }
        var directives = new List<CacheDirective>();
        foreach (var member in members)
        {
            if (member.Kind == StructuredKind.Boolean)
            {
                if (member.Boolean)
                {
                    directives.Add(new CacheDirective(member.Key, null, false));
                }
                continue;
            }
            // RFC 9213 §2.1: delta-seconds directives take Integers, field lists take Strings, the others nothing;
            // a value of another type is not consumed (a Decimal or quoted max-age is invalid, hence stale).
            var expected = member.Key switch
            {
                "max-age" or "s-maxage" or "stale-while-revalidate" or "stale-if-error" => StructuredKind.Integer,
                "no-cache" or "private" => StructuredKind.String,
                _ => (StructuredKind?)null,
            };
            directives.Add(member.Kind == expected
                ? new CacheDirective(member.Key, member.Text, false)
                : new CacheDirective(member.Key, null, true));
        }
        control = Build(directives, fieldName);
        return true;
    }

    private static ResponseCacheControl Build(List<CacheDirective> directives, string? targetedField)
    {
        var maxAge = new List<TimeSpan?>();
        var sharedMaxAge = new List<TimeSpan?>();
        var staleWhileRevalidate = new List<TimeSpan?>();
        var staleIfError = new List<TimeSpan?>();
        var noCacheFields = new List<string>();
        var privateFields = new List<string>();
        bool noCache = false, noStore = false, noTransform = false, isPrivate = false, isPublic = false;
        bool mustRevalidate = false, proxyRevalidate = false, mustUnderstand = false, immutable = false;

        foreach (var directive in directives)
        {
            var bare = directive.Argument is null && !directive.IsMalformed;
            switch (directive.Name.ToLowerInvariant())
            {
                case "max-age": maxAge.Add(Delta(directive)); break;
                case "s-maxage": sharedMaxAge.Add(Delta(directive)); break;
                case "stale-while-revalidate": staleWhileRevalidate.Add(Delta(directive)); break;
                case "stale-if-error": staleIfError.Add(Delta(directive)); break;
                case "no-cache": noCache |= !AddFieldNames(directive, noCacheFields); break;
                case "private": isPrivate |= !AddFieldNames(directive, privateFields); break;
                // Restrictive directives count even with an (undefined) argument; permissive ones only bare.
                case "no-store": noStore = true; break;
                case "no-transform": noTransform = true; break;
                case "must-revalidate": mustRevalidate = true; break;
                case "proxy-revalidate": proxyRevalidate = true; break;
                case "public": isPublic |= bare; break;
                case "must-understand": mustUnderstand |= bare; break;
                case "immutable": immutable |= bare; break;
                default: break; // §5.2.3: a cache MUST ignore unrecognised directives.
            }
        }

        return new ResponseCacheControl
        {
            MaxAge = FreshnessValue(maxAge),
            SharedMaxAge = FreshnessValue(sharedMaxAge),
            NoCache = noCache,
            NoCacheFields = noCacheFields,
            NoStore = noStore,
            NoTransform = noTransform,
            Private = isPrivate,
            PrivateFields = privateFields,
            Public = isPublic,
            MustRevalidate = mustRevalidate,
            ProxyRevalidate = proxyRevalidate,
            MustUnderstand = mustUnderstand,
            Immutable = immutable,
            StaleWhileRevalidate = Extension(staleWhileRevalidate),
            StaleIfError = Extension(staleIfError),
            TargetedField = targetedField,
        };
    }

    private static TimeSpan? Delta(CacheDirective directive) =>
        directive.Argument is not null && DeltaSeconds.TryParse(directive.Argument, out var value) ? value : null;

    /// <summary>
    /// RFC 9111 §4.2.1: with several values, "either the first occurrence should be used or the response should be
    /// considered stale"; invalid freshness information should make it stale. We pick stale: a lifetime of 0.
    /// </summary>
    private static TimeSpan? FreshnessValue(List<TimeSpan?> values)
    {
        if (values.Count == 0)
        {
            return null;
        }
        var first = values[0];
        return first is not null && values.TrueForAll(v => v == first) ? first : TimeSpan.Zero;
    }

    /// <summary>An RFC 5861 window that is invalid or contradicts itself grants nothing.</summary>
    private static TimeSpan? Extension(List<TimeSpan?> values)
    {
        if (values.Count == 0)
        {
            return null;
        }
        var first = values[0];
        return values.TrueForAll(v => v == first) ? first : null;
    }

    /// <summary>
    /// Adds the field names of a qualified no-cache or private. Returns false when the directive is unqualified —
    /// bare, malformed, or with a list that names no valid field — so that it takes its most restrictive meaning.
    /// </summary>
    private static bool AddFieldNames(CacheDirective directive, List<string> fields)
    {
        if (directive.Argument is null)
        {
            return false;
        }
        var names = new List<string>();
        FieldList.AddMembers(directive.Argument, names);
        names.RemoveAll(name => !HttpToken.IsToken(name));
        fields.AddRange(names);
        return names.Count > 0;
    }
}
