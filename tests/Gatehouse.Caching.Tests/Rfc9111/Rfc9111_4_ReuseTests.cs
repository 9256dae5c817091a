namespace Gatehouse.Caching.Tests.Rfc9111;

/// <summary>RFC 9111 §4 Constructing Responses from Caches, and the request directives of §5.2.1.</summary>
public class Rfc9111_4_ReuseTests
{
    private static ReuseDecision Decide(Freshness stored, string requestCacheControl, int atSeconds) =>
        Reuse.Decide(stored, Http.Request(requestCacheControl), Http.At(atSeconds));

    [Fact]
    public void Fresh_IsUsed_Section4()
    {
        Assert.Equal(ReuseDecision.Fresh, Decide(Http.Stored(60), "", 30));
    }

    // §4 MUST NOT: without permission, a stale response is validated (§4.2.4).
    [Fact]
    public void Stale_IsValidated_Section4()
    {
        Assert.Equal(ReuseDecision.ValidateStale, Decide(Http.Stored(60), "", 60));
        Assert.Equal(ReuseDecision.ValidateStale, Decide(Http.Stored(0), "", 0));
    }

    // §4 MUST NOT / §5.2.2.4: a response with no-cache is never reused without validation, even fresh.
    [Fact]
    public void ResponseNoCache_IsAlwaysValidated_Section5_2_2_4()
    {
        var stored = Http.Stored(600) with { RequiresValidation = true };

        Assert.Equal(ReuseDecision.ValidateStale, Decide(stored, "", 1));
        Assert.Equal(ReuseDecision.ValidateStale, Decide(stored, "max-stale", 1));
        Assert.Equal(ReuseDecision.ValidateStale, Decide(stored with { StaleWhileRevalidate = Http.Seconds(600) }, "", 700));
    }

    // §5.2.1.4: request no-cache asks for validation.
    [Fact]
    public void RequestNoCache_IsValidated_Section5_2_1_4()
    {
        Assert.Equal(ReuseDecision.ValidateForRequest, Decide(Http.Stored(60), "no-cache", 1));
        Assert.Equal(ReuseDecision.ValidateForRequest, Reuse.Decide(Http.Stored(60), RequestCacheControl.Parse(default, "no-cache"), Http.At(1)));
    }

    // RFC 9211 §2.2: fwd=request is for a fresh response the request refused; a stale one is fwd=stale.
    [Fact]
    public void RequestDirectives_OnAStaleResponse_AreValidateStale()
    {
        Assert.Equal(ReuseDecision.ValidateStale, Decide(Http.Stored(60), "no-cache", 61));
        Assert.Equal(ReuseDecision.ValidateStale, Decide(Http.Stored(60), "min-fresh=1, max-stale", 61));
    }

    // §5.2.1.1: max-age bounds the age the client accepts; max-age=0 means validate.
    [Fact]
    public void RequestMaxAge_BoundsTheAge_Section5_2_1_1()
    {
        Assert.Equal(ReuseDecision.Fresh, Decide(Http.Stored(60), "max-age=30", 30));
        Assert.Equal(ReuseDecision.ValidateForRequest, Decide(Http.Stored(60), "max-age=30", 31));
        Assert.Equal(ReuseDecision.ValidateForRequest, Decide(Http.Stored(60), "max-age=0", 1));
    }

    // §5.2.1.1: max-age with max-stale: stale accepted, but the age bound still holds.
    [Fact]
    public void RequestMaxAge_WithMaxStale_Section5_2_1_1()
    {
        Assert.Equal(ReuseDecision.StaleAcceptedByClient, Decide(Http.Stored(60), "max-age=100, max-stale", 80));
        Assert.Equal(ReuseDecision.ValidateStale, Decide(Http.Stored(60), "max-age=100, max-stale", 101));
    }

    // §5.2.1.3: min-fresh: the response must stay fresh for at least that long.
    [Fact]
    public void RequestMinFresh_NeedsRemainingFreshness_Section5_2_1_3()
    {
        Assert.Equal(ReuseDecision.Fresh, Decide(Http.Stored(60), "min-fresh=20", 40));
        Assert.Equal(ReuseDecision.ValidateForRequest, Decide(Http.Stored(60), "min-fresh=20", 41));
    }

    // §5.2.1.2: max-stale accepts stale responses, up to its value.
    [Fact]
    public void RequestMaxStale_AcceptsStale_Section5_2_1_2()
    {
        Assert.Equal(ReuseDecision.StaleAcceptedByClient, Decide(Http.Stored(60), "max-stale=10", 70));
        Assert.Equal(ReuseDecision.ValidateStale, Decide(Http.Stored(60), "max-stale=10", 71));
        Assert.Equal(ReuseDecision.StaleAcceptedByClient, Decide(Http.Stored(60), "max-stale", 1_000_000));
    }

    // RFC 8246: a fresh immutable response is not revalidated on a client's reload (no-cache, max-age=0).
    [Fact]
    public void Immutable_Fresh_IgnoresReload()
    {
        var stored = Http.Stored(60) with { Immutable = true };

        Assert.Equal(ReuseDecision.Fresh, Decide(stored, "no-cache", 10));
        Assert.Equal(ReuseDecision.Fresh, Decide(stored, "max-age=0", 10));
        Assert.Equal(ReuseDecision.ValidateStale, Decide(stored, "no-cache", 61));
    }

    [Fact]
    public void AgeIncludesTheCorrectedInitialAge()
    {
        var stored = Http.Stored(60) with { CorrectedInitialAge = Http.Seconds(50) };

        Assert.Equal(ReuseDecision.Fresh, Decide(stored, "", 9));
        Assert.Equal(ReuseDecision.ValidateStale, Decide(stored, "", 10));
    }
}
