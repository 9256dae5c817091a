using System.Net;
using Gatehouse.Protection;
using Microsoft.AspNetCore.Http;

namespace Gatehouse.Tests.Protection;

public class ForwardAuthRequestTests
{
    private static readonly ForwardAuthSettings AllHeaders = new(new Uri("http://127.0.0.1:9200/verify"), TimeSpan.FromSeconds(1), [], ["X-User"]);

    private static DefaultHttpContext Client()
    {
        var context = new DefaultHttpContext();
        context.Request.Method = "POST";
        context.Request.Scheme = "http";
        context.Request.Host = new HostString("shop.example");
        context.Request.Path = "/orders/7";
        context.Request.QueryString = new QueryString("?x=1");
        context.Request.Headers.Authorization = "Bearer t";
        context.Request.Headers.Cookie = "s=1";
        context.Request.Headers["X-Forwarded-For"] = "6.6.6.6";
        context.Request.Headers.Connection = "keep-alive";
        context.Request.ContentType = "application/json";
        context.Connection.RemoteIpAddress = IPAddress.Parse("198.51.100.1");
        return context;
    }

    private static string? Header(HttpRequestMessage request, string name) =>
        request.Headers.TryGetValues(name, out var values) ? string.Join(",", values) : null;

    [Fact]
    public void Subrequest_IsAGetWithTheClientsHeaders_AndGatehousesForwardedOnes()
    {
        using var request = ForwardAuthClient.BuildRequest(Client(), AllHeaders, null);

        Assert.Equal(HttpMethod.Get, request.Method);
        Assert.Null(request.Content);
        Assert.Equal("Bearer t", Header(request, "Authorization"));
        Assert.Equal("s=1", Header(request, "Cookie"));
        Assert.Equal("POST", Header(request, "X-Forwarded-Method"));
        Assert.Equal("http", Header(request, "X-Forwarded-Proto"));
        Assert.Equal("shop.example", Header(request, "X-Forwarded-Host"));
        Assert.Equal("/orders/7?x=1", Header(request, "X-Forwarded-Uri"));
        // Never the client's own claim.
        Assert.Equal("198.51.100.1", Header(request, "X-Forwarded-For"));
        Assert.Null(Header(request, "Connection"));
    }

    [Fact]
    public void RequestHeaders_WhenListed_AreTheOnlyClientHeadersSent()
    {
        var settings = AllHeaders with { RequestHeaders = ["Cookie"] };

        using var request = ForwardAuthClient.BuildRequest(Client(), settings, "198.51.100.1, 10.0.0.1");

        Assert.Equal("s=1", Header(request, "Cookie"));
        Assert.Null(Header(request, "Authorization"));
        Assert.Equal("198.51.100.1, 10.0.0.1", Header(request, "X-Forwarded-For"));
    }

    [Fact]
    public void AllowedAnswer_CopiesTheConfiguredHeaders_AndDropsClientSentOnes()
    {
        var target = new HeaderDictionary { ["X-User"] = "admin", ["X-Role"] = "root" };
        using var answer = new HttpResponseMessage(HttpStatusCode.OK);
        answer.Headers.Add("X-Role", "reader");

        ForwardAuthClient.CopyAllowedHeaders(target, answer, ["X-User"]);
        Assert.False(target.ContainsKey("X-User"));

        answer.Headers.Add("X-User", "alice");
        ForwardAuthClient.CopyAllowedHeaders(target, answer, ["X-User"]);
        Assert.Equal("alice", target["X-User"]);
        Assert.Equal("root", target["X-Role"]);
    }
}
