using Gatehouse.Tls;

namespace Gatehouse.Configuration;

/// <summary>The pure checks of <c>tls.acme</c>; the CA bundle file is opened at load (Tls/TlsFileCheck).</summary>
public static partial class ConfigValidator
{
    private static void ValidateAcme(List<ConfigError> errors, AcmeDefinition acme)
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
