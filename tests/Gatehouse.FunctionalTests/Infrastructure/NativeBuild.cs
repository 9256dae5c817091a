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
