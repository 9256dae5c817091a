using Gatehouse.FunctionalTests.Infrastructure;

namespace Gatehouse.FunctionalTests.Tls;

/// <summary>Configs with an HTTPS listener (listeners[0]) and a plain one (listeners[1]) in front of one backend.</summary>
public static class TlsConfigs
{
    public static string Certificate((string Certificate, string Key) files, bool isDefault = false) =>
        $$"""{ "certificate": "{{files.Certificate}}", "key": "{{files.Key}}"{{(isDefault ? ", \"default\": true" : "")}} }""";

    public static string Https(TestBackend backend, IEnumerable<string> certificates, string listenerTls = "{}", string tlsExtra = "", string clusterExtra = "") => $$"""
        {
          "listeners": [
            { "address": "127.0.0.1", "port": 0, "tls": {{listenerTls}} },
            { "address": "127.0.0.1", "port": 0 }
          ],
          "accessLog": { "enabled": false },
          "routes": { "all": { "clusterId": "c", "match": { "pathPrefix": "/" } } },
          "clusters": {
            "c": {
              {{(clusterExtra.Length > 0 ? clusterExtra + "," : "")}}
              "destinations": { "d": { "address": "{{backend.Address}}" } }
            }
          },
          "tls": {
            {{(tlsExtra.Length > 0 ? tlsExtra + "," : "")}}
            "certificates": [ {{string.Join(", ", certificates)}} ]
          }
        }
        """;
}
