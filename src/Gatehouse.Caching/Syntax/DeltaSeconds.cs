namespace Gatehouse.Caching;

/// <summary>The <c>delta-seconds</c> rule of RFC 9111 §1.2.2.</summary>
internal static class DeltaSeconds
{
    /// <summary>
    /// 2^31 seconds: §1.2.2 says a value too large to represent, or an overflowing calculation, MUST be taken as
    /// 2147483648 ("infinity", over 68 years). We represent nothing larger.
    /// </summary>
    public static readonly TimeSpan Infinity = TimeSpan.FromSeconds(2147483648);

    /// <summary>Parses <c>1*DIGIT</c>: no sign, no fraction, no whitespace; values over 2^31 become 2^31.</summary>
    public static bool TryParse(ReadOnlySpan<char> text, out TimeSpan value)
    {
        value = default;
        if (text.IsEmpty)
        {
            return false;
        }
        long seconds = 0;
        foreach (var c in text)
        {
            if (c is < '0' or > '9')
            {
                return false;
            }
            // Keep reading digits after the cap so that "99999999999x" is still rejected as a whole.
            seconds = Math.Min(seconds * 10 + (c - '0'), 1L << 31);
        }
        value = TimeSpan.FromSeconds(seconds);
        return true;
    }

    /// <summary>Whole seconds, floored, capped at 2^31 (§1.2.2: an overflow is never negative).</summary>
    public static long ToSeconds(TimeSpan value)
    {
        if (value <= TimeSpan.Zero)
        {
            return 0;
        }
        return value >= Infinity ? 1L << 31 : (long)Math.Floor(value.TotalSeconds);
    }
}
