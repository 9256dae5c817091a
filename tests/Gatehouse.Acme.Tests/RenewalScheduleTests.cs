using Gatehouse.Acme.Protocol;
using Microsoft.Extensions.Time.Testing;

namespace Gatehouse.Acme.Tests;

public sealed class RenewalScheduleTests
{
    private static readonly DateTimeOffset Issued = new(2026, 11, 1, 0, 0, 0, TimeSpan.Zero);
    private static readonly DateTimeOffset Expires = Issued.AddDays(90);
    private static readonly RenewalPolicy Policy = new();

    [Fact]
    public void WithoutJitter_RenewsAtTwoThirdsOfTheLifetime()
    {
        Assert.Equal(Issued.AddDays(60), RenewalSchedule.RenewalTime(Issued, Expires, 0, Policy));
    }

    [Fact]
    public void Jitter_OnlyMovesRenewalEarlier_ByAtMostItsFractionOfTheLifetime()
    {
        var earliest = RenewalSchedule.RenewalTime(Issued, Expires, 0.999999, Policy);
        var middle = RenewalSchedule.RenewalTime(Issued, Expires, 0.5, Policy);

        Assert.Equal(Issued.AddDays(60 - 4.5), earliest, TimeSpan.FromSeconds(10)); // 5 % of 90 days
        Assert.Equal(Issued.AddDays(60 - 2.25), middle);
    }

    [Fact]
    public void ShortLivedCertificates_ScaleTheSameWay()
    {
        // Six-day certificates (Let's Encrypt's short-lived profile) renew on day four.
        Assert.Equal(Issued.AddDays(4), RenewalSchedule.RenewalTime(Issued, Issued.AddDays(6), 0, Policy));
    }

    [Fact]
    public void Rfc9773_4_2_AriWindow_WinsOverTheLifetimeRule_AtAUniformPointInside()
    {
        var now = Issued.AddDays(10);
        var ari = new AcmeRenewalInfo(Issued.AddDays(20), Issued.AddDays(22), null, null);

        Assert.Equal(Issued.AddDays(20), RenewalSchedule.RenewalTime(Issued, Expires, ari, now, 0, Policy));
        Assert.Equal(Issued.AddDays(21), RenewalSchedule.RenewalTime(Issued, Expires, ari, now, 0.5, Policy));
        Assert.Equal(Issued.AddDays(60), RenewalSchedule.RenewalTime(Issued, Expires, renewalInfo: null, now, 0, Policy));
    }

    [Fact]
    public void Rfc9773_4_2_AriWindowInThePast_MeansRenewNow()
    {
        // A CA moves the window into the past to ask for early renewal (e.g. before revoking).
        var now = Issued.AddDays(10);
        var ari = new AcmeRenewalInfo(Issued.AddDays(1), Issued.AddDays(2), null, null);

        Assert.Equal(now, RenewalSchedule.RenewalTime(Issued, Expires, ari, now, 0.7, Policy));
    }

    [Fact]
    public void Rfc9773_4_3_AriIsAskedAgain_AfterItsRetryAfter_OrThePolicyInterval()
    {
        var now = Issued.AddDays(10);

        Assert.Equal(now.AddHours(2), RenewalSchedule.RenewalInfoRecheck(now, new AcmeRenewalInfo(now, now, null, TimeSpan.FromHours(2)), Policy));
        Assert.Equal(now + Policy.RenewalInfoRecheck, RenewalSchedule.RenewalInfoRecheck(now, new AcmeRenewalInfo(now, now, null, null), Policy));
    }

    [Fact]
    public void Backoff_DoublesPerConsecutiveFailure_UpToTheCap()
    {
        var time = new FakeTimeProvider(Issued.AddDays(60));
        var waits = new List<TimeSpan>();
        for (var failures = 1; failures <= 12; failures++)
        {
            var next = RenewalSchedule.NextAttemptAfterFailure(time.GetUtcNow(), failures, retryAfter: null, Policy);
            waits.Add(next - time.GetUtcNow());
            time.SetUtcNow(next);
        }

        Assert.Equal(TimeSpan.FromMinutes(1), waits[0]);
        Assert.Equal(TimeSpan.FromMinutes(2), waits[1]);
        Assert.Equal(TimeSpan.FromMinutes(4), waits[2]);
        Assert.Equal(TimeSpan.FromMinutes(256), waits[8]);
        Assert.All(waits.Skip(9), w => Assert.Equal(Policy.MaxBackoff, w));
        Assert.Equal(waits.Order(), waits);
    }

    [Fact]
    public void Rfc8555_6_6_RetryAfterLongerThanTheBackoff_IsHonoured()
    {
        var time = new FakeTimeProvider(Issued);

        var next = RenewalSchedule.NextAttemptAfterFailure(time.GetUtcNow(), 1, TimeSpan.FromHours(1), Policy);
        var shorter = RenewalSchedule.NextAttemptAfterFailure(time.GetUtcNow(), 3, TimeSpan.FromSeconds(5), Policy);

        Assert.Equal(Issued.AddHours(1), next);
        Assert.Equal(Issued.AddMinutes(4), shorter); // a shorter Retry-After does not undo the back-off
    }

    [Fact]
    public void Backoff_SurvivesAbsurdFailureCounts()
    {
        Assert.Equal(Issued + Policy.MaxBackoff, RenewalSchedule.NextAttemptAfterFailure(Issued, int.MaxValue, null, Policy));
    }

    [Fact]
    public void Validity_IsHalfOpen()
    {
        Assert.True(RenewalSchedule.IsValidAt(Issued, Expires, Issued));
        Assert.False(RenewalSchedule.IsValidAt(Issued, Expires, Expires));
        Assert.False(RenewalSchedule.IsValidAt(Issued, Expires, Issued.AddTicks(-1)));
    }
}
