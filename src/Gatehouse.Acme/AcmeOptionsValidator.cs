using System.Globalization;

namespace Gatehouse.Acme;

/// <summary>One problem with the ACME options, with the option's path (e.g. "certificates[1].hosts[0]").</summary>
public sealed record AcmeOptionsError(string Path, string Message)
{
    public override string ToString() => $"{Path}: {Message}";
}

/// <summary>
/// Checks <see cref="AcmeOptions"/> without I/O and reports every problem at once, so the server's config validator can
/// prefix the paths with where ACME sits in its own configuration.
/// </summary>
public static class AcmeOptionsValidator
{
    public static IReadOnlyList<AcmeOptionsError> Validate(AcmeOptions options)
    {
        var errors = new List<AcmeOptionsError>();
        if (!options.DirectoryUrl.IsAbsoluteUri || (options.DirectoryUrl.Scheme != Uri.UriSchemeHttps && !options.DirectoryUrl.IsLoopback))
        {
            errors.Add(new("directoryUrl", "must be an absolute https URL (RFC 8555 §6.1)"));
        }

        if (!options.AcceptTermsOfService)
        {
            errors.Add(new("acceptTermsOfService", "must be true: the CA refuses accounts that have not agreed to its terms"));
        }

        if ((options.EabKeyId is null) != (options.EabHmacKey is null))
        {
            errors.Add(new(options.EabKeyId is null ? "eabKeyId" : "eabHmacKey", "External Account Binding needs both the key id and the HMAC key"));
        }
        else if (options.EabHmacKey is not null)
        {
            try
            {
                if (Protocol.Jws.DecodeBase64UrlLenient(options.EabHmacKey).Length == 0)
                {
                    errors.Add(new("eabHmacKey", "is empty"));
                }
            }
            catch (ArgumentException)
            {
                errors.Add(new("eabHmacKey", "is not base64url"));
            }
        }

        for (var i = 0; i < options.Email.Count; i++)
        {
            var email = options.Email[i];
            if (string.IsNullOrWhiteSpace(email) || !email.Contains('@', StringComparison.Ordinal))
            {
                errors.Add(new(Path("email", i), "is not an e-mail address"));
            }
        }

        if (options.ChallengeTypes.Count == 0)
        {
            errors.Add(new("challengeTypes", "needs at least one of http-01, tls-alpn-01"));
        }

        for (var i = 0; i < options.ChallengeTypes.Count; i++)
        {
            if (!AcmeChallengeTypes.All.Contains(options.ChallengeTypes[i]))
            {
                errors.Add(new(Path("challengeTypes", i), $"'{options.ChallengeTypes[i]}' is not one of http-01, tls-alpn-01"));
            }
        }

        var seen = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        for (var i = 0; i < options.Certificates.Count; i++)
        {
            var hosts = options.Certificates[i].Hosts;
            if (hosts.Count == 0)
            {
                errors.Add(new(Path("certificates", i) + ".hosts", "needs at least one host name"));
            }

            for (var j = 0; j < hosts.Count; j++)
            {
                var path = Path("certificates", i) + Path(".hosts", j);
                var problem = HostProblem(hosts[j]);
                if (problem is not null)
                {
                    errors.Add(new(path, problem));
                }
                else if (!seen.TryAdd(hosts[j].TrimEnd('.'), path))
                {
                    errors.Add(new(path, $"'{hosts[j]}' is already in {seen[hosts[j].TrimEnd('.')]}"));
                }
            }
        }

        if (options.OrderTimeout <= TimeSpan.Zero)
        {
            errors.Add(new("orderTimeout", "must be positive"));
        }

        var renewal = options.Renewal;
        if (renewal.RenewAtFractionOfLifetime is <= 0 or >= 1)
        {
            errors.Add(new("renewal.renewAtFractionOfLifetime", "must be between 0 and 1"));
        }

        if (renewal.JitterFractionOfLifetime < 0 || renewal.JitterFractionOfLifetime >= renewal.RenewAtFractionOfLifetime)
        {
            errors.Add(new("renewal.jitterFractionOfLifetime", "must be at least 0 and below renewAtFractionOfLifetime"));
        }

        if (renewal.InitialBackoff <= TimeSpan.Zero || renewal.MaxBackoff < renewal.InitialBackoff)
        {
            errors.Add(new("renewal.initialBackoff", "must be positive and not above maxBackoff"));
        }

        return errors;
    }

    /// <summary>Why a name cannot be validated with http-01/tls-alpn-01, or null when it can.</summary>
    private static string? HostProblem(string host)
    {
        if (string.IsNullOrWhiteSpace(host))
        {
            return "is empty";
        }

        if (host.StartsWith("*.", StringComparison.Ordinal))
        {
            return "wildcard names need dns-01, which Gatehouse does not answer";
        }

        if (System.Net.IPAddress.TryParse(host, out _))
        {
            return null; // RFC 8738 IP identifiers: http-01 and tls-alpn-01 both work
        }

        var name = host.TrimEnd('.');
        if (name.Length > 253 || !name.Contains('.', StringComparison.Ordinal))
        {
            return $"'{host}' is not a fully qualified domain name";
        }

        foreach (var label in name.Split('.'))
        {
            if (label.Length is 0 or > 63 || label[0] == '-' || label[^1] == '-'
                || !label.All(c => char.IsAsciiLetterOrDigit(c) || c == '-'))
            {
                return $"'{host}' is not a valid DNS name (letters, digits and '-' per label; IDNs in their xn-- form)";
            }
        }

        return null;
    }

    private static string Path(string name, int index) => name + "[" + index.ToString(CultureInfo.InvariantCulture) + "]";
}
