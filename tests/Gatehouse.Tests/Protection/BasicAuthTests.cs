using System.Collections.Frozen;
using System.Text;
using Gatehouse.Configuration;
using Gatehouse.Protection;

namespace Gatehouse.Tests.Protection;

public class BasicAuthTests
{
    private static readonly BasicAuthSettings Settings = BasicAuthSettings.From(new BasicAuthDefinition
    {
        Realm = "Ops \"area\"",
        Users = new Dictionary<string, string> { ["alice"] = PasswordHash.Create("wonder:land", 1_000) },
    });

    private static string Basic(string credentials) => "Basic " + Convert.ToBase64String(Encoding.UTF8.GetBytes(credentials));

    [Fact]
    public async Task Authenticate_KnownUserRightPassword_ReturnsTheUser_AndPasswordsMayContainColons()
    {
        Assert.Equal("alice", await new BasicAuthChecker().AuthenticateAsync(Settings, Basic("alice:wonder:land")));
    }

    [Fact]
    public async Task Authenticate_RemembersOnlySuccess()
    {
        var checker = new BasicAuthChecker();

        Assert.Null(await checker.AuthenticateAsync(Settings, Basic("alice:wrong")));
        Assert.Equal("alice", await checker.AuthenticateAsync(Settings, Basic("alice:wonder:land")));
        Assert.Equal("alice", await checker.AuthenticateAsync(Settings, Basic("alice:wonder:land")));
        Assert.Null(await checker.AuthenticateAsync(Settings, Basic("alice:wrong")));
    }

    [Theory]
    [InlineData("alice:wrong")]
    [InlineData("bob:wonder:land")]
    [InlineData("ALICE:wonder:land")]
    [InlineData("alicewonderland")]
    public async Task Authenticate_WrongCredentials_AreRefused(string credentials)
    {
        Assert.Null(await new BasicAuthChecker().AuthenticateAsync(Settings, Basic(credentials)));
    }

    [Theory]
    [InlineData("")]
    [InlineData("Bearer abc")]
    [InlineData("Basic")]
    [InlineData("Basic !!!notbase64")]
    [InlineData("Basic /w==")]
    public void TryReadCredentials_RefusesMalformedHeaders(string header)
    {
        Assert.False(BasicAuthChecker.TryReadCredentials(header, out _, out _));
    }

    [Fact]
    public void TryReadCredentials_SchemeIsCaseInsensitive_AndUtf8()
    {
        Assert.True(BasicAuthChecker.TryReadCredentials("bAsIc " + Convert.ToBase64String(Encoding.UTF8.GetBytes("zoë:pässword")), out var user, out var password));
        Assert.Equal("zoë", user);
        Assert.Equal("pässword", password);
    }

    [Fact]
    public void TwoAuthorizationHeaders_AreRefused()
    {
        Assert.False(BasicAuthChecker.TryReadCredentials(new Microsoft.Extensions.Primitives.StringValues([Basic("alice:wonder:land"), Basic("alice:wonder:land")]), out _, out _));
    }

    [Fact]
    public void Challenge_QuotesTheRealm()
    {
        Assert.Equal("Basic realm=\"Ops \\\"area\\\"\", charset=\"UTF-8\"", Settings.Challenge);
        Assert.IsType<FrozenDictionary<string, string>>(Settings.Users, exactMatch: false);
    }

    [Fact]
    public void UnknownUsers_AreCheckedAgainstAHashAsSlowAsTheSlowestRealOne()
    {
        var settings = BasicAuthSettings.From(new BasicAuthDefinition
        {
            Users = new Dictionary<string, string> { ["a"] = PasswordHash.Create("x", 1_000), ["b"] = PasswordHash.Create("y", 3_000) },
        });

        Assert.Equal(3_000, settings.UnknownUserHash.Iterations);
        Assert.False(PasswordHash.Verify("", settings.UnknownUserHash));
    }
}
