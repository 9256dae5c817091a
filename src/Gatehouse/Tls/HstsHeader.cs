using System.Globalization;
using Gatehouse.Configuration;

namespace Gatehouse.Tls;

/// <summary>The <c>Strict-Transport-Security</c> value (RFC 6797) for the configured policy; null when HSTS is off.</summary>
public static class HstsHeader
{
    public const string Name = "Strict-Transport-Security";

    public static string? Value(HstsDefinition hsts)
    {
        if (!hsts.Enabled || hsts.MaxAge.Value is not { } maxAge)
        {
            return null;
        }

        var value = "max-age=" + ((long)maxAge.TotalSeconds).ToString(CultureInfo.InvariantCulture);
        if (hsts.IncludeSubDomains)
        {
            value += "; includeSubDomains";
        }

        if (hsts.Preload)
        {
            value += "; preload";
        }

        return value;
    }
}
