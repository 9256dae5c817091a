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
