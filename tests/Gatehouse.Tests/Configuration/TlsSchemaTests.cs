using System.Text.Json;
using Gatehouse.Configuration;
using Gatehouse.Lifecycle;

namespace Gatehouse.Tests.Configuration;

/// <summary>The schema's TLS choices are exactly those the validator accepts.</summary>
public class TlsSchemaTests
{
    private static JsonElement Definitions() => JsonDocument.Parse(File.ReadAllText(RepositoryFiles.SchemaPath)).RootElement.GetProperty("$defs");

    private static string[] Enum(string definition, string setting) =>
        Definitions().GetProperty(definition).GetProperty("properties").GetProperty(setting).GetProperty("enum").EnumerateArray().Select(e => e.GetString()!).Order(StringComparer.Ordinal).ToArray();

    [Fact]
    public void ClientCertificateModes_MatchTheCode() =>
        Assert.Equal([ClientCertificateModes.Allow, ClientCertificateModes.None, ClientCertificateModes.Require], Enum("clientCertificate", "mode"));

    [Fact]
    public void MinProtocols_AreAllAcceptedByTheValidator()
    {
        foreach (var version in Enum("tls", "minProtocol"))
        {
            var errors = ConfigValidator.Validate(new GatehouseConfig { Listeners = [new ListenerDefinition { Port = 1 }], Tls = new TlsDefinition { MinProtocol = version } });
            Assert.DoesNotContain(errors, e => e.Path == "tls.minProtocol");
        }

        Assert.Equal([TlsProtocolNames.Tls12, TlsProtocolNames.Tls13], Enum("tls", "minProtocol"));
    }
}
