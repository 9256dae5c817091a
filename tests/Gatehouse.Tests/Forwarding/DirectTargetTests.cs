using Gatehouse.Forwarding;
using Microsoft.AspNetCore.Http;
using Yarp.ReverseProxy.Forwarder;

namespace Gatehouse.Tests.Forwarding;

public sealed class DirectTargetTests
{
    [Theory]
    [InlineData("http://10.0.0.5:8080", "/items/42", "", "/items/42")]
    [InlineData("http://10.0.0.5:8080/", "/items/42", "?a=1&b=2", "/items/42?a=1&b=2")]
    [InlineData("http://10.0.0.5", "", "", "/")]
    [InlineData("http://10.0.0.5", "", "?x", "/?x")]
    [InlineData("http://10.0.0.5/base/", "/x", "", "/base/x")]
    [InlineData("http://10.0.0.5", "/caf\u00e9/a b", "?q=a%20b", "/caf%C3%A9/a%20b?q=a%20b")]
    [InlineData("http://10.0.0.5", "/a/./b/../c", "", "/a/c")]
    public void TheTarget_IsThePathAndQueryOfYarpsAddress(string prefix, string path, string query, string target) =>
        Assert.Equal(target, DirectTarget.For(prefix, new PathString(path), new QueryString(query)));

    /// <summary>Many generated paths and queries, each compared with the Uri the message path builds.</summary>
    [Fact]
    public void ForAnyPathAndQuery_TheTargetIsTheMessagePaths()
    {
        // Mostly what requests hold (where the target is made without a Uri), sometimes anything.
        const string usual = "aZ09-._~!$&'()*+,;=:@/%";
        const string alphabet = usual + "?#[]{}|\\^`\"<> \u00e9\u20ac%41%2f%7e%zz";
        var random = new Random(14);
        string[] prefixes = ["http://10.0.0.5:8080", "http://backend/", "http://[::1]:81", "http://h/p/", "http://h/p%2F/"];
        for (var i = 0; i < 20_000; i++)
        {
            var pathChars = random.Next(2) == 0 ? usual : alphabet.Replace("?", "").Replace("#", "");
            var path = "/" + Draw(random, pathChars, random.Next(0, 12));
            var query = random.Next(3) == 0 ? "" : "?" + Draw(random, random.Next(2) == 0 ? usual + "?" : alphabet, random.Next(0, 12));
            var prefix = prefixes[random.Next(prefixes.Length)];
            var expected = RequestUtilities.MakeDestinationAddress(prefix, new PathString(path), new QueryString(query)).PathAndQuery;

            Assert.True(expected == DirectTarget.For(prefix, new PathString(path), new QueryString(query)), $"{prefix} {path} {query}: expected {expected}");
        }
    }

    private static string Draw(Random random, string alphabet, int length) =>
        string.Create(length, (random, alphabet), static (span, state) =>
        {
            for (var i = 0; i < span.Length; i++)
            {
                span[i] = state.alphabet[state.random.Next(state.alphabet.Length)];
            }
        });
}
