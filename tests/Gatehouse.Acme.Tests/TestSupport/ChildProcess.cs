using System.Diagnostics;
using System.Text;

namespace Gatehouse.Acme.Tests.TestSupport;

/// <summary>A child process whose output is kept for failure messages and can be awaited for a line.</summary>
internal sealed class ChildProcess : IDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _output = new();
    private readonly List<(string Text, TaskCompletionSource Seen)> _waiters = [];

    public ChildProcess(string fileName, IEnumerable<string> arguments, IDictionary<string, string> environment, string workingDirectory)
    {
        var start = new ProcessStartInfo(fileName)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = workingDirectory,
        };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        foreach (var (name, value) in environment)
        {
            start.Environment[name] = value;
        }

        _process = new Process { StartInfo = start };
        _process.OutputDataReceived += (_, e) => OnLine(e.Data);
        _process.ErrorDataReceived += (_, e) => OnLine(e.Data);
        _process.Start();
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
    }

    public string Output
    {
        get
        {
            lock (_output)
            {
                return _output.ToString();
            }
        }
    }

    public bool HasExited => _process.HasExited;

    /// <summary>The process id, for signals (dnsmasq rereads its hosts files on SIGHUP).</summary>
    public int Id => _process.Id;

    /// <summary>Completes when a line containing <paramref name="text"/> is printed (or was already).</summary>
    public async Task WaitForLineAsync(string text, TimeSpan timeout)
    {
        TaskCompletionSource seen = new(TaskCreationOptions.RunContinuationsAsynchronously);
        lock (_output)
        {
            if (_output.ToString().Contains(text, StringComparison.Ordinal))
            {
                return;
            }

            _waiters.Add((text, seen));
        }

        var exited = _process.WaitForExitAsync();
        var done = await Task.WhenAny(seen.Task, exited, Task.Delay(timeout));
        if (done != seen.Task)
        {
            throw new TimeoutException($"{_process.StartInfo.FileName} did not print '{text}' within {timeout}: {Output}");
        }
    }

    private void OnLine(string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (_output)
        {
            _output.AppendLine(line);
            foreach (var waiter in _waiters.Where(w => line.Contains(w.Text, StringComparison.Ordinal)).ToList())
            {
                waiter.Seen.TrySetResult();
                _waiters.Remove(waiter);
            }
        }
    }

    public void Stop()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            _process.WaitForExit(5000);
        }
    }

    public void Dispose()
    {
        Stop();
        _process.Dispose();
    }
}
