using Gatehouse.Admin;
using Gatehouse.Configuration;

namespace Gatehouse.Tests.Admin;

public sealed class ConfigRedactionTests
{
    [Fact]
    public void Redact_RemovesTokensPasswordHashesHmacKeysAndUrlCredentials_KeepsPathsAndTheRest()
    {
        var config = new GatehouseConfig
        {
            Admin = new AdminDefinition { Port = 9901, Token = "admin-secret" },
            Tls = new TlsDefinition
            {
                Certificates = [new CertificateFileDefinition { Certificate = "/etc/gh/site.pem", Key = "/etc/gh/site.key" }],
                Acme = new AcmeDefinition { ExternalAccountBinding = new ExternalAccountBindingDefinition { KeyId = "kid-1", HmacKey = "hmac-secret" } },
            },
            Routes = new Dictionary<string, RouteDefinition>
            {
                ["api"] = new()
                {
                    ClusterId = "c",
                    AccessControl = new RouteAccessControlDefinition
                    {
                        BasicAuth = new BasicAuthDefinition { Users = new Dictionary<string, string> { ["alice"] = "$pbkdf2-sha256$1$salt$hash" } },
                        ForwardAuth = new ForwardAuthDefinition { Address = "http://svc:svc-password@auth.internal/check" },
                    },
                    Transforms = [new Dictionary<string, string> { ["RequestHeader"] = "Authorization", ["Set"] = "Bearer backend-secret" }],
                },
            },
            Clusters = new Dictionary<string, ClusterDefinition>
            {
                ["c"] = new() { Destinations = new Dictionary<string, DestinationDefinition> { ["d1"] = new() { Address = "http://127.0.0.1:9001" } } },
            },
        };

        var text = ConfigRedaction.Redact(config).ToJsonString();

        foreach (var secret in new[] { "admin-secret", "hmac-secret", "pbkdf2", "svc-password", "backend-secret" })
        {
            Assert.DoesNotContain(secret, text, StringComparison.Ordinal);
        }

        foreach (var kept in new[] { "/etc/gh/site.key", "kid-1", "http://[redacted]@auth.internal/check", "http://127.0.0.1:9001", "\"alice\":\"[redacted]\"", "\"port\":9901" })
        {
            Assert.Contains(kept, text, StringComparison.Ordinal);
        }
    }

    [Theory]
    [InlineData("redis://:pw@cache:6379/0", "redis://[redacted]@cache:6379/0")]
    [InlineData("http://user@host/a@b", "http://[redacted]@host/a@b")]
    [InlineData("http://host/path?u=a@b", "http://host/path?u=a@b")]
    [InlineData("not a url", "not a url")]
    public void WithoutUserInfo_ReplacesOnlyTheAuthoritysUserInfo(string text, string expected) =>
        Assert.Equal(expected, ConfigRedaction.WithoutUserInfo(text));
}
