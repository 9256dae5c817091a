using Gatehouse.Configuration;
using Gatehouse.Tls;

namespace Gatehouse.Lifecycle;

/// <summary>The pure checks of <c>tls.acme</c>; the CA bundle file is opened at load (Tls/TlsFileCheck).</summary>
public static partial class ConfigValidator
{
    private static void ValidateAcme(List<ConfigError> errors, AcmeDefinition acme, IReadOnlyList<ListenerDefinition> listeners)
    {
        const string path = AcmeSettings.Path;
        Unknown(errors, path, acme);
        for (var i = 0; i < acme.Certificates.Count; i++)
        {
            if (acme.Certificates[i] is null)
            {
                errors.Add(new($"{path}.certificates[{i}]", "a certificate must be an object with hosts"));
                continue;
            }

            Unknown(errors, $"{path}.certificates[{i}]", acme.Certificates[i]);
        }

        if (acme.ExternalAccountBinding is { } eab)
        {
            Unknown(errors, $"{path}.externalAccountBinding", eab);
        }

        if (!Uri.TryCreate(acme.Directory, UriKind.Absolute, out _))
        {
            errors.Add(new($"{path}.directory", $"'{acme.Directory}' is not an absolute URL"));
        }

        if (AcmeSettings.KeyType(acme.KeyType) is null)
        {
            errors.Add(new($"{path}.keyType", $"'{acme.KeyType}' is not one of {string.Join(", ", AcmeKeyTypes.All)}"));
        }

        FilePath(errors, $"{path}.caBundle", acme.CaBundle, required: false);
        if (!acme.Enabled)
        {
            return; // no hosts: ACME is off, and the terms need not be accepted
        }

        // The CA connects to a listener of Gatehouse: a challenge type is only of use with a listener to answer it.
        var plain = listeners.Any(l => l is not null && l.Tls is null);
        var https = listeners.Any(l => l?.Tls is not null);
        if (!(acme.Challenges.Contains("http-01") && plain) && !(acme.Challenges.Contains("tls-alpn-01") && https)
            && acme.Challenges.All(c => c is "http-01" or "tls-alpn-01") && acme.Challenges.Count > 0)
        {
            errors.Add(new($"{path}.challenges", "no listener can answer them: http-01 needs a plain-HTTP listener (port 80 for a public CA), tls-alpn-01 an HTTPS listener (port 443)"));
        }

        foreach (var error in AcmeSettings.Validate(acme))
        {
            // An unparsable directory is reported above; the library would only see the stand-in.
            if (error.Path != $"{path}.directory" || Uri.TryCreate(acme.Directory, UriKind.Absolute, out _))
            {
                errors.Add(error);
            }
        }
    }
}
