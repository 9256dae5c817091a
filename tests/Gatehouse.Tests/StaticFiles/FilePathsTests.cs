using Gatehouse.StaticFiles;

namespace Gatehouse.Tests.StaticFiles;

/// <summary>
/// Request path to a path under the root. These see the path after Gatehouse's edge decoded it, so every spelling a
/// client could send decodes to one of these; each must stay under the root whatever the edge let through.
/// </summary>
public sealed class FilePathsTests
{
    [Theory]
    [InlineData("/app.js", "app.js")]
    [InlineData("/assets/app.3f2a.js", "assets/app.3f2a.js")]
    [InlineData("/a/b/c.txt", "a/b/c.txt")]
    [InlineData("/café.txt", "café.txt")]
    [InlineData("/name with spaces.txt", "name with spaces.txt")]
    [InlineData("/%41.txt", "%41.txt")] // already decoded once: a literal '%' is part of the name, never decoded again
    [InlineData("/a..b", "a..b")] // dots inside a name are not a dot segment
    [InlineData("/C:", "C:")] // a drive letter means nothing on Linux: a name under the root
    public void Files_MapUnderTheRoot(string path, string relative) =>
        Assert.Equal(new MappedPath(PathLookup.File, relative), FilePaths.Map(path, null, serveDotfiles: false));

    [Theory]
    [InlineData("/", "")]
    [InlineData("/docs/", "docs")]
    [InlineData("/a/b/", "a/b")]
    public void Folders_EndInASlash(string path, string relative) =>
        Assert.Equal(new MappedPath(PathLookup.Folder, relative), FilePaths.Map(path, null, serveDotfiles: false));

    [Theory]
    [InlineData("/..")]
    [InlineData("/../etc/passwd")]
    [InlineData("/a/../../etc/passwd")]
    [InlineData("/a/..")]
    [InlineData("/./a")]
    [InlineData("/a/./b")]
    [InlineData("/.")]
    [InlineData("//etc/passwd")] // an empty segment: never an absolute path
    [InlineData("/a//b")]
    [InlineData("/a\\..\\..\\etc\\passwd")] // backslashes, as Windows reads them
    [InlineData("/..\\etc")]
    [InlineData("/a\0.txt")] // NUL ends a C string: the name would be read as /a
    [InlineData("/a\r\n.txt")]
    [InlineData("/a\u007f")]
    [InlineData("")]
    [InlineData("etc/passwd")] // not a path at all
    [InlineData("C:/Windows/win.ini")]
    [InlineData("\\\\server\\share")]
    public void TraversalAndControlSpellings_AreRefused(string path) =>
        Assert.Equal(PathLookup.Refused, FilePaths.Map(path, null, serveDotfiles: true).Lookup);

    [Theory]
    [InlineData("/.env")]
    [InlineData("/.git/config")]
    [InlineData("/a/.htpasswd")]
    [InlineData("/.well-known/security.txt")]
    [InlineData("/.hidden/")]
    public void Dotfiles_AreHiddenByDefault_AndServedWhenAllowed(string path)
    {
        Assert.Equal(PathLookup.Refused, FilePaths.Map(path, null, serveDotfiles: false).Lookup);
        Assert.NotEqual(PathLookup.Refused, FilePaths.Map(path, null, serveDotfiles: true).Lookup);
    }

    [Theory]
    [InlineData("/app/main.js", "/app", PathLookup.File, "main.js")]
    [InlineData("/app/", "/app", PathLookup.Folder, "")]
    [InlineData("/app", "/app/", PathLookup.Folder, "")]
    [InlineData("/app/x/", "/app", PathLookup.Folder, "x")]
    [InlineData("/application.js", "/app", PathLookup.Refused, "")] // a prefix is whole segments
    [InlineData("/other/main.js", "/app", PathLookup.Refused, "")]
    [InlineData("/app/../secret", "/app", PathLookup.Refused, "")]
    public void StripPrefix_RemovesWholeSegments(string path, string prefix, PathLookup lookup, string relative) =>
        Assert.Equal(new MappedPath(lookup, relative), FilePaths.Map(path, prefix, serveDotfiles: false));

    [Theory]
    [InlineData("/srv/www", "/srv/www/a.txt", true)]
    [InlineData("/srv/www", "/srv/www/sub/a.txt", true)]
    [InlineData("/srv/www", "/srv/www", false)] // the root itself is no file
    [InlineData("/srv/www", "/srv/wwwx/a.txt", false)] // a sibling folder sharing the prefix
    [InlineData("/srv/www", "/etc/passwd", false)]
    [InlineData("/srv/www", "/srv/www/.git/config", false)] // a link may not lead to a dotfile either
    [InlineData("/srv/www", "/srv/www/a/.env", false)]
    [InlineData("/srv/www", null, false)] // the real path is unknown: refused
    [InlineData("/", "/etc/passwd", true)]
    public void RealPaths_MustBeInsideTheRealRoot(string root, string? real, bool inside) =>
        Assert.Equal(inside, OpenedFile.IsInside(root, real, serveDotfiles: false));

    [Theory]
    [InlineData("index.html", true)]
    [InlineData("default.htm", true)]
    [InlineData("a/index.html", false)]
    [InlineData("..", false)]
    [InlineData(".", false)]
    [InlineData("", false)]
    [InlineData("a\\b", false)]
    public void IndexNames_ArePlainNames(string name, bool plain) => Assert.Equal(plain, FilePaths.IsPlainName(name));
}
