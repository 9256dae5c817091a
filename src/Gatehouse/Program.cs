using Gatehouse.Cli;
using Gatehouse.Hosting;

// Before any socket exists: .NET reads this switch when its socket engine starts.
InlineSocketCompletions.UseUnlessSet();
return await GatehouseCli.Build().Parse(args).InvokeAsync();
