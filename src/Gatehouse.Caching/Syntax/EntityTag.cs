using Microsoft.Extensions.Primitives;

namespace Gatehouse.Caching;

/// <summary>An entity tag (RFC 9110 §8.8.3): <c>[ W/ ] DQUOTE *etagc DQUOTE</c>; <see cref="Opaque"/> keeps the quotes.</summary>
internal readonly record struct EntityTag(string Opaque, bool IsWeak)
{
    /// <summary>Strong comparison (§8.8.3.2): neither is weak and the opaque tags are identical.</summary>
    public bool StrongEquals(EntityTag other) => !IsWeak && !other.IsWeak && Opaque == other.Opaque;

    /// <summary>Weak comparison (§8.8.3.2): the opaque tags are identical, weakness ignored.</summary>
    public bool WeakEquals(EntityTag other) => Opaque == other.Opaque;

    /// <summary>Parses a singleton ETag field; anything else than exactly one valid entity tag fails.</summary>
    public static bool TryParseSingle(StringValues field, out EntityTag tag)
    {
        tag = default;
        if (field.Count == 0 || !HttpDate.AllSame(field))
        {
            return false;
        }
        var text = field[0].AsSpan().Trim(" \t");
        return TryRead(text, out tag, out var length) && length == text.Length;
    }

    /// <summary>
    /// Parses <c>"*" / #entity-tag</c> (If-None-Match, If-Match). Fails on any malformed member: entity tags may
    /// contain commas, so the list is read tag by tag rather than split.
    /// </summary>
    public static bool TryParseList(StringValues field, out bool isAny, out List<EntityTag> tags)
    {
        isAny = false;
        tags = [];
        var sawMember = false;
        foreach (var line in field)
        {
            var s = (line ?? "").AsSpan();
            while (true)
            {
                s = s.TrimStart(" \t,");
                if (s.IsEmpty)
                {
                    break;
                }
                if (s[0] == '*')
                {
                    isAny = true;
                    s = s[1..];
                }
                else if (TryRead(s, out var tag, out var length))
                {
                    tags.Add(tag);
                    s = s[length..];
                }
                else
                {
                    return false;
                }
                sawMember = true;
                s = s.TrimStart(" \t");
                if (!s.IsEmpty && s[0] != ',')
                {
                    return false;
                }
            }
        }
        // "*" is only valid alone.
        return sawMember && !(isAny && tags.Count > 0);
    }

    private static bool TryRead(ReadOnlySpan<char> s, out EntityTag tag, out int length)
    {
        tag = default;
        length = 0;
        var weak = s.StartsWith("W/", StringComparison.Ordinal);
        var start = weak ? 2 : 0;
        if (s.Length < start + 2 || s[start] != '"')
        {
            return false;
        }
        for (var i = start + 1; i < s.Length; i++)
        {
            var c = s[i];
            if (c == '"')
            {
                length = i + 1;
                tag = new EntityTag(s[start..length].ToString(), weak);
                return true;
            }
            // etagc = %x21 / %x23-7E / obs-text
            if (c < 0x21 || c == 0x7F)
            {
                return false;
            }
        }
        return false;
    }
}
