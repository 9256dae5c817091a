using System.Globalization;
using Gatehouse.Caching;

namespace Gatehouse.Fuzz.Targets;

/// <summary>
/// HTTP-date (RFC 9110 §5.6.7), read against three references (the RFC 850 two-digit year depends on it, also at the
/// ends of the calendar). A date read is one DateTimeOffset can hold, and its IMF-fixdate reads back as the same instant.
/// </summary>
public static class HttpDateTarget
{
    private static readonly DateTimeOffset[] References =
    [
        new(2026, 12, 6, 0, 0, 0, TimeSpan.Zero), DateTimeOffset.MinValue, DateTimeOffset.MaxValue,
    ];

    public static void Run(byte[] data)
    {
        var text = FieldText.Of(data);
        foreach (var reference in References)
        {
            if (HttpDate.TryParse(text, reference, out var value))
            {
                var imf = value.ToString("r", CultureInfo.InvariantCulture);
                FindingException.Unless(HttpDate.TryParse(imf, reference, out var again) && again == value, $"{value:o} does not read back from '{imf}'");
                FindingException.Unless(value.Offset == TimeSpan.Zero, "a date not in GMT");
            }
        }

        // Several field lines: valid only when all are the same date.
        HttpDate.TryParse(FieldText.Lines(text), References[0], out _);
    }
}
