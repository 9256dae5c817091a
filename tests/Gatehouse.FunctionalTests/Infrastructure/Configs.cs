namespace Gatehouse.FunctionalTests.Infrastructure;

/// <summary>Builds config JSON for tests: one loopback port-0 listener, a catch-all route, one cluster.</summary>
public static class Configs
{
    /// <summary>
    /// Writes <paramref name="json"/> as gatehouse.json alone in a new folder under the temp directory (Gatehouse
    /// watches its config's folder), for a test that runs the executable; returns the file's path.
    /// </summary>
    public static async Task<string> WriteAloneAsync(string json)
    {
        var directory = Path.Combine(Path.GetTempPath(), "gatehouse-tests", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(directory);
        var path = Path.Combine(directory, "gatehouse.json");
        await File.WriteAllTextAsync(path, json);
        return path;
    }

    public static string Destinations(params (string Id, TestBackend Backend, int Weight)[] destinations) =>
        string.Join(",\n", destinations.Select(d => $$"""      "{{d.Id}}": { "address": "{{d.Backend.Address}}", "weight": {{d.Weight}} }"""));

    public static string Destinations(params TestBackend[] backends) =>
        Destinations(backends.Select(b => (b.Name, b, 1)).ToArray());

    /// <summary>A whole config with one cluster "c"; <paramref name="clusterExtra"/> is JSON members added to the cluster.</summary>
    public static string SingleCluster(string destinationsJson, string clusterExtra = "", string routeExtra = "", string rootExtra = "") => $$"""
        {
          "listeners": [ { "address": "127.0.0.1", "port": 0 } ],
          "accessLog": { "enabled": false },
          "routes": { "all": { "clusterId": "c", "match": { "pathPrefix": "/" } {{routeExtra}} } },
          "clusters": {
            "c": {
              {{(clusterExtra.Length > 0 ? clusterExtra + "," : "")}}
              "destinations": {
        {{destinationsJson}}
              }
            }
          }
          {{rootExtra}}
        }
        """;
}
