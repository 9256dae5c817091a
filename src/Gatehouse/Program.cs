using Gatehouse.Cli;

return await GatehouseCli.Build().Parse(args).InvokeAsync();
