using Gatehouse.Protection;

namespace Gatehouse.Tests.Protection;

public class PathNormalizationTests
{
    [Theory]
    [InlineData("/")]
    [InlineData("/api/users/7")]
    [InlineData("/search/100%25")]
    [InlineData("/caf%C3%A9")]
    [InlineData("/a/%2e%2e/b")]
    [InlineData("/a?next=%2F..%2Fadmin")]
    [InlineData("/a?path=..\\x")]
    [InlineData("/a#frag%2F")]
    [InlineData("http://shop.example/a")]
    [InlineData("*")]
    [InlineData("/ends-with-percent%")]
    [InlineData("/short%2")]
    public void IsSafeTarget_OrdinaryTargets_AreSafe(string target) => Assert.True(PathNormalization.IsSafeTarget(target));

    [Theory]
    [InlineData("/a/..%2fadmin")]
    [InlineData("/a/..%2Fadmin")]
    [InlineData("/a/..%5cadmin")]
    [InlineData("/a/..%5Cadmin")]
    [InlineData("/a/..\\admin")]
    [InlineData("/a%25/%2f")]
    [InlineData("/%2F")]
    public void IsSafeTarget_EncodedSlashOrBackslashInThePath_IsRefused(string target) => Assert.False(PathNormalization.IsSafeTarget(target));
}
