using System.Net.Http.Headers;
using Gatehouse.Acme.Protocol;

namespace Gatehouse.Acme.Tests.Protocol;

public sealed class AcmeClientParsingTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 28, 12, 0, 0, TimeSpan.Zero);

    [Fact]
    public void Rfc9773_4_2_RenewalInfo_ReadsTheSuggestedWindowAndExplanation()
    {
        var info = AcmeClient.ParseRenewalInfo("""
            {"suggestedWindow":{"start":"2026-12-01T00:00:00Z","end":"2026-12-03T00:00:00Z"},"explanationURL":"https://ca.example/why"}
            """, TimeSpan.FromHours(6));

        Assert.Equal(new DateTimeOffset(2026, 12, 1, 0, 0, 0, TimeSpan.Zero), info.WindowStart);
        Assert.Equal(new DateTimeOffset(2026, 12, 3, 0, 0, 0, TimeSpan.Zero), info.WindowEnd);
        Assert.Equal(new Uri("https://ca.example/why"), info.ExplanationUrl);
        Assert.Equal(TimeSpan.FromHours(6), info.RetryAfter);
    }

    [Fact]
    public void Rfc9773_4_2_RenewalInfo_WindowEndingBeforeItStarts_IsRefused()
    {
        Assert.Throws<AcmeException>(() => AcmeClient.ParseRenewalInfo(
            """{"suggestedWindow":{"start":"2026-12-03T00:00:00Z","end":"2026-12-01T00:00:00Z"}}""", null));
    }

    [Fact]
    public void Rfc9110_10_2_3_RetryAfter_AsSeconds()
    {
        using var response = new HttpResponseMessage();
        response.Headers.RetryAfter = new RetryConditionHeaderValue(TimeSpan.FromSeconds(120));

        Assert.Equal(TimeSpan.FromSeconds(120), AcmeClient.RetryAfter(response, Now));
    }

    [Fact]
    public void Rfc9110_10_2_3_RetryAfter_AsDate_IsRelativeToNow_AndNeverNegative()
    {
        using var future = new HttpResponseMessage();
        future.Headers.RetryAfter = new RetryConditionHeaderValue(Now.AddMinutes(5));
        using var past = new HttpResponseMessage();
        past.Headers.RetryAfter = new RetryConditionHeaderValue(Now.AddMinutes(-5));
        using var none = new HttpResponseMessage();

        Assert.Equal(TimeSpan.FromMinutes(5), AcmeClient.RetryAfter(future, Now));
        Assert.Equal(TimeSpan.Zero, AcmeClient.RetryAfter(past, Now));
        Assert.Null(AcmeClient.RetryAfter(none, Now));
    }

    [Fact]
    public void ProblemShortType_DropsTheAcmeErrorPrefix()
    {
        Assert.Equal("badNonce", new AcmeProblem { Type = AcmeProblemTypes.BadNonce }.ShortType);
        Assert.Equal("about:blank", new AcmeProblem { Type = "about:blank" }.ShortType);
    }
}
