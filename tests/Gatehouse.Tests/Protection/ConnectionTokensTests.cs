using Gatehouse.Protection;

namespace Gatehouse.Tests.Protection;

public class ConnectionTokensTests
{
    [Theory]
    [InlineData("keep-alive")]
    [InlineData("close")]
    [InlineData("X-Foo")]
    [InlineData("X-Foo, X-Bar")]
    [InlineData("Upgrade, HTTP2-Settings")]
    [InlineData("keep-alive, Upgrade")]
    [InlineData("keep-alive, close, X-Foo")]
    public void PreserveNamedHeaders_ValuesKestrelDoesNotCollapse_AreUnchanged(string value) =>
        Assert.Same(value, ConnectionTokens.PreserveNamedHeaders(value));

    [Theory]
    [InlineData("keep-alive, X-Foo", "X-Foo")]
    [InlineData("X-Foo, Keep-Alive, X-Bar", "X-Foo, X-Bar")]
    [InlineData("keep-alive,X-Foo,keep-alive", "X-Foo")]
    [InlineData("close, X-Foo", "close, X-Foo, keep-alive")]
    [InlineData("X-Foo ,close", "X-Foo ,close, keep-alive")]
    public void PreserveNamedHeaders_OneKeywordWithOtherNames_KeepsTheNamesAndTheMeaning(string value, string expected) =>
        Assert.Equal(expected, ConnectionTokens.PreserveNamedHeaders(value));
}
