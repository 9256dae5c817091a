using Gatehouse.Configuration;
using Gatehouse.Lifecycle;

namespace Gatehouse.Tests.Protection;

public class ProtectionValidationTests
{
    private static IReadOnlyList<ConfigError> Errors(string members, string routeMembers = "")
    {
        var result = ConfigLoader.Parse($$"""
            {
              "listeners": [ { "port": 0 } ],
              "routes": { "r": { "clusterId": "c", "match": { "pathPrefix": "/" } {{routeMembers}} } },
              "clusters": { "c": { "destinations": { "d": { "address": "http://127.0.0.1:9001" } } } }
              {{members}}
            }
            """);
        return result.Errors;
    }

    private static void AssertError(IReadOnlyList<ConfigError> errors, string path, string text) =>
        Assert.Contains(errors, e => e.Path == path && e.Message.Contains(text, StringComparison.Ordinal));

    [Fact]
    public void ValidProtectionConfig_HasNoErrors()
    {
        var errors = Errors(
            """
            , "trustedProxies": ["10.0.0.0/8", "::1"], "accessControl": { "deny": ["203.0.113.0/24"] },
            "rateLimits": { "p": { "algorithm": "tokenBucket", "permitLimit": 5, "key": "header:X-Api-Key" } }, "defaultRateLimit": "p",
            "securityHeaders": { "set": { "X-Frame-Options": "DENY" }, "remove": ["X-Runtime"] }
            """,
            """, "rateLimit": "none", "accessControl": { "methods": ["GET"], "forwardAuth": { "address": "http://127.0.0.1:9200/auth" } }""");

        Assert.Empty(errors);
    }

    [Fact]
    public void BadEntries_AreReportedWithTheirPaths()
    {
        var errors = Errors(
            """
            , "trustedProxies": ["10.0.0.1/8"], "accessControl": { "allow": ["nope"], "extra": 1 },
            "rateLimits": { "p": { "algorithm": "leakyBucket", "key": "query:x", "permitLimit": 0, "window": "0s", "queueLimit": -1, "exempt": ["1.2.3.4/40"] },
                            "q": { "algorithm": "fixedWindow" }, "none": { "algorithm": "fixedWindow", "permitLimit": 1 } },
            "defaultRateLimit": "nope",
            "securityHeaders": { "set": { "Bad Name": "x", "X-Ok": "a\nb" }, "remove": [""] }
            """,
            """, "rateLimit": "missing", "accessControl": { "methods": ["G T"], "basicAuth": { "users": { "a:b": "plain" } }, "forwardAuth": { "address": "auth:9000", "timeout": "soon" } }""");

        AssertError(errors, "trustedProxies[0]", "did you mean 10.0.0.0/8");
        AssertError(errors, "accessControl.allow[0]", "not an address or CIDR");
        AssertError(errors, "accessControl.extra", "unknown setting");
        AssertError(errors, "rateLimits.p.algorithm", "'leakyBucket' is not one of");
        AssertError(errors, "rateLimits.p.key", "'query:x'");
        AssertError(errors, "rateLimits.p.permitLimit", "at least 1");
        AssertError(errors, "rateLimits.p.window", "more than zero");
        AssertError(errors, "rateLimits.p.queueLimit", "negative");
        AssertError(errors, "rateLimits.p.exempt[0]", "prefix length");
        AssertError(errors, "rateLimits.q.permitLimit", "required");
        AssertError(errors, "rateLimits.none", "reserved");
        AssertError(errors, "defaultRateLimit", "no policy named 'nope'");
        AssertError(errors, "securityHeaders.set.Bad Name", "not a header name");
        AssertError(errors, "securityHeaders.set.X-Ok", "CR, LF");
        AssertError(errors, "securityHeaders.remove[0]", "not a header name");
        AssertError(errors, "routes.r.rateLimit", "no policy named 'missing'");
        AssertError(errors, "routes.r.accessControl.methods[0]", "not an HTTP method");
        AssertError(errors, "routes.r.accessControl.basicAuth.users.a:b", "without ':'");
        AssertError(errors, "routes.r.accessControl.basicAuth.users.a:b", "hash-password");
        AssertError(errors, "routes.r.accessControl.forwardAuth.address", "not an absolute http(s) URI");
        AssertError(errors, "routes.r.accessControl.forwardAuth.timeout", "not a duration");
    }
}
