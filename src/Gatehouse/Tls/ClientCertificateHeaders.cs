using System.Security.Cryptography.X509Certificates;
using System.Text;

namespace Gatehouse.Tls;

/// <summary>How a client certificate is described to the backend. Header values must be visible ASCII, so any other
/// character in the subject is percent-encoded (as UTF-8), which keeps the value unambiguous.</summary>
public static class ClientCertificateHeaders
{
    /// <summary>The subject distinguished name, most specific part first, as .NET writes it: <c>CN=alice, O=Example</c>.</summary>
    public static string Subject(X509Certificate2 certificate) => AsciiSafe(certificate.Subject);

    public static string AsciiSafe(string value)
    {
        if (value.All(c => c is >= ' ' and <= '~' && c != '%'))
        {
            return value;
        }

        var builder = new StringBuilder(value.Length + 16);
        foreach (var b in Encoding.UTF8.GetBytes(value))
        {
            if (b is >= (byte)' ' and <= (byte)'~' && b != (byte)'%')
            {
                builder.Append((char)b);
            }
            else
            {
                builder.Append('%').Append(b.ToString("X2", System.Globalization.CultureInfo.InvariantCulture));
            }
        }

        return builder.ToString();
    }
}
