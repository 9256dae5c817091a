namespace Gatehouse.Caching.Tests.Rfc8941;

/// <summary>RFC 8941 §4.2.2 Parsing a Dictionary: the syntax of targeted fields (RFC 9213 §2.1).</summary>
public class Rfc8941_DictionaryTests
{
    private static List<StructuredMember> Parse(string text)
    {
        Assert.True(StructuredDictionary.TryParse(text, out var members), text);
        return members;
    }

    [Fact]
    public void AllBareItemTypes()
    {
        var members = Parse("a, b=?0, c=42, d=-1.25, e=\"s \\\"q\\\" \\\\\", f=tok/en:x, g=:AQID:, h=(1 \"x\");p, i=*star");

        Assert.Equal(
            [
                new StructuredMember("a", StructuredKind.Boolean, "", true),
                new StructuredMember("b", StructuredKind.Boolean, "", false),
                new StructuredMember("c", StructuredKind.Integer, "42", false),
                new StructuredMember("d", StructuredKind.Decimal, "-1.25", false),
                new StructuredMember("e", StructuredKind.String, "s \"q\" \\", false),
                new StructuredMember("f", StructuredKind.Token, "tok/en:x", false),
                new StructuredMember("g", StructuredKind.ByteSequence, "AQID", false),
                new StructuredMember("h", StructuredKind.InnerList, "", false),
                new StructuredMember("i", StructuredKind.Token, "*star", false),
            ],
            members);
    }

    [Fact]
    public void Parameters_AreParsedAndDropped()
    {
        Assert.Equal([new StructuredMember("a", StructuredKind.Integer, "1", false), new StructuredMember("b", StructuredKind.Boolean, "", true)], Parse("a=1;x;y=\"z\", b;q=2"));
    }

    [Fact]
    public void RepeatedKey_LastValueWins()
    {
        Assert.Equal([new StructuredMember("a", StructuredKind.Integer, "2", false)], Parse("a=1, a=2"));
    }

    [Fact]
    public void Whitespace_AroundMembers()
    {
        Assert.Equal(2, Parse("  a=1 ,\tb=2  ").Count);
        Assert.Empty(Parse(""));
    }

    [Theory]
    [InlineData("A=1")]
    [InlineData("1a=1")]
    [InlineData("a=1,")]
    [InlineData("a=1,,b")]
    [InlineData("a=\"unterminated")]
    [InlineData("a=\"bad \\n escape\"")]
    [InlineData("a=1234567890123456")]
    [InlineData("a=1.2345")]
    [InlineData("a=1234567890123.5")]
    [InlineData("a=1.")]
    [InlineData("a=?2")]
    [InlineData("a=:bad*:")]
    [InlineData("a=(1 2")]
    [InlineData("a=(1,2)")]
    [InlineData("a=1 b=2")]
    [InlineData("a=é")]
    [InlineData("a=1;B=2")]
    public void Invalid_Fails(string text)
    {
        Assert.False(StructuredDictionary.TryParse(text, out _));
    }
}
