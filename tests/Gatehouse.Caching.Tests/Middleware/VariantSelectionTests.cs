using Gatehouse.Caching.Middleware;
using Gatehouse.Caching.Storage;

namespace Gatehouse.Caching.Tests.Middleware;

/// <summary>RFC 9111 §4 and §4.1: which stored variant answers a request.</summary>
public class VariantSelectionTests
{
    private static CachedResponse Variant(string varyKey, int dateSeconds, params (string Name, string Value)[] headers) => new()
    {
        Key = "k",
        Target = "http://a/",
        VaryKey = varyKey,
        StatusCode = 200,
        Headers = CachedResponse.FreezeHeaders(Http.Headers([.. headers, ("Date", Http.Date(Http.At(dateSeconds)))])),
        Body = Array.Empty<byte>(),
        Freshness = Http.Stored(60),
    };

    [Fact]
    public void OnlyAVariantWhoseNominatedFieldsMatch_IsSelected_Section4_1()
    {
        var english = Variant("accept-language=en", 0, ("Vary", "Accept-Language"));

        Assert.Same(english, VariantSelection.Select([english], Http.Headers(("Accept-Language", "en"))));
        Assert.Null(VariantSelection.Select([english], Http.Headers(("Accept-Language", "fr"))));
        Assert.Null(VariantSelection.Select([english], Http.Headers()));
    }

    [Fact]
    public void SeveralMatching_TheMostRecentByDate_IsSelected_Section4()
    {
        var older = Variant("", 0);
        var newer = Variant("accept=text/html", 10, ("Vary", "Accept"));

        Assert.Same(newer, VariantSelection.Select([older, newer], Http.Headers(("Accept", "text/html"))));
        Assert.Same(newer, VariantSelection.Select([newer, older], Http.Headers(("Accept", "text/html"))));
        Assert.Same(older, VariantSelection.Select([newer, older], Http.Headers(("Accept", "image/png"))));
    }

    [Fact]
    public void VaryStar_NeverMatches_Section4_1()
    {
        var star = Variant("", 0, ("Vary", "*"));

        Assert.Null(VariantSelection.Select([star], Http.Headers()));
    }
}
