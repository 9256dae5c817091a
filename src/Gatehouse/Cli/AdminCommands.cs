using System.CommandLine;
using System.Net;
using System.Text.Json;

namespace Gatehouse.Cli;

/// <summary>
/// The commands that talk to a running Gatehouse through its admin API: <c>status</c>, <c>destination
/// drain|disable|enable</c>, <c>reload</c> and <c>purge</c>. Each takes <c>--admin</c> and <c>--token</c> (or
/// <c>GATEHOUSE_ADMIN</c> and <c>GATEHOUSE_ADMIN_TOKEN</c>) and <c>--json</c> for the API's raw answer; errors are one
/// line on stderr and exit code 1.
/// </summary>
internal static class AdminCommands
{
    public static IEnumerable<Command> Build()
    {
        var status = new Command("status", "Show routes, clusters and each destination's health, requests in flight and drain state.");
        status.SetAction((parse, ct) => RunAsync(parse, HttpMethod.Get, "/status", StatusTable.Status, ct));

        var destination = new Command("destination", "Take a destination out of rotation or put it back (the state survives reloads).");
        foreach (var (name, description) in new[]
        {
            ("drain", "No new requests; the ones in flight finish. `gatehouse status` then shows draining, then drained."),
            ("disable", "No new requests (maintenance), like drain but reported as disabled."),
            ("enable", "Back in rotation."),
        })
        {
            var cluster = new Argument<string>("cluster") { Description = "The cluster id." };
            var id = new Argument<string>("destination") { Description = "The destination id." };
            var action = new Command(name, description) { cluster, id };
            action.SetAction((parse, ct) => RunAsync(parse, HttpMethod.Post,
                $"/destinations/{Uri.EscapeDataString(parse.GetValue(cluster)!)}/{Uri.EscapeDataString(parse.GetValue(id)!)}/{name}", StatusTable.Destination, ct));
            destination.Subcommands.Add(action);
        }

        var reload = new Command("reload", "Reload the config file now, like SIGHUP; print every error when it is refused.");
        reload.SetAction((parse, ct) => RunAsync(parse, HttpMethod.Post, "/config/reload",
            answer => $"config applied: revision {answer.GetProperty("revision").GetRawText()}\n", ct));

        var url = new Option<string>("--url") { Description = "Remove every stored variant of this URL." };
        var prefix = new Option<string>("--prefix") { Description = "Remove every entry whose URL starts with this." };
        var tag = new Option<string>("--tag") { Description = "Remove every entry with this tag (Cache-Tag)." };
        var purge = new Command("purge", "Remove responses from the HTTP cache at once: one of --url, --prefix or --tag.") { url, prefix, tag };
        purge.SetAction((parse, ct) =>
        {
            var given = new[] { ("url", parse.GetValue(url)), ("prefix", parse.GetValue(prefix)), ("tag", parse.GetValue(tag)) }.Where(g => !string.IsNullOrEmpty(g.Item2)).ToList();
            if (given.Count != 1)
            {
                Console.Error.WriteLine("gatehouse purge: give exactly one of --url, --prefix or --tag");
                return Task.FromResult(1);
            }

            return RunAsync(parse, HttpMethod.Post, $"/cache/purge?{given[0].Item1}={Uri.EscapeDataString(given[0].Item2!)}",
                answer => $"purged {answer.GetProperty("purged").GetRawText()} entries\n", ct);
        });

        foreach (var command in new[] { status, reload, purge }.Concat(destination.Subcommands))
        {
            AddConnectionOptions(command);
        }

        return [status, destination, reload, purge];
    }

    private static void AddConnectionOptions(Command command)
    {
        command.Options.Add(new Option<string>("--admin")
        {
            Description = $"The admin API: ADDRESS:PORT or a URL. Default: ${AdminClient.AddressVariable}, else {AdminClient.DefaultAddress}.",
        });
        command.Options.Add(new Option<string>("--token") { Description = $"The admin token. Default: ${AdminClient.TokenVariable}." });
        command.Options.Add(new Option<bool>("--json") { Description = "Print the admin API's JSON answer as it is." });
    }

    private static async Task<int> RunAsync(ParseResult parse, HttpMethod method, string path, Func<JsonElement, string> format, CancellationToken cancellationToken)
    {
        var name = "gatehouse " + string.Join(" ", CommandPath(parse));
        var addressText = parse.GetValue<string>("--admin") ?? Environment.GetEnvironmentVariable(AdminClient.AddressVariable) ?? AdminClient.DefaultAddress;
        if (AdminClient.ParseAddress(addressText) is not { } address)
        {
            await Console.Error.WriteLineAsync($"{name}: --admin '{addressText}' is not ADDRESS:PORT or an http(s) URL such as 127.0.0.1:9901");
            return 1;
        }

        var token = parse.GetValue<string>("--token") ?? Environment.GetEnvironmentVariable(AdminClient.TokenVariable);
        using var client = new AdminClient(address, token);
        try
        {
            var (status, body) = await client.SendAsync(method, path, cancellationToken);
            if (parse.GetValue<bool>("--json"))
            {
                await Console.Out.WriteLineAsync(JsonSerializer.Serialize(body, Admin.AdminJson.Options.GetTypeInfo(typeof(JsonElement))));
                return status is >= HttpStatusCode.OK and < HttpStatusCode.MultipleChoices ? 0 : 1;
            }

            if (status is >= HttpStatusCode.OK and < HttpStatusCode.MultipleChoices)
            {
                await Console.Out.WriteAsync(format(body));
                return 0;
            }

            await Console.Error.WriteLineAsync($"{name}: {ErrorLine(body, (int)status)}");
            return 1;
        }
        catch (AdminClientException ex)
        {
            await Console.Error.WriteLineAsync($"{name}: {ex.Message}");
            return 1;
        }
    }

    private static IEnumerable<string> CommandPath(ParseResult parse)
    {
        var names = new List<string>();
        for (var result = parse.CommandResult; result is not null && result.Command is not RootCommand; result = result.Parent as System.CommandLine.Parsing.CommandResult)
        {
            names.Insert(0, result.Command.Name);
        }

        return names;
    }

    /// <summary>
    /// The admin API's error as one line: its message, and the names it offers (the clusters or destinations that
    /// exist), or every config error of a refused reload.
    /// </summary>
    internal static string ErrorLine(JsonElement body, int status)
    {
        var message = body.TryGetProperty("error", out var error) ? error.GetString() : $"the admin API answered {status}";
        foreach (var list in new[] { "clusters", "destinations", "actions" })
        {
            if (body.TryGetProperty(list, out var names) && names.ValueKind == JsonValueKind.Array)
            {
                return $"{message}; {list}: {string.Join(", ", names.EnumerateArray().Select(n => n.GetString()))}";
            }
        }

        if (body.TryGetProperty("errors", out var errors) && errors.ValueKind == JsonValueKind.Array)
        {
            return $"config refused, still serving revision {body.GetProperty("revision").GetRawText()}:\n  "
                + string.Join("\n  ", errors.EnumerateArray().Select(e => e.GetString()));
        }

        return message ?? $"the admin API answered {status}";
    }
}
