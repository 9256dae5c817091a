using Gatehouse.Forwarding;

namespace Gatehouse.Tests.Forwarding.FastCgi;

public sealed class FastCgiScriptTests
{
    private static readonly string[] Php = [".php"];

    // A document root: /index.php, /wp-login.php, /docs/ (with an index), /assets/ (without), /style.css.
    private static FileKind Root(string path) => path switch
    {
        "/index.php" or "/wp-login.php" or "/docs/index.php" or "/style.css" => FileKind.File,
        "/" or "/docs" or "/docs/" or "/assets" or "/assets/" => FileKind.Directory,
        _ => FileKind.None,
    };

    private static FastCgiResolution Resolve(string path, Func<string, FileKind>? probe = null) =>
        FastCgiScript.Resolve(path, "index.php", Php, probe ?? Root);

    [Fact]
    public void ExistingScript_RunsWithItsPathInfo()
    {
        Assert.Equal(new FastCgiResolution(FastCgiTarget.Script, "/wp-login.php", ""), Resolve("/wp-login.php"));
        Assert.Equal(new FastCgiResolution(FastCgiTarget.Script, "/index.php", "/a/b"), Resolve("/index.php/a/b"));
    }

    [Fact]
    public void SplitsAfterTheFirstExtensionEndingASegment_CaseInsensitively()
    {
        Assert.Equal(("/a.php", "/b.php/c"), FastCgiScript.Split("/a.php/b.php/c", Php));
        Assert.Equal(("/x.phpx/y.PHP", ""), FastCgiScript.Split("/x.phpx/y.PHP", Php));
        Assert.Equal(("", ""), FastCgiScript.Split("/static/app.js", Php));
    }

    [Fact]
    public void MissingScript_AndPathsThatNameNothing_GoToTheFrontController()
    {
        var front = new FastCgiResolution(FastCgiTarget.Script, "/index.php", "");
        Assert.Equal(front, Resolve("/missing.php"));
        Assert.Equal(front, Resolve("/2024/01/hello-world/"));
        Assert.Equal(front, Resolve("/assets/"));
        // An upload named like a script never runs as one (the cgi.fix_pathinfo attack): it names no script.
        Assert.Equal(front, Resolve("/uploads/avatar.jpg/x.php"));
    }

    [Fact]
    public void Directory_RunsItsIndex_AfterARedirectAddingTheSlash()
    {
        Assert.Equal(new FastCgiResolution(FastCgiTarget.Script, "/docs/index.php", ""), Resolve("/docs/"));
        Assert.Equal(new FastCgiResolution(FastCgiTarget.AddTrailingSlash, "/docs/", ""), Resolve("/docs"));
        Assert.Equal(new FastCgiResolution(FastCgiTarget.Script, "/index.php", ""), Resolve("/"));
    }

    [Fact]
    public void ExistingNonScriptFile_IsStatic() =>
        Assert.Equal(new FastCgiResolution(FastCgiTarget.StaticFile, "/style.css", ""), Resolve("/style.css"));

    [Theory]
    [InlineData("/../etc/passwd")]
    [InlineData("/a/./b.php")]
    [InlineData("/a\\..\\b.php")]
    [InlineData("/a\0.php")]
    [InlineData("relative.php")]
    public void PathsOutsideTheRoot_AreNotFound(string path) => Assert.Equal(FastCgiTarget.NotFound, Resolve(path).Target);

    [Fact]
    public void WithoutTryFiles_ScriptsRunAsNamed_AndEverythingElseGoesToTheIndex()
    {
        var none = FastCgiScript.Resolve("/anything.php/x", "index.php", Php, probe: null);
        Assert.Equal(new FastCgiResolution(FastCgiTarget.Script, "/anything.php", "/x"), none);
        Assert.Equal(new FastCgiResolution(FastCgiTarget.Script, "/app.php", ""), FastCgiScript.Resolve("/style.css", "app.php", Php, probe: null));
    }
}
