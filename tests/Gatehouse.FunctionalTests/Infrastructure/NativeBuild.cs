namespace Gatehouse.FunctionalTests.Infrastructure;

/// <summary>
/// The executable Gatehouse ships: <c>packaging/publish.sh</c>'s Native AOT build for this machine, published once per
/// test run (two to three minutes on two cores) into a temporary folder, and shared by every test that runs it.
/// </summary>
public static class NativeBuild
{
    private static readonly TimeSpan PublishTimeout = TimeSpan.FromMinutes(15);
    private static readonly Lazy<Task<string>> Published = new(PublishAsync);

    /// <summary>The published executable's path; the first caller waits for the publish.</summary>
    public static Task<string> ExecutableAsync() => Published.Value;

    /// <summary><c>packaging/deny-wx-exec</c>: runs its arguments with writable-and-executable memory refused by the kernel.</summary>
    public static string DenyWx => Path.Combine(RepositoryRoot, "packaging", "deny-wx-exec");

    /// <summary>Whether this kernel can refuse writable-and-executable memory (Linux 6.3 and later): the launcher exits 3 when not.</summary>
    public static async Task<bool> KernelRefusesWxAsync()
    {
        var probe = await ProcessRunner.RunAsync(DenyWx, ["/bin/true"]);
        Assert.True(probe.ExitCode is 0 or 3, $"deny-wx-exec /bin/true: exit {probe.ExitCode}: {probe.Stderr}");
        return probe.ExitCode == 0;
    }

    public static string RepositoryRoot
    {
        get
        {
            for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
            {
                if (File.Exists(Path.Combine(directory.FullName, "Gatehouse.slnx")))
                {
                    return directory.FullName;
                }
            }

            throw new InvalidOperationException($"No Gatehouse.slnx above {AppContext.BaseDirectory}");
        }
    }

    private static async Task<string> PublishAsync()
    {
        var artifacts = Path.Combine(Path.GetTempPath(), $"gatehouse-native-{Environment.ProcessId}");
        var (exitCode, stdout, stderr) = await ProcessRunner.RunAsync(
            "bash", [Path.Combine(RepositoryRoot, "packaging", "publish.sh"), "linux-x64"], PublishTimeout,
            ("GATEHOUSE_ARTIFACTS", artifacts), ("GATEHOUSE_PUBLISH", "aot"));
        var executable = Path.Combine(artifacts, "publish", "linux-x64", "gatehouse");
        if (exitCode != 0 || !File.Exists(executable))
        {
            throw new InvalidOperationException($"packaging/publish.sh failed ({exitCode}):\n{stdout}\n{stderr}");
        }

        AppDomain.CurrentDomain.ProcessExit += (_, _) =>
        {
            try
            {
                Directory.Delete(artifacts, recursive: true);
            }
            catch (IOException)
            {
            }
        };
        return executable;
    }
}
