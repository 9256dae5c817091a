using System.Security.Cryptography.X509Certificates;

namespace Gatehouse.Acme.Certificates;

/// <summary>
/// Certificates whose private key was loaded from PEM or made in memory hold an ephemeral key. On Windows, SChannel
/// cannot use such keys for a TLS server, so every certificate Gatehouse serves (files, the local CA, ACME) passes
/// through <see cref="UsableBySslStream"/> once, when it is loaded or issued.
/// </summary>
public static class EphemeralKeys
{
    /// <summary>
    /// A certificate whose key SslStream can use as a server: on Windows a PKCS#12 round trip (the argument is
    /// disposed); elsewhere the argument itself.
    /// </summary>
    public static X509Certificate2 UsableBySslStream(X509Certificate2 certificate)
    {
        if (!OperatingSystem.IsWindows())
        {
            return certificate;
        }

        using (certificate)
        {
            return X509CertificateLoader.LoadPkcs12(certificate.Export(X509ContentType.Pkcs12), null);
        }
    }
}
