using Microsoft.Extensions.Primitives;

namespace Gatehouse.Compression;

/// <summary>
/// The entity tag of an encoded representation (RFC 9110 §8.8.3: each representation has its own): the identity tag with
/// <c>-gzip</c>, <c>-br</c> or <c>-zstd</c> inside the quotes, weak staying weak, as Apache's mod_deflate and Caddy do.
/// Going back: a client's If-None-Match or If-Match names the encoded tags it holds; the backend knows only its own.
/// </summary>
public static class EncodedEntityTags
{
    /// <summary>The tag of <paramref name="coding"/>'s representation; null when <paramref name="etag"/> is not an entity tag.</summary>
    public static string? ForCoding(string? etag, ContentCoding coding)
    {
        if (!IsEntityTag(etag))
        {
            return null;
        }
        return string.Concat(etag.AsSpan(0, etag!.Length - 1), "-", ContentCodings.Name(coding), "\"");
    }

    /// <summary>
    /// A conditional field's list with every encoded tag replaced by its identity tag (and <c>*</c> and plain tags kept):
    /// what the backend can compare. Unchanged (the same instance) when no member is an encoded tag.
    /// </summary>
    public static StringValues ToIdentity(StringValues field)
    {
        if (!AnyEncoded(field))
        {
            return field;
        }
        var members = new List<string>();
        foreach (var value in field)
        {
            if (value is null)
            {
                continue;
            }
            foreach (var range in value.AsSpan().Split(','))
            {
                var member = value.AsSpan()[range].Trim(" \t").ToString();
                if (member.Length > 0)
                {
                    members.Add(StripCoding(member, out _));
                }
            }
        }
        return string.Join(", ", members.Distinct(StringComparer.Ordinal));
    }

    /// <summary>The identity tag of an encoded tag, and its coding; the tag itself (coding null) when it is not one.</summary>
    public static string StripCoding(string etag, out ContentCoding? coding)
    {
        coding = null;
        if (!IsEntityTag(etag))
        {
            return etag;
        }
        var inner = etag.AsSpan(0, etag.Length - 1);
        var dash = inner.LastIndexOf('-');
        if (dash < 0 || !ContentCodings.TryParse(inner[(dash + 1)..], out var found)
            || !inner[(dash + 1)..].SequenceEqual(ContentCodings.Name(found)))
        {
            return etag;
        }
        coding = found;
        return string.Concat(inner[..dash], "\"");
    }

    private static bool AnyEncoded(StringValues field)
    {
        foreach (var value in field)
        {
            if (value is not null && (value.Contains("-gzip\"", StringComparison.Ordinal) || value.Contains("-br\"", StringComparison.Ordinal)
                || value.Contains("-zstd\"", StringComparison.Ordinal)))
            {
                return true;
            }
        }
        return false;
    }

    /// <summary><c>[ "W/" ] DQUOTE *etagc DQUOTE</c> (§8.8.3).</summary>
    private static bool IsEntityTag(string? etag)
    {
        if (etag is null)
        {
            return false;
        }
        var opaque = etag.StartsWith("W/", StringComparison.Ordinal) ? etag.AsSpan(2) : etag.AsSpan();
        return opaque.Length >= 2 && opaque[0] == '"' && opaque[^1] == '"' && opaque[1..^1].IndexOf('"') < 0;
    }
}
