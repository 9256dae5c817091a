using Gatehouse.Admin;

namespace Gatehouse.Tests.Admin;

public sealed class ReadinessTests
{
    [Fact]
    public void Ready_WhenStartedWithAConfigAndCertificates() =>
        Assert.Empty(Readiness.Problems(new ReadinessFacts(true, false, 1, 1, true, [])));

    [Fact]
    public void NotReady_NamesEveryReason()
    {
        var problems = Readiness.Problems(new ReadinessFacts(false, false, 0, 2, false, ["example.com", "www.example.com"]));

        Assert.Equal(["listeners not bound yet", "no config applied", "no certificate for the HTTPS listeners", "no certificate yet for example.com, www.example.com"], problems);
    }

    [Fact]
    public void NotReady_WhileShuttingDown_SoTheBalancerInFrontStopsFirst() =>
        Assert.Equal(["shutting down"], Readiness.Problems(new ReadinessFacts(true, true, 3, 0, false, [])));

    [Fact]
    public void PlainListenersNeedNoCertificate() =>
        Assert.Empty(Readiness.Problems(new ReadinessFacts(true, false, 1, 0, false, [])));
}
