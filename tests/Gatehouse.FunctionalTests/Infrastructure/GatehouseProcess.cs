using System.Diagnostics;
using System.Threading.Channels;

namespace Gatehouse.FunctionalTests.Infrastructure;

/// <summary>The real <c>gatehouse</c> executable (gatehouse.dll next to the tests) run as a child process.</summary>
public sealed class GatehouseProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly Channel<string> _stderr = Channel.CreateUnbounded<string>();
    private readonly List<string> _stderrSeen = [];

    private GatehouseProcess(Process process)
    {
        _process = process;
    }

    public int Id => _process.Id;

    public static string Executable => Path.Combine(AppContext.BaseDirectory, "gatehouse.dll");

    /// <summary>Runs gatehouse to completion and returns its exit code and output.</summary>
    public static Task<(int ExitCode, string Stdout, string Stderr)> RunToEndAsync(params string[] args) =>
        ProcessRunner.RunAsync(StartInfo(args));

    /// <summary>Runs gatehouse to completion with these environment variables set (a null value removes the variable).</summary>
    public static Task<(int ExitCode, string Stdout, string Stderr)> RunToEndAsync(IReadOnlyDictionary<string, string?> environment, params string[] args) =>
        ProcessRunner.RunAsync(WithEnvironment(StartInfo(args), environment));

    public static GatehouseProcess Start(params string[] args) => Start(StartInfo(args));

    /// <summary>Starts gatehouse.dll with these environment variables set (a null value removes the variable).</summary>
    public static GatehouseProcess Start(IReadOnlyDictionary<string, string?> environment, params string[] args) =>
        Start(WithEnvironment(StartInfo(args), environment));

    /// <summary>Starts a published executable (<see cref="NativeBuild"/>) rather than gatehouse.dll under dotnet.</summary>
    public static GatehouseProcess StartExecutable(string executable, params string[] args) => Start(StartInfo(args, executable));

    /// <summary>Runs a published executable to completion.</summary>
    public static Task<(int ExitCode, string Stdout, string Stderr)> RunExecutableToEndAsync(string executable, params string[] args) =>
        ProcessRunner.RunAsync(StartInfo(args, executable));

    private static GatehouseProcess Start(ProcessStartInfo info)
    {
        var process = Process.Start(info)!;
        var running = new GatehouseProcess(process);
        process.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is { } line)
            {
                running._stderr.Writer.TryWrite(line);
            }
            else
            {
                // stderr closed: the process has exited, and a wait for a line fails now rather than at its timeout.
                running._stderr.Writer.TryComplete();
            }
        };
        process.OutputDataReceived += (_, _) => { };
        process.BeginErrorReadLine();
        process.BeginOutputReadLine();
        return running;
    }

    /// <summary>Waits for a stderr line containing <paramref name="text"/>; returns it.</summary>
    public async Task<string> WaitForLineAsync(string text, TimeSpan? timeout = null)
    {
        using var cts = new CancellationTokenSource(timeout ?? TimeSpan.FromSeconds(30));
        try
        {
            while (true)
            {
                var line = await _stderr.Reader.ReadAsync(cts.Token);
                _stderrSeen.Add(line);
                if (line.Contains(text, StringComparison.Ordinal))
                {
                    return line;
                }
            }
        }
        catch (OperationCanceledException)
        {
            throw new TimeoutException($"no line with '{text}' on stderr; saw:\n{string.Join("\n", _stderrSeen)}");
        }
        catch (ChannelClosedException)
        {
            await _process.WaitForExitAsync();
            throw new InvalidOperationException(
                $"gatehouse exited with code {_process.ExitCode} before writing a line with '{text}'; its stderr:\n{string.Join("\n", _stderrSeen)}");
        }
    }

    public void Signal(int signal) => Assert.Equal(0, Kill(_process.Id, signal));

    public async Task<int> WaitForExitAsync(TimeSpan timeout)
    {
        await _process.WaitForExitAsync().WaitAsync(timeout);
        return _process.ExitCode;
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }

        _process.Dispose();
    }

    private static ProcessStartInfo StartInfo(string[] args, string? executable = null)
    {
        var info = executable is null ? ProcessRunner.StartInfo("dotnet", [Executable, .. args]) : ProcessRunner.StartInfo(executable, args);
        // The admin commands read these; the tests' own machine must not choose their admin API or token.
        info.Environment.Remove("GATEHOUSE_ADMIN");
        info.Environment.Remove("GATEHOUSE_ADMIN_TOKEN");
        return info;
    }

    private static ProcessStartInfo WithEnvironment(ProcessStartInfo info, IReadOnlyDictionary<string, string?> environment)
    {
        foreach (var (name, value) in environment)
        {
            if (value is null)
            {
                info.Environment.Remove(name);
            }
            else
            {
                info.Environment[name] = value;
            }
        }

        return info;
    }

    [System.Runtime.InteropServices.DllImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static extern int Kill(int pid, int signal);
}
