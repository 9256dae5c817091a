namespace Gatehouse.Caching;

internal enum StructuredKind
{
    Boolean,
    Integer,
    Decimal,
    String,
    Token,
    ByteSequence,
    InnerList,
}

/// <summary>A Dictionary member; <see cref="Text"/> is the integer, decimal, token or (unescaped) string value.</summary>
internal readonly record struct StructuredMember(string Key, StructuredKind Kind, string Text, bool Boolean);

/// <summary>
/// A parser for Dictionary Structured Fields (RFC 8941 §4.2.2), the syntax of targeted cache-control fields
/// (RFC 9213 §2.1). Parameters are parsed for validity and dropped: RFC 9213 says they are ignored.
/// </summary>
internal ref struct StructuredDictionary
{
    private readonly ReadOnlySpan<char> _input;
    private int _position;

    private StructuredDictionary(ReadOnlySpan<char> input)
    {
        _input = input;
        _position = 0;
    }

    private readonly bool AtEnd => _position >= _input.Length;

    private readonly char Current => _input[_position];

    /// <summary>Parses a combined field value; on failure the whole field is invalid (RFC 8941 §4.2).</summary>
    public static bool TryParse(string text, out List<StructuredMember> members)
    {
        var parser = new StructuredDictionary(text.AsSpan().Trim(' '));
        return parser.TryParseDictionary(out members);
    }

    private bool TryParseDictionary(out List<StructuredMember> members)
    {
        members = [];
        while (!AtEnd)
        {
            if (!TryParseKey(out var key))
            {
                return false;
            }
            StructuredMember member;
            if (!AtEnd && Current == '=')
            {
                _position++;
                if (!TryParseItemOrInnerList(key, out member))
                {
                    return false;
                }
            }
            else
            {
                member = new StructuredMember(key, StructuredKind.Boolean, "", true);
                if (!TrySkipParameters())
                {
                    return false;
                }
            }
            // A repeated key overwrites the earlier value (§4.2.2).
            members.RemoveAll(m => m.Key == key);
            members.Add(member);
            SkipWhitespace(tabsToo: true);
            if (AtEnd)
            {
                return true;
            }
            if (Current != ',')
            {
                return false;
            }
            _position++;
            SkipWhitespace(tabsToo: true);
            if (AtEnd)
            {
                return false; // trailing comma
            }
        }
        return true;
    }

    private bool TryParseItemOrInnerList(string key, out StructuredMember member)
    {
        member = default;
        if (!AtEnd && Current == '(')
        {
            _position++;
            while (true)
            {
                SkipWhitespace(tabsToo: false);
                if (AtEnd)
                {
                    return false;
                }
                if (Current == ')')
                {
                    _position++;
                    member = new StructuredMember(key, StructuredKind.InnerList, "", false);
                    return TrySkipParameters();
                }
                if (!TryParseBareItem(key, out _) || !TrySkipParameters() || AtEnd || (Current != ' ' && Current != ')'))
                {
                    return false;
                }
            }
        }
        return TryParseBareItem(key, out member) && TrySkipParameters();
    }

    private bool TrySkipParameters()
    {
        while (!AtEnd && Current == ';')
        {
            _position++;
            SkipWhitespace(tabsToo: false);
            if (!TryParseKey(out var key))
            {
                return false;
            }
            if (!AtEnd && Current == '=')
            {
                _position++;
                if (!TryParseBareItem(key, out _))
                {
                    return false;
                }
            }
        }
        return true;
    }

    private bool TryParseKey(out string key)
    {
        key = "";
        var start = _position;
        if (AtEnd || !(Current is >= 'a' and <= 'z' or '*'))
        {
            return false;
        }
        while (!AtEnd && Current is >= 'a' and <= 'z' or >= '0' and <= '9' or '_' or '-' or '.' or '*')
        {
            _position++;
        }
        key = _input[start.._position].ToString();
        return true;
    }

    private bool TryParseBareItem(string key, out StructuredMember item)
    {
        item = default;
        if (AtEnd)
        {
            return false;
        }
        var c = Current;
        if (c == '-' || c is >= '0' and <= '9')
        {
            return TryParseNumber(key, out item);
        }
        if (c == '"')
        {
            return TryParseString(key, out item);
        }
        if (c == '*' || c is >= 'a' and <= 'z' or >= 'A' and <= 'Z')
        {
            var start = _position;
            while (!AtEnd && (HttpToken.IsTokenChar(Current) || Current is ':' or '/'))
            {
                _position++;
            }
            item = new StructuredMember(key, StructuredKind.Token, _input[start.._position].ToString(), false);
            return true;
        }
        if (c == ':')
        {
            _position++;
            var start = _position;
            while (!AtEnd && Current != ':')
            {
                if (!(Current is >= 'a' and <= 'z' or >= 'A' and <= 'Z' or >= '0' and <= '9' or '+' or '/' or '='))
                {
                    return false;
                }
                _position++;
            }
            if (AtEnd)
            {
                return false;
            }
            item = new StructuredMember(key, StructuredKind.ByteSequence, _input[start.._position].ToString(), false);
            _position++;
            return true;
        }
        if (c == '?' && _position + 1 < _input.Length && _input[_position + 1] is '0' or '1')
        {
            item = new StructuredMember(key, StructuredKind.Boolean, "", _input[_position + 1] == '1');
            _position += 2;
            return true;
        }
        return false;
    }

    private bool TryParseNumber(string key, out StructuredMember item)
    {
        item = default;
        var start = _position;
        if (Current == '-')
        {
            _position++;
        }
        var digitsStart = _position;
        var dot = -1;
        while (!AtEnd && (Current is >= '0' and <= '9' || (Current == '.' && dot < 0)))
        {
            if (Current == '.')
            {
                if (_position - digitsStart > 12)
                {
                    return false;
                }
                dot = _position;
            }
            _position++;
        }
        var digits = _position - digitsStart;
        if (digits == 0 || _input[digitsStart] == '.')
        {
            return false;
        }
        if (dot < 0)
        {
            if (digits > 15)
            {
                return false;
            }
            item = new StructuredMember(key, StructuredKind.Integer, _input[start.._position].ToString(), false);
            return true;
        }
        var fraction = _position - dot - 1;
        if (fraction is < 1 or > 3)
        {
            return false;
        }
        item = new StructuredMember(key, StructuredKind.Decimal, _input[start.._position].ToString(), false);
        return true;
    }

    private bool TryParseString(string key, out StructuredMember item)
    {
        item = default;
        _position++;
        var value = new System.Text.StringBuilder();
        while (!AtEnd)
        {
            var c = Current;
            _position++;
            if (c == '\\')
            {
                if (AtEnd || Current is not ('"' or '\\'))
                {
                    return false;
                }
                value.Append(Current);
                _position++;
            }
            else if (c == '"')
            {
                item = new StructuredMember(key, StructuredKind.String, value.ToString(), false);
                return true;
            }
            else if (c is < ' ' or > '~')
            {
                return false;
            }
            else
            {
                value.Append(c);
            }
        }
        return false;
    }

    private void SkipWhitespace(bool tabsToo)
    {
        while (!AtEnd && (Current == ' ' || (tabsToo && Current == '\t')))
        {
            _position++;
        }
    }
}
