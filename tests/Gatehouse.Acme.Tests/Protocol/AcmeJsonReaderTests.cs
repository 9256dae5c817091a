using System.Text.Json;
using System.Text.Json.Serialization;
using Gatehouse.Acme.Protocol;

namespace Gatehouse.Acme.Tests.Protocol;

/// <summary>
/// What the source-generated reader must keep from the reflection-based one it replaced: the Web defaults, and a
/// member the server leaves out keeping its initializer while an explicit null stays null.
/// </summary>
public sealed class AcmeJsonReaderTests
{
    private static readonly Uri Url = new("https://ca.example/acme/order/1");

    [Fact]
    public void Context_HasTheWebDefaults_AndLeavesNullsOutWhenWriting()
    {
        var options = AcmeJsonContext.Default.Options;

        Assert.True(options.PropertyNameCaseInsensitive);
        Assert.Same(JsonNamingPolicy.CamelCase, options.PropertyNamingPolicy);
        Assert.Equal(JsonNumberHandling.AllowReadingFromString, options.NumberHandling);
        Assert.Equal(JsonIgnoreCondition.WhenWritingNull, options.DefaultIgnoreCondition);
    }

    [Fact]
    public void Order_MemberNamesAreCaseInsensitive()
    {
        var order = AcmeJsonReader.Order("""
            {"Status":"ready","FINALIZE":"https://ca.example/finalize/1","Identifiers":[{"Type":"dns","VALUE":"a.example"}],"authorizations":["https://ca.example/authz/1"]}
            """, Url);

        Assert.Equal(AcmeStatus.Ready, order.Status);
        Assert.Equal(new Uri("https://ca.example/finalize/1"), order.Finalize);
        Assert.Equal(new AcmeIdentifier("dns", "a.example"), Assert.Single(order.Identifiers));
        Assert.Equal(Url, order.Url);
    }

    [Fact]
    public void Problem_StatusMayBeANumberInAString()
    {
        var problem = AcmeJsonReader.Problem("""{"type":"urn:ietf:params:acme:error:rateLimited","status":"429","subproblems":[{"status":400}]}""");

        Assert.Equal(429, problem!.Status);
        Assert.Equal(400, Assert.Single(problem.Subproblems!).Status);
        Assert.Null(AcmeJsonReader.Problem("[1]"));
    }

    [Fact]
    public void Order_MissingLists_ReadAsEmpty_ButExplicitNullIsRefused()
    {
        var order = AcmeJsonReader.Order("""{"status":"valid","finalize":"https://ca.example/finalize/1"}""", Url);

        Assert.Empty(order.Identifiers);
        Assert.Empty(order.Authorizations);
        Assert.Throws<AcmeException>(() => AcmeJsonReader.Order(
            """{"status":"valid","finalize":"https://ca.example/finalize/1","identifiers":null,"authorizations":[]}""", Url));
    }

    [Fact]
    public void Authorization_MissingIdentifierAndChallenges_KeepTheirDefaults_ButExplicitNullIsRefused()
    {
        var authorization = AcmeJsonReader.Authorization("""{"status":"pending"}""", Url);

        Assert.Equal(new AcmeIdentifier("dns", ""), authorization.Identifier);
        Assert.Empty(authorization.Challenges);
        Assert.Throws<AcmeException>(() => AcmeJsonReader.Authorization("""{"status":"pending","challenges":null}""", Url));
        Assert.Throws<AcmeException>(() => AcmeJsonReader.Authorization("""{"status":"pending","challenges":[null]}""", Url));
    }

    [Fact]
    public void Authorization_CarriesTheChallengesAndTheirProblems()
    {
        var authorization = AcmeJsonReader.Authorization("""
            {"status":"invalid","identifier":{"type":"dns","value":"a.example"},"wildcard":true,"challenges":[
              {"type":"http-01","url":"https://ca.example/chall/1","status":"invalid","token":"tok",
               "error":{"type":"urn:ietf:params:acme:error:connection","detail":"refused","status":400}}]}
            """, Url);

        var challenge = Assert.Single(authorization.Challenges);
        Assert.True(authorization.Wildcard);
        Assert.Equal("tok", challenge.Token);
        Assert.Equal("connection", challenge.Error!.ShortType);
        Assert.Equal(400, challenge.Error.Status);
    }
}
