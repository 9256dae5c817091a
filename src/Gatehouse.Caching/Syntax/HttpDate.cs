using Microsoft.Extensions.Primitives;

namespace Gatehouse.Caching;

/// <summary>
/// HTTP-date (RFC 9110 §5.6.7): IMF-fixdate, the obsolete RFC 850 and asctime formats. Names are matched without
/// regard to case (RFC 9111 §4.2 SHOULD for caches); any zone other than GMT is invalid (§4.2 SHOULD).
/// </summary>
public static class HttpDate
{
    private static readonly string[] ShortDays = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"];
    private static readonly string[] LongDays = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"];
    private static readonly string[] Months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];

    /// <summary>
    /// Parses a singleton date field. Several field lines with different values make it invalid.
    /// <paramref name="reference"/> (the time of receipt) resolves the two-digit years of the RFC 850 format.
    /// </summary>
    /// <summary>A response's Date (RFC 9110 §6.6.1), or the time it was received when Date is missing or does not parse.</summary>
    public static DateTimeOffset DateOr(StringValues date, DateTimeOffset responseTime) =>
        TryParse(date, responseTime, out var value) ? value : responseTime;

    public static bool TryParse(StringValues field, DateTimeOffset reference, out DateTimeOffset value)
    {
        value = default;
        if (field.Count == 0 || !AllSame(field))
        {
            return false;
        }
        return TryParse(field[0], reference, out value);
    }

    public static bool TryParse(string? text, DateTimeOffset reference, out DateTimeOffset value)
    {
        value = default;
        if (text is null)
        {
            return false;
        }
        var s = text.AsSpan().Trim(" \t");
        var comma = s.IndexOf(',');
        if (comma < 0)
        {
            return TryParseAsctime(s, out value);
        }
        var dayName = s[..comma];
        var rest = s[(comma + 1)..];
        if (rest.IsEmpty || rest[0] != ' ')
        {
            return false;
        }
        rest = rest[1..];
        if (IsOneOf(dayName, ShortDays))
        {
            return TryParseImfFixdate(rest, out value);
        }
        return IsOneOf(dayName, LongDays) && TryParseRfc850(rest, reference, out value);
    }

    internal static bool AllSame(StringValues field)
    {
        for (var i = 1; i < field.Count; i++)
        {
            if (!string.Equals(field[i], field[0], StringComparison.Ordinal))
            {
                return false;
            }
        }
        return true;
    }

    // "06 Nov 1994 08:49:37 GMT"
    private static bool TryParseImfFixdate(ReadOnlySpan<char> s, out DateTimeOffset value)
    {
        value = default;
        return s.Length == 24 && s[2] == ' ' && s[6] == ' ' && s[11] == ' ' && s[20] == ' '
            && TryDigits(s[..2], out var day) && TryMonth(s[3..6], out var month) && TryDigits(s[7..11], out var year)
            && IsGmt(s[21..]) && TryBuild(year, month, day, s[12..20], out value);
    }

    // "06-Nov-94 08:49:37 GMT"
    private static bool TryParseRfc850(ReadOnlySpan<char> s, DateTimeOffset reference, out DateTimeOffset value)
    {
        value = default;
        if (s.Length != 22 || s[2] != '-' || s[6] != '-' || s[9] != ' ' || s[18] != ' '
            || !TryDigits(s[..2], out var day) || !TryMonth(s[3..6], out var month) || !TryDigits(s[7..9], out var twoDigitYear)
            || !IsGmt(s[19..]))
        {
            return false;
        }
        // RFC 9110 §5.6.7: a two-digit year more than 50 years in the future is the most recent past year with those digits.
        var referenceYear = reference.UtcDateTime.Year;
        var year = referenceYear / 100 * 100 + twoDigitYear;
        if (year > referenceYear + 50)
        {
            year -= 100;
        }
        return TryBuild(year, month, day, s[10..18], out value);
    }

    // "Sun Nov  6 08:49:37 1994"
    private static bool TryParseAsctime(ReadOnlySpan<char> s, out DateTimeOffset value)
    {
        value = default;
        if (s.Length != 24 || s[3] != ' ' || s[7] != ' ' || s[10] != ' ' || s[19] != ' ' || !IsOneOf(s[..3], ShortDays)
            || !TryMonth(s[4..7], out var month) || !TryDigits(s[20..], out var year))
        {
            return false;
        }
        var dayText = s[8] == ' ' ? s[9..10] : s[8..10];
        return TryDigits(dayText, out var day) && TryBuild(year, month, day, s[11..19], out value);
    }

    private static bool TryBuild(int year, int month, int day, ReadOnlySpan<char> time, out DateTimeOffset value)
    {
        value = default;
        if (time.Length != 8 || time[2] != ':' || time[5] != ':'
            || !TryDigits(time[..2], out var hour) || !TryDigits(time[3..5], out var minute) || !TryDigits(time[6..], out var second)
            || year is < 1 or > 9999 || day < 1 || day > DateTime.DaysInMonth(year, month) || hour > 23 || minute > 59 || second > 60)
        {
            return false;
        }
        // A leap second (":60") becomes ":59": the nearest representable time not later than the value (RFC 9111 §4.2).
        value = new DateTimeOffset(year, month, day, hour, minute, Math.Min(second, 59), TimeSpan.Zero);
        return true;
    }

    private static bool TryDigits(ReadOnlySpan<char> s, out int value)
    {
        value = 0;
        foreach (var c in s)
        {
            if (c is < '0' or > '9')
            {
                return false;
            }
            value = value * 10 + (c - '0');
        }
        return !s.IsEmpty;
    }

    private static bool TryMonth(ReadOnlySpan<char> s, out int month)
    {
        for (month = 1; month <= 12; month++)
        {
            if (s.Equals(Months[month - 1], StringComparison.OrdinalIgnoreCase))
            {
                return true;
            }
        }
        return false;
    }

    private static bool IsGmt(ReadOnlySpan<char> s) => s.Equals("GMT", StringComparison.OrdinalIgnoreCase);

    private static bool IsOneOf(ReadOnlySpan<char> s, string[] names)
    {
        foreach (var name in names)
        {
            if (s.Equals(name, StringComparison.OrdinalIgnoreCase))
            {
                return true;
            }
        }
        return false;
    }
}
