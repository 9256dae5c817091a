using System.Diagnostics;

namespace Gatehouse.FunctionalTests.Infrastructure;

/// <summary>
/// A really small file system for full-disk tests: a tmpfs of a few MB mounted on a temporary directory (the tests run
/// as root, as test.sh and CI do), which <see cref="Fill"/> fills to the last page with a filler file and
/// <see cref="Free"/> empties again. Mounting fails the test with the reason: never skipped.
/// </summary>
public sealed class SmallTmpfs : IDisposable
{
    private SmallTmpfs(string path) => Path = path;

    public string Path { get; }

    private string FillerPath => System.IO.Path.Combine(Path, "filler");

    public static SmallTmpfs Mount(string size = "1m")
    {
        var path = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "gatehouse-tmpfs-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(path);
        var (exitCode, output) = Run("mount", "-t", "tmpfs", "-o", $"size={size},mode=0755", "tmpfs", path);
        Assert.True(exitCode == 0,
            $"mount -t tmpfs -o size={size} tmpfs {path} failed ({exitCode}: {output.Trim()}): full-disk tests need root and mount(8); run them as root (test.sh, .ci/run)");
        return new SmallTmpfs(path);
    }

    /// <summary>Writes a filler file until the file system refuses more: any write that needs a new page fails then.</summary>
    public void Fill()
    {
        using var filler = new FileStream(FillerPath, FileMode.Append, FileAccess.Write, FileShare.None, bufferSize: 0);
        foreach (var chunk in new[] { 64 * 1024, 4096, 1 })
        {
            var bytes = new byte[chunk];
            try
            {
                while (true)
                {
                    filler.Write(bytes);
                }
            }
            catch (IOException)
            {
                // Full at this granularity: go on with smaller writes.
            }
        }

        var probe = System.IO.Path.Combine(Path, "probe");
        Assert.Throws<IOException>(() => File.WriteAllBytes(probe, new byte[4096]));
        File.Delete(probe);
    }

    public void Free() => File.Delete(FillerPath);

    public void Dispose()
    {
        var (exitCode, output) = Run("umount", "-l", Path);
        Assert.True(exitCode == 0, $"umount {Path} failed ({exitCode}): {output}");
        Directory.Delete(Path, recursive: true);
    }

    private static (int ExitCode, string Output) Run(string file, params string[] args)
    {
        var start = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        try
        {
            using var process = Process.Start(start)!;
            var output = process.StandardOutput.ReadToEnd() + process.StandardError.ReadToEnd();
            process.WaitForExit();
            return (process.ExitCode, output);
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            return (-1, e.Message);
        }
    }
}
