using System.Diagnostics;

namespace Gatehouse.FunctionalTests.Infrastructure;

/// <summary>A program run to completion with its output captured, killed (with its children) if it outlives its time.</summary>
public static class ProcessRunner
{
    private static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(60);

    public static Task<(int ExitCode, string Stdout, string Stderr)> RunAsync(
        string file, string[] args, TimeSpan? timeout = null, params (string Name, string Value)[] environment) =>
        RunAsync(StartInfo(file, args, environment), timeout);

    public static async Task<(int ExitCode, string Stdout, string Stderr)> RunAsync(ProcessStartInfo info, TimeSpan? timeout = null)
    {
        using var process = Process.Start(info)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        try
        {
            await process.WaitForExitAsync().WaitAsync(timeout ?? DefaultTimeout);
        }
        catch (TimeoutException)
        {
            process.Kill(entireProcessTree: true);
            throw;
        }

        return (process.ExitCode, await stdout, await stderr);
    }

    /// <summary><paramref name="file"/> with its arguments and extra environment variables, output redirected.</summary>
    public static ProcessStartInfo StartInfo(string file, string[] args, params (string Name, string Value)[] environment)
    {
        var info = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var arg in args)
        {
            info.ArgumentList.Add(arg);
        }

        foreach (var (name, value) in environment)
        {
            info.Environment[name] = value;
        }

        return info;
    }
}
