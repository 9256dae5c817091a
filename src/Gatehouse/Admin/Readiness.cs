namespace Gatehouse.Admin;

/// <summary>What <c>GET /readyz</c> looks at, gathered from the running server.</summary>
/// <param name="Started">Kestrel bound every listener and the host finished starting.</param>
/// <param name="Stopping">Shutdown began: the orchestrator should stop sending before the listeners close.</param>
/// <param name="Revision">The config revision in force (0: none applied).</param>
/// <param name="HttpsListeners">Listeners with a <c>tls</c> section.</param>
/// <param name="HasAnyCertificate">The certificate store can present some certificate.</param>
/// <param name="HostsWithoutCertificate">Hosts the config asks certificates for (internal issuer, ACME) that have none yet.</param>
public sealed record ReadinessFacts(bool Started, bool Stopping, int Revision, int HttpsListeners, bool HasAnyCertificate, IReadOnlyList<string> HostsWithoutCertificate);

/// <summary>Ready means listeners bound, a config applied and the certificates present. Pure, so it is unit-tested.</summary>
public static class Readiness
{
    /// <summary>Every reason Gatehouse is not ready; empty when it is.</summary>
    public static IReadOnlyList<string> Problems(ReadinessFacts facts)
    {
        var problems = new List<string>();
        if (facts.Stopping)
        {
            problems.Add("shutting down");
        }
        else if (!facts.Started)
        {
            problems.Add("listeners not bound yet");
        }

        if (facts.Revision <= 0)
        {
            problems.Add("no config applied");
        }

        if (facts.HttpsListeners > 0 && !facts.HasAnyCertificate)
        {
            problems.Add("no certificate for the HTTPS listeners");
        }

        if (facts.HostsWithoutCertificate.Count > 0)
        {
            problems.Add("no certificate yet for " + string.Join(", ", facts.HostsWithoutCertificate));
        }

        return problems;
    }
}
