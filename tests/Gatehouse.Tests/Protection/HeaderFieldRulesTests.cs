using System.Text;
using Gatehouse.Protection;

namespace Gatehouse.Tests.Protection;

public class HeaderFieldRulesTests
{
    [Theory]
    [InlineData("Host", true)]
    [InlineData("X-Forwarded-For", true)]
    [InlineData("x_custom.header~1", true)]
    [InlineData("", false)]
    [InlineData("X(A)", false)]
    [InlineData("X@A", false)]
    [InlineData("Transfer-Encoding ", false)]
    [InlineData("X:A", false)]
    public void IsValidName_IsARfc9110Token(string name, bool valid) => Assert.Equal(valid, HeaderFieldRules.IsValidName(name));

    [Theory]
    [InlineData("text/html; q=0.9", true)]
    [InlineData("a\tb", true)]
    [InlineData("caf\u00e9", true)]
    [InlineData("", true)]
    [InlineData("a\0b", false)]
    [InlineData("a\rb", false)]
    [InlineData("a\nb", false)]
    [InlineData("a\u0001b", false)]
    [InlineData("a\u007fb", false)]
    public void IsValidValue_RefusesControlCharactersButHtab(string value, bool valid) =>
        Assert.Equal(valid, HeaderFieldRules.IsValidValue(Encoding.UTF8.GetBytes(value)));
}
