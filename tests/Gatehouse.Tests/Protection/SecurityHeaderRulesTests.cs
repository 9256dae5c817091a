using Gatehouse.Configuration;
using Gatehouse.Protection;
using Microsoft.AspNetCore.Http;

namespace Gatehouse.Tests.Protection;

public class SecurityHeaderRulesTests
{
    private static HeaderDictionary Apply(SecurityHeaderRules rules, params (string Name, string Value)[] backend)
    {
        var headers = new HeaderDictionary();
        foreach (var (name, value) in backend)
        {
            headers[name] = value;
        }

        rules.ApplyTo(headers);
        return headers;
    }

    [Fact]
    public void Defaults_AreNosniffAndAStrictReferrerPolicy()
    {
        var headers = Apply(SecurityHeaderRules.Defaults);

        Assert.Equal("nosniff", headers["X-Content-Type-Options"]);
        Assert.Equal("strict-origin-when-cross-origin", headers["Referrer-Policy"]);
        Assert.False(headers.ContainsKey("Strict-Transport-Security"));
    }

    [Fact]
    public void AHeaderTheBackendSet_IsKept()
    {
        var headers = Apply(SecurityHeaderRules.Defaults, ("Referrer-Policy", "no-referrer"));

        Assert.Equal("no-referrer", headers["Referrer-Policy"]);
    }

    [Fact]
    public void RouteOverGlobalOverDefaults_ByName_AndAnEmptyValueTurnsAHeaderOff()
    {
        var global = SecurityHeaderRules.Defaults.Over(new SecurityHeadersDefinition
        {
            Set = new Dictionary<string, string> { ["X-Frame-Options"] = "DENY", ["referrer-policy"] = "no-referrer" },
            Remove = ["X-Runtime"],
        });
        var route = global.Over(new SecurityHeadersDefinition
        {
            Set = new Dictionary<string, string> { ["X-Frame-Options"] = "SAMEORIGIN", ["X-Content-Type-Options"] = "" },
            Remove = ["X-Debug"],
        });

        var headers = Apply(route, ("X-Runtime", "12ms"), ("X-Debug", "1"), ("X-Kept", "yes"));

        Assert.Equal("SAMEORIGIN", headers["X-Frame-Options"]);
        Assert.Equal("no-referrer", headers["Referrer-Policy"]);
        Assert.False(headers.ContainsKey("X-Content-Type-Options"));
        Assert.False(headers.ContainsKey("X-Runtime"));
        Assert.False(headers.ContainsKey("X-Debug"));
        Assert.Equal("yes", headers["X-Kept"]);
    }

    [Fact]
    public void RemoveAndSetTogether_ReplaceTheBackendsValue()
    {
        var rules = SecurityHeaderRules.Defaults.Over(new SecurityHeadersDefinition
        {
            Set = new Dictionary<string, string> { ["Cache-Control"] = "no-store" },
            Remove = ["Cache-Control"],
        });

        Assert.Equal("no-store", Apply(rules, ("Cache-Control", "public, max-age=600"))["Cache-Control"]);
    }

    [Fact]
    public void NothingConfigured_KeepsTheSameRules()
    {
        Assert.Same(SecurityHeaderRules.Defaults, SecurityHeaderRules.Defaults.Over(new SecurityHeadersDefinition()));
    }
}
