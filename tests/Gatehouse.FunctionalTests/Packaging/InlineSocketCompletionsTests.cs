using System.Net;
using Gatehouse.FunctionalTests.Infrastructure;
using Gatehouse.Hosting;

namespace Gatehouse.FunctionalTests.Packaging;

/// <summary>
/// The gatehouse executable turns inline socket completions on unless its environment says otherwise. .NET shows the
/// switch in its socket engine threads (".NET Sockets"): one per core with it on, one for up to 30 cores without it.
/// </summary>
public class InlineSocketCompletionsTests
{
    [Theory]
    [InlineData(null)]
    [InlineData("0")]
    public async Task TheExecutable_RunsOneSocketEngineThreadPerCore_UnlessTheEnvironmentTurnsItOff(string? setting)
    {
        Assert.True(Environment.ProcessorCount > 1, "one core runs one socket engine thread either way: nothing to tell apart");
        await using var backend = await TestBackend.StartAsync("b1");
        var port = TestBackend.UnusedPort();
        var configPath = await Configs.WriteAloneAsync($$"""
            {
              "listeners": [ { "address": "127.0.0.1", "port": {{port}} } ],
              "routes": { "r": { "clusterId": "c", "match": { "pathPrefix": "/" } } },
              "clusters": { "c": { "destinations": { "d1": { "address": "{{backend.Address}}" } } } }
            }
            """);
        await using var gatehouse = GatehouseProcess.Start(
            new Dictionary<string, string?> { [InlineSocketCompletions.Variable] = setting }, "run", "--config", configPath);
        await gatehouse.WaitForLineAsync("listening on", TimeSpan.FromSeconds(120));
        using (var client = new HttpClient())
        using (var response = await client.GetAsync(new Uri($"http://127.0.0.1:{port}/hello")))
        {
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        }

        var engines = Directory.GetDirectories($"/proc/{gatehouse.Id}/task")
            .Count(task => File.ReadAllText(Path.Combine(task, "comm")).StartsWith(".NET Sockets", StringComparison.Ordinal));
        Assert.Equal(setting == "0" ? 1 : Environment.ProcessorCount, engines);
    }
}
