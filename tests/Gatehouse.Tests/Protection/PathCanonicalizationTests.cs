using Gatehouse.Protection;

namespace Gatehouse.Tests.Protection;

public class PathCanonicalizationTests
{
    private static string Path(string target)
    {
        var result = PathCanonicalization.Canonicalize(target);
        Assert.False(result.IsRefused, $"{target}: refused ({result.Refusal})");
        return result.PathOf(target);
    }

    private static PathRefusal Refusal(string target) => PathCanonicalization.Canonicalize(target).Refusal;

    [Theory]
    [InlineData("/")]
    [InlineData("/admin")]
    [InlineData("/admin/")]
    [InlineData("/api/users/7")]
    [InlineData("/static/app.min.js")]
    [InlineData("/a-b_c~d/e!$&'()*+,=:@")]
    [InlineData("/ADMIN/")]
    public void AlreadyCanonical_IsTheRawPath_WithoutAllocating(string target)
    {
        var result = PathCanonicalization.Canonicalize(target);
        var before = GC.GetAllocatedBytesForCurrentThread();
        result = PathCanonicalization.Canonicalize(target);
        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        Assert.Equal(PathRefusal.None, result.Refusal);
        Assert.Null(result.Canonical);
        Assert.False(result.Restructured);
        Assert.Equal(0, allocated);
        Assert.Equal(target, result.PathOf(target));
    }

    [Theory]
    [InlineData("/.well-known/acme-challenge/x")]
    [InlineData("/a/.hidden")]
    [InlineData("/a/..b")]
    public void SegmentsStartingWithADot_AreNotDotSegments_AndStayAsTheyAre(string target)
    {
        var result = PathCanonicalization.Canonicalize(target);

        Assert.Equal(PathRefusal.None, result.Refusal);
        Assert.Null(result.Canonical);
        Assert.Equal(target, result.PathOf(target));
    }

    [Theory]
    [InlineData("/a?next=%2F..%2Fadmin", "/a")]
    [InlineData("/a?path=..\\x;y%00%zz", "/a")]
    [InlineData("/a/../b?x=//y", "/b")]
    [InlineData("/?", "/")]
    public void TheQuery_IsSplitOffAtTheFirstQuestionMark_AndNotTouched(string target, string path)
    {
        var result = PathCanonicalization.Canonicalize(target);

        Assert.Equal(path, result.PathOf(target));
        Assert.Equal(target.IndexOf('?', StringComparison.Ordinal), result.PathEnd);
    }

    [Theory]
    [InlineData("/a#frag")]
    [InlineData("/a?x#frag")]
    [InlineData("/a%23b#")]
    [InlineData("http://shop.example#x")]
    [InlineData("http://shop.example?q#x")]
    public void AFragment_IsRefused(string target) => Assert.Equal(PathRefusal.Fragment, Refusal(target));

    [Fact]
    public void AnEncodedHash_IsAnOrdinaryCharacter() => Assert.Equal("/a#b", Path("/a%23b"));

    [Theory]
    [InlineData("/caf%C3%A9", "/café")]
    [InlineData("/caf%c3%a9", "/café")]
    [InlineData("/%61dmin/", "/admin/")]
    [InlineData("/%7Euser/a%2Db", "/~user/a-b")]
    [InlineData("/a%20b", "/a b")]
    [InlineData("/100%25", "/100%")]
    [InlineData("/100%25.txt", "/100%.txt")]
    [InlineData("/a%25zz", "/a%zz")]
    [InlineData("/a%25", "/a%")]
    [InlineData("/a%252", "/a%2")]
    [InlineData("/a%3F", "/a?")]
    [InlineData("/%E2%82%AC", "/€")]
    [InlineData("/%F0%9F%98%80", "/😀")]
    public void Escapes_AreDecoded(string target, string path) => Assert.Equal(path, Path(target));

    [Theory]
    [InlineData("/a%")]
    [InlineData("/a%2")]
    [InlineData("/a%zz")]
    [InlineData("/a%2g/")]
    [InlineData("/a%%32%65")]
    public void ABadEscape_IsRefused(string target) => Assert.Equal(PathRefusal.BadEscape, Refusal(target));

    [Theory]
    [InlineData("/a/..%2fadmin")]
    [InlineData("/%2Fadmin")]
    [InlineData("/a%2F")]
    public void AnEncodedSlash_IsRefused(string target) => Assert.Equal(PathRefusal.EncodedSlash, Refusal(target));

    [Theory]
    [InlineData("/\\admin/")]
    [InlineData("/a/..\\admin")]
    [InlineData("/%5cadmin/")]
    [InlineData("/%5Cadmin/")]
    public void ABackslash_RawOrEncoded_IsRefused(string target) => Assert.Equal(PathRefusal.Backslash, Refusal(target));

    [Theory]
    [InlineData("/admin%00/")]
    [InlineData("/a%0d%0aX-Injected:%201")]
    [InlineData("/a%09")]
    [InlineData("/a%1F")]
    [InlineData("/a%7f")]
    [InlineData("/a\u0001")]
    [InlineData("/a\tb")]
    [InlineData("/a\u007f")]
    public void AControlByte_RawOrEncoded_IsRefused(string target) => Assert.Equal(PathRefusal.ControlCharacter, Refusal(target));

    [Fact]
    public void ARawSpace_IsRefused() => Assert.Equal(PathRefusal.InvalidCharacter, Refusal("/a b"));

    [Theory]
    [InlineData("/café", "/café")]
    [InlineData("/caf%C3%A9/😀", "/café/😀")]
    [InlineData("/x/../€//", "/€/")]
    public void RawNonAsciiCharacters_AreReadAsTheirUtf8Bytes(string target, string path) => Assert.Equal(path, Path(target));

    [Fact]
    public void ALoneSurrogate_IsRefused()
    {
        // Built here: theory data goes through UTF-8, which would replace a lone surrogate.
        Assert.Equal(PathRefusal.InvalidUtf8, Refusal("/a" + (char)0xD800));
        Assert.Equal(PathRefusal.InvalidUtf8, Refusal("/a" + (char)0xDC00 + "b"));
        Assert.Equal(PathRefusal.InvalidUtf8, Refusal("/a" + (char)0xDC00 + (char)0xD800));
    }

    [Theory]
    [InlineData("/x/%252e%252e/admin/")]
    [InlineData("/%252fadmin")]
    [InlineData("/a%2541")]
    [InlineData("/a%25%32%65")]
    [InlineData("/a%25%32e")]
    public void DoubleEncoding_IsRefused(string target) => Assert.Equal(PathRefusal.DoubleEncoding, Refusal(target));

    [Theory]
    [InlineData("/%c0%ae%c0%ae/admin/")]
    [InlineData("/x/%c0%ae%c0%ae/admin/")]
    [InlineData("/%c0%af")]
    [InlineData("/%e0%80%ae")]
    [InlineData("/%ed%a0%80")]
    [InlineData("/%c3")]
    [InlineData("/%c3/")]
    [InlineData("/%ff")]
    [InlineData("/%f4%90%80%80")]
    public void InvalidUtf8_IsRefused(string target) => Assert.Equal(PathRefusal.InvalidUtf8, Refusal(target));

    [Theory]
    [InlineData("//admin/", "/admin/")]
    [InlineData("///admin/", "/admin/")]
    [InlineData("/a//b", "/a/b")]
    [InlineData("/a/b//", "/a/b/")]
    [InlineData("//", "/")]
    public void RepeatedSlashes_AreMerged(string target, string path)
    {
        var result = PathCanonicalization.Canonicalize(target);

        Assert.Equal(path, result.PathOf(target));
        Assert.True(result.Restructured);
    }

    [Theory]
    [InlineData("/./admin/", "/admin/")]
    [InlineData("/%2e/admin/", "/admin/")]
    [InlineData("/x/%2E%2E/admin/", "/admin/")]
    [InlineData("/x/.%2e/admin/", "/admin/")]
    [InlineData("/a/b/../c", "/a/c")]
    [InlineData("/a/b/../../c", "/c")]
    [InlineData("/../admin", "/admin")]
    [InlineData("/../../..", "/")]
    [InlineData("/..", "/")]
    [InlineData("/.", "/")]
    [InlineData("/admin/.", "/admin/")]
    [InlineData("/admin/..", "/")]
    [InlineData("/admin/./", "/admin/")]
    [InlineData("/a/b/..", "/a/")]
    [InlineData("/a/./b/./c/.", "/a/b/c/")]
    public void DotSegments_AreResolved_KeepingATrailingSlash(string target, string path)
    {
        var result = PathCanonicalization.Canonicalize(target);

        Assert.Equal(path, result.PathOf(target));
        Assert.True(result.Restructured);
    }

    [Theory]
    // Slashes are merged first: "//.." removes "b", as nginx with merge_slashes reads it.
    [InlineData("/a/b//../c", "/a/c")]
    [InlineData("/public//../admin/", "/admin/")]
    [InlineData("//../admin", "/admin")]
    public void SlashesAreMergedBeforeDotSegmentsAreResolved(string target, string path) => Assert.Equal(path, Path(target));

    [Theory]
    [InlineData("/admin./")]
    [InlineData("/admin.")]
    [InlineData("/admin%2e/")]
    [InlineData("/admin%20/")]
    [InlineData("/admin%20")]
    [InlineData("/a/.../b")]
    [InlineData("/a/..%20/b")]
    [InlineData("/a/.%20/b")]
    [InlineData("/admin./../x")]
    public void ASegmentEndingInADotOrASpace_IsRefused(string target) => Assert.Equal(PathRefusal.TrailingDotOrSpace, Refusal(target));

    [Theory]
    [InlineData("/admin;x=y/")]
    [InlineData("/public/..;/admin/")]
    [InlineData("/cart;jsessionid=ABC")]
    [InlineData("/admin%3bx/")]
    [InlineData("/admin%3B")]
    public void ASemicolon_RawOrEncoded_IsRefused(string target) => Assert.Equal(PathRefusal.MatrixParameter, Refusal(target));

    [Theory]
    [InlineData("/ADMIN/")]
    [InlineData("/AdMiN/")]
    [InlineData("/%41dmin/")]
    public void Case_IsKept(string target) => Assert.Equal(target.Replace("%41", "A", StringComparison.Ordinal), Path(target));

    [Theory]
    [InlineData("http://shop.example/admin/", "/admin/", 19)]
    [InlineData("http://shop.example//admin/", "/admin/", 19)]
    [InlineData("https://shop.example:8443/a/../b?x=1", "/b", 25)]
    [InlineData("http://shop.example", "/", 19)]
    [InlineData("http://shop.example?x=/y", "/", 19)]
    [InlineData("HTTP://shop.example/%61", "/a", 19)]
    public void AbsoluteForm_TheSchemeAndAuthorityAreStripped(string target, string path, int start)
    {
        var result = PathCanonicalization.Canonicalize(target);

        Assert.Equal(path, result.PathOf(target));
        Assert.Equal(start, result.PathStart);
    }

    [Fact]
    public void AbsoluteForm_IsRefusedLikeOriginForm() => Assert.Equal(PathRefusal.MatrixParameter, Refusal("http://shop.example/admin;x/"));

    [Theory]
    [InlineData("*")]
    [InlineData("shop.example:443")]
    public void TargetsWithoutAPath_AreLeftAlone(string target)
    {
        var result = PathCanonicalization.Canonicalize(target);

        Assert.False(result.IsPath);
        Assert.False(result.IsRefused);
    }

    [Fact]
    public void Http2Path_IsOriginForm() => Assert.Equal("/admin/", Path("//admin/?a=b"));

    [Theory]
    [InlineData("/%7Euser/a%2Db", false)]
    [InlineData("/a/%2e/b", true)]
    [InlineData("/a//b", true)]
    [InlineData("/a/", false)]
    [InlineData("/a/b%20c", false)]
    public void Restructured_TellsWhetherMoreThanTheEncodingChanged(string target, bool restructured) =>
        Assert.Equal(restructured, PathCanonicalization.Canonicalize(target).Restructured);

    [Fact]
    public void ALongPath_IsCanonicalisedOutsideTheStack()
    {
        var segment = string.Concat(Enumerable.Repeat("%61", 200));
        var target = "/x//" + segment + "/../" + segment + "/";
        var expected = "/x/" + new string('a', 200) + "/";

        Assert.Equal(expected, Path(target));
    }

    [Fact]
    public void PathOf_ARefusedTarget_Throws() =>
        Assert.Throws<InvalidOperationException>(() => PathCanonicalization.Canonicalize("/a;b").PathOf("/a;b"));
}
