using System.Diagnostics;
using System.Runtime.InteropServices;
using System.Text.RegularExpressions;
using Gatehouse.FunctionalTests.Infrastructure;

namespace Gatehouse.FunctionalTests.Packaging;

/// <summary>
/// Issue 15, acceptance 7: the .deb that packaging/build-deb.sh builds installs on this machine with <c>dpkg -i</c>, the
/// installed executable runs and proxies with no .NET SDK or runtime in reach, and <c>systemd-analyze verify</c> accepts
/// the installed unit. The package goes into the machine itself (the tests run as root on a machine of their own), as
/// an operator would install it: the maintainer scripts run for real, creating the user and the config's modes. The test
/// purges the package and removes the user it created, whatever the outcome.
/// </summary>
public sealed partial class DebianPackageTests
{
    private const string Config = "/etc/gatehouse/gatehouse.json";
    private const string Unit = "/lib/systemd/system/gatehouse.service";
    private static readonly TimeSpan BuildTimeout = TimeSpan.FromMinutes(12);

    [Fact]
    public async Task Deb_Installs_RunsWithoutTheSdk_AndItsUnitVerifies()
    {
        Assert.True(geteuid() == 0, "dpkg -i needs root: run the tests as root (./test.sh on the project's machines does)");
        var installed = await ProcessRunner.RunAsync("dpkg-query", ["-W", "-f=${Status}", "gatehouse"]);
        Assert.False(installed.Stdout.Contains("installed", StringComparison.Ordinal),
            "the gatehouse package is already installed on this machine; this test installs and purges it: dpkg --purge gatehouse first");

        var artifacts = Directory.CreateTempSubdirectory("gatehouse-deb-");
        var userExisted = (await ProcessRunner.RunAsync("getent", ["passwd", "gatehouse"])).ExitCode == 0;
        try
        {
            // The executable packaging/publish.sh builds (Native AOT), published once for every test that runs it.
            var binary = await NativeBuild.ExecutableAsync();
            var build = await ProcessRunner.RunAsync("bash", [Path.Combine(NativeBuild.RepositoryRoot, "packaging", "build-deb.sh"), "--compression", "gzip", "--binary", binary],
                BuildTimeout, ("GATEHOUSE_ARTIFACTS", artifacts.FullName));
            Assert.True(build.ExitCode == 0, $"build-deb.sh failed:\n{build.Stdout}\n{build.Stderr}");
            var deb = build.Stdout.Trim().Split('\n')[^1];
            Assert.Matches(@"/gatehouse_\d+\.\d+\.\d+_amd64\.deb$", deb);

            var install = await ProcessRunner.RunAsync("dpkg", ["-i", deb], TimeSpan.FromMinutes(2));
            Assert.True(install.ExitCode == 0, $"dpkg -i failed:\n{install.Stdout}\n{install.Stderr}");

            await AssertInstalledFilesAsync();
            await AssertRunsWithoutTheSdkAsync();

            var verify = await ProcessRunner.RunAsync("systemd-analyze", ["verify", Unit]);
            Assert.True(verify.ExitCode == 0 && verify.Stderr.Trim().Length == 0, $"systemd-analyze verify {Unit}:\n{verify.Stdout}\n{verify.Stderr}");

            // The AOT executable runs with writable-and-executable memory refused (NativeExecutableTests), so the unit
            // refuses it, wherever the kernel that built the package could check that.
            var unit = await File.ReadAllTextAsync(Unit);
            Assert.Contains(await NativeBuild.KernelRefusesWxAsync() ? "\nMemoryDenyWriteExecute=yes\n" : "\n#MemoryDenyWriteExecute=yes\n", unit, StringComparison.Ordinal);
        }
        finally
        {
            await ProcessRunner.RunAsync("dpkg", ["--purge", "gatehouse"], TimeSpan.FromMinutes(2));
            if (!userExisted)
            {
                await ProcessRunner.RunAsync("deluser", ["--system", "--quiet", "gatehouse"]);
                await ProcessRunner.RunAsync("delgroup", ["--system", "--quiet", "gatehouse"]);
            }

            artifacts.Delete(recursive: true);
        }

        // Purge leaves nothing of the package behind: files, the conffile, the stat overrides.
        Assert.False(File.Exists("/usr/lib/gatehouse/gatehouse"));
        Assert.False(Directory.Exists("/etc/gatehouse"));
        Assert.DoesNotContain("gatehouse", (await ProcessRunner.RunAsync("dpkg-statoverride", ["--list"])).Stdout, StringComparison.Ordinal);
    }

    private static async Task AssertInstalledFilesAsync()
    {
        var user = await ProcessRunner.RunAsync("getent", ["passwd", "gatehouse"]);
        Assert.True(user.ExitCode == 0, "postinst did not create the gatehouse user");
        Assert.EndsWith(":/usr/sbin/nologin", user.Stdout.Trim(), StringComparison.Ordinal);

        // The config is a conffile (upgrades keep an operator's edits), readable by the service's group and no one else.
        Assert.Contains(Config, (await ProcessRunner.RunAsync("dpkg-query", ["-W", "-f=${Conffiles}", "gatehouse"])).Stdout, StringComparison.Ordinal);
        Assert.Equal("640 root gatehouse", (await ProcessRunner.RunAsync("stat", ["-c", "%a %U %G", Config])).Stdout.Trim());
        Assert.Equal("/usr/lib/gatehouse/gatehouse", (await ProcessRunner.RunAsync("readlink", ["-f", "/usr/bin/gatehouse"])).Stdout.Trim());
        foreach (var path in new[] { Unit, "/usr/share/man/man1/gatehouse.1.gz", "/usr/share/gatehouse/gatehouse.schema.json" })
        {
            Assert.True(File.Exists(path), $"{path} is not installed");
        }

        // The service's user can read the installed config, and it is valid.
        var validate = await ProcessRunner.RunAsync("runuser", ["-u", "gatehouse", "--", "gatehouse", "validate", Config]);
        Assert.True(validate.ExitCode == 0, $"gatehouse validate as the gatehouse user:\n{validate.Stdout}\n{validate.Stderr}");
    }

    private static async Task AssertRunsWithoutTheSdkAsync()
    {
        // The SDK's folder (the one this test runs from) is hidden behind an empty mount in a mount namespace of its own,
        // and the environment is emptied: a framework-dependent build could not start there.
        var dotnetRoot = Path.GetFullPath(Path.Combine(RuntimeEnvironment.GetRuntimeDirectory(), "..", "..", ".."));
        var version = await ProcessRunner.RunAsync("unshare", WithoutTheSdk(dotnetRoot, "gatehouse --version"));
        Assert.True(version.ExitCode == 0, $"gatehouse --version without the SDK:\n{version.Stdout}\n{version.Stderr}");
        Assert.Equal(Gatehouse.Cli.GatehouseCli.Version, version.Stdout.Trim());

        // More than a version: the installed executable proxies a request to a real backend, and stops cleanly.
        await using var backend = await TestBackend.StartAsync("packaged-backend");
        using var proxy = Process.Start(ProcessRunner.StartInfo("unshare", WithoutTheSdk(dotnetRoot,
            $"gatehouse proxy --from http://127.0.0.1:0 --to {backend.Address}")))!;
        var stderr = new List<string>();
        var banner = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
        proxy.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is not { } line)
            {
                return;
            }

            lock (stderr)
            {
                stderr.Add(line);
            }

            if (ListeningOn().Match(line) is { Success: true } match)
            {
                banner.TrySetResult(match.Groups[1].Value);
            }
        };
        proxy.OutputDataReceived += (_, _) => { };
        proxy.BeginErrorReadLine();
        proxy.BeginOutputReadLine();
        try
        {
            var address = await banner.Task.WaitAsync(TimeSpan.FromSeconds(30));
            using var client = new HttpClient();
            Assert.Equal("packaged-backend", await client.GetStringAsync(new Uri(new Uri(address), "/hello")));
        }
        finally
        {
            // unshare exec'd into sh, which exec'd into gatehouse: the process is Gatehouse, and SIGTERM drains it.
            _ = kill(proxy.Id, 15);
            await proxy.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(30));
        }

        Assert.Equal(0, proxy.ExitCode);
    }

    /// <summary>unshare's arguments to run <paramref name="command"/> with <paramref name="dotnetRoot"/> empty and PATH=/usr/bin:/bin only.</summary>
    private static string[] WithoutTheSdk(string dotnetRoot, string command) =>
    [
        "--mount", "--propagation", "private", "sh", "-c",
        $"mount -t tmpfs none '{dotnetRoot}' && ! test -e '{dotnetRoot}/dotnet' && exec env -i PATH=/usr/bin:/bin {command}",
    ];

    [GeneratedRegex(@"listening on (http://127\.0\.0\.1:\d+/)")]
    private static partial Regex ListeningOn();

    [DllImport("libc", SetLastError = true)]
    private static extern uint geteuid();

    [DllImport("libc", SetLastError = true)]
    private static extern int kill(int pid, int signal);
}
