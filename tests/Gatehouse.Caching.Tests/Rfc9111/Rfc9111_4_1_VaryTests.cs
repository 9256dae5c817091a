using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Primitives;

namespace Gatehouse.Caching.Tests.Rfc9111;

/// <summary>RFC 9111 §4.1 Calculating Cache Keys with the Vary Header Field.</summary>
public class Rfc9111_4_1_VaryTests
{
    private static bool Match(string vary, HeaderDictionary original, HeaderDictionary presented) =>
        Key(vary, original) == Key(vary, presented);

    [Fact]
    public void NoVary_IsTheEmptyKey()
    {
        Assert.Equal("", Key("", Http.Headers(("Accept", "text/html"))));
    }

    // §4.1 MUST NOT: a stored response is not used unless the nominated fields match.
    [Fact]
    public void DifferentNominatedValue_DoesNotMatch_Section4_1()
    {
        Assert.False(Match("Accept-Language", Http.Headers(("Accept-Language", "en")), Http.Headers(("Accept-Language", "fr"))));
    }

    [Fact]
    public void FieldsNotNominated_DoNotMatter_Section4_1()
    {
        Assert.True(Match("Accept-Language", Http.Headers(("Accept-Language", "en"), ("User-Agent", "a")), Http.Headers(("Accept-Language", "en"), ("User-Agent", "b"))));
    }

    // §4.1: a field absent from one request only matches if it is also absent from the other.
    [Fact]
    public void AbsentField_OnlyMatchesAbsent_Section4_1()
    {
        Assert.True(Match("Accept-Language", Http.Headers(), Http.Headers()));
        Assert.False(Match("Accept-Language", Http.Headers(), Http.Headers(("Accept-Language", ""))));
        Assert.False(Match("Accept-Language", Http.Headers(), Http.Headers(("Accept-Language", "en"))));
    }

    // §4.1 MUST: Vary: * always fails to match.
    [Theory]
    [InlineData("*")]
    [InlineData("Accept, *")]
    [InlineData(" * ")]
    public void VaryStar_NeverMatches_Section4_1(string vary)
    {
        Assert.False(VaryKey.TryCompute(vary, Http.Headers(), out _));
        Assert.True(VaryKey.VariesOnEverything(vary));
    }

    // §4.1: combining multiple field lines of the same name is a permitted transformation.
    [Fact]
    public void SeveralFieldLines_MatchOneCombinedLine_Section4_1()
    {
        Assert.True(Match("Accept", Http.Headers(("Accept", "text/html"), ("Accept", "application/json")), Http.Headers(("Accept", "text/html, application/json"))));
    }

    // §4.1: adding or removing whitespace where the syntax allows is a permitted transformation.
    [Fact]
    public void WhitespaceAroundListMembers_IsIgnored_Section4_1()
    {
        Assert.True(Match("Accept", Http.Headers(("Accept", "text/html,application/json")), Http.Headers(("Accept", " text/html ,  application/json "))));
    }

    [Fact]
    public void ValueOrderAndCase_MatterForOtherFields()
    {
        Assert.False(Match("Accept-Language", Http.Headers(("Accept-Language", "en, fr")), Http.Headers(("Accept-Language", "fr, en"))));
        Assert.False(Match("X-Flavour", Http.Headers(("X-Flavour", "Vanilla")), Http.Headers(("X-Flavour", "vanilla"))));
    }

    // §4.1: normalising in a way known to keep the semantics (order without meaning, case-insensitive values).
    [Fact]
    public void AcceptEncoding_OrderCaseAndSpacing_AreNormalised_Section4_1()
    {
        Assert.True(Match("Accept-Encoding", Http.Headers(("Accept-Encoding", "gzip, deflate, br")), Http.Headers(("Accept-Encoding", "BR,gzip ,Deflate"))));
        Assert.True(Match("Accept-Encoding", Http.Headers(("Accept-Encoding", "gzip;q=1.0, br")), Http.Headers(("Accept-Encoding", "br, gzip; q=1.0"))));
        Assert.False(Match("Accept-Encoding", Http.Headers(("Accept-Encoding", "gzip")), Http.Headers(("Accept-Encoding", "gzip, br"))));
    }

    // §4.1: the weight's spelling (RFC 9110 §12.4.2: "q=1", "q=1.000" and none are the same weight; "0.50" is "0.5").
    [Fact]
    public void AcceptEncoding_WeightSpellings_AreNormalised_Section4_1()
    {
        Assert.True(Match("Accept-Encoding", Http.Headers(("Accept-Encoding", "gzip;q=1.000, br;q=0.50")), Http.Headers(("Accept-Encoding", "gzip, br;Q=0.5"))));
        Assert.False(Match("Accept-Encoding", Http.Headers(("Accept-Encoding", "gzip, br;q=0.5")), Http.Headers(("Accept-Encoding", "gzip, br;q=0.6"))));
    }

    // §4.1: q=0 means "not acceptable" (RFC 9110 §12.4.2), which an origin may answer differently from no mention at all.
    [Fact]
    public void ZeroWeight_IsKept_NotEqualToAbsence_Section4_1()
    {
        Assert.False(Match("Accept-Encoding", Http.Headers(("Accept-Encoding", "gzip, identity;q=0")), Http.Headers(("Accept-Encoding", "gzip"))));
        Assert.False(Match("Accept-Encoding", Http.Headers(("Accept-Encoding", "br;q=0")), Http.Headers(("Accept-Encoding", ""))));
        Assert.True(Match("Accept-Encoding", Http.Headers(("Accept-Encoding", "identity;q=0, gzip")), Http.Headers(("Accept-Encoding", "GZIP, identity; q=0.000"))));
        Assert.False(Match("Accept-Language", Http.Headers(("Accept-Language", "en, fr;q=0")), Http.Headers(("Accept-Language", "en"))));
    }

    // §4.1 with RFC 4647 §2.1 (ranges without case) and §2.3 (equal weights keep the user's order).
    [Fact]
    public void AcceptLanguage_CaseAndWeightOrder_AreNormalised_EqualWeightsKeepTheirOrder_Section4_1()
    {
        Assert.True(Match("Accept-Language", Http.Headers(("Accept-Language", "en-GB,en;q=0.9")), Http.Headers(("Accept-Language", "EN-gb, EN;q=0.90"))));
        Assert.True(Match("Accept-Language", Http.Headers(("Accept-Language", "fr;q=0.5, de")), Http.Headers(("Accept-Language", "de, fr;q=0.5"))));
        Assert.False(Match("Accept-Language", Http.Headers(("Accept-Language", "de, fr")), Http.Headers(("Accept-Language", "fr, de"))));
    }

    // §4.1 with RFC 9110 §8.3.1 (type, subtype and parameter names without case) and §12.5.1 (weights).
    [Fact]
    public void Accept_MediaRangeCaseSpacingAndWeightOrder_AreNormalised_Section4_1()
    {
        Assert.True(Match("Accept", Http.Headers(("Accept", "Text/HTML;Level=1, application/json;q=0.9")), Http.Headers(("Accept", "application/json ; q=0.9,text/html; level=1"))));
        Assert.False(Match("Accept", Http.Headers(("Accept", "text/html;level=1")), Http.Headers(("Accept", "text/html;level=2"))));
        Assert.False(Match("Accept", Http.Headers(("Accept", "text/html, application/json")), Http.Headers(("Accept", "application/json, text/html"))));
        Assert.False(Match("Accept", Http.Headers(("Accept", "text/html, */*;q=0")), Http.Headers(("Accept", "text/html"))));
    }

    // §4.1 with RFC 9110 §12.5.2: charsets are case-insensitive and their order carries no preference.
    [Fact]
    public void AcceptCharset_CaseAndOrder_AreNormalised_Section4_1()
    {
        Assert.True(Match("Accept-Charset", Http.Headers(("Accept-Charset", "UTF-8, iso-8859-1;q=0.5")), Http.Headers(("Accept-Charset", "iso-8859-1;q=0.5,utf-8"))));
    }

    // A member that does not parse leaves the whole value to the generic rule: no guess at its meaning.
    [Fact]
    public void UnreadableWeightedList_IsOnlyTrimmed_Section4_1()
    {
        Assert.True(Match("Accept-Encoding", Http.Headers(("Accept-Encoding", "gzip;q=2, br")), Http.Headers(("Accept-Encoding", " gzip;q=2, br "))));
        Assert.False(Match("Accept-Encoding", Http.Headers(("Accept-Encoding", "gzip;q=2, br")), Http.Headers(("Accept-Encoding", "br, gzip;q=2"))));
    }

    // §4.1 with RFC 9110 §5.3: for a field Gatehouse does not know, only trimming and combining field lines.
    [Fact]
    public void UnknownField_LinesAreTrimmedAndCombined_NothingElse_Section4_1()
    {
        Assert.True(Match("X-Flavour", Http.Headers(("X-Flavour", " a "), ("X-Flavour", "b")), Http.Headers(("X-Flavour", "a, b"))));
        Assert.False(Match("X-Flavour", Http.Headers(("X-Flavour", "a,b")), Http.Headers(("X-Flavour", "a, b"))));
        Assert.False(Match("User-Agent", Http.Headers(("User-Agent", "x (KHTML,like Gecko)")), Http.Headers(("User-Agent", "x (KHTML, like Gecko)"))));
    }

    [Theory]
    [InlineData("accept-encoding", "BR;Q=0.50, gzip, Identity;q=0", "gzip, br;q=0.5, identity;q=0")]
    [InlineData("accept-language", "fr;q=0.8, EN-us, en;q=0.800", "en-us, fr;q=0.8, en;q=0.8")]
    [InlineData("accept", "*/*;q=0.1, Text/Html; Charset=UTF-8", "text/html;charset=UTF-8, */*;q=0.1")]
    [InlineData("accept", "text/html;q=0.5;ext=1", "text/html;q=0.5;ext=1")]
    [InlineData("accept", "text/html;q=0.5;ext=1, image/png;ext=2, text/plain;q=0.9", "image/png;ext=2, text/plain;q=0.9, text/html;q=0.5;ext=1")]
    [InlineData("accept", "text/html;Q=1;Ext=1", "text/html;q=1;ext=1")]
    [InlineData("x-other", "  A,B  ", "A,B")]
    public void CanonicalSpellings_Section4_1(string name, string value, string expected)
    {
        Assert.Equal(expected, VaryFieldValue.Normalise(name, value));
    }

    [Fact]
    public void VaryFieldNames_AreCaseInsensitiveUnorderedAndDeduplicated()
    {
        var request = Http.Headers(("Accept", "a"), ("Accept-Language", "en"));

        Assert.Equal(Key("Accept, Accept-Language", request), Key("accept-language, ACCEPT, Accept", request));
    }

    [Fact]
    public void VaryAcrossFieldLines_IsOneList()
    {
        var request = Http.Headers(("Accept", "a"), ("Accept-Language", "en"));

        Assert.Equal(Key("Accept, Accept-Language", request), Key(new StringValues(["Accept", "Accept-Language"]), request));
    }

    [Fact]
    public void ValuesCannotForgeAnotherField()
    {
        // A value cannot contain a line break, which separates fields in the key.
        Assert.NotEqual(
            Key("A, B", Http.Headers(("A", "1"), ("B", "2"))),
            Key("A, B", Http.Headers(("A", "1, b=2"))));
    }

    private static string Key(StringValues vary, HeaderDictionary request)
    {
        Assert.True(VaryKey.TryCompute(vary, request, out var key));
        return key;
    }
}
