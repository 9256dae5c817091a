using System.IO.Compression;
using System.Text;

namespace Gatehouse.FunctionalTests.StaticFiles;

/// <summary>
/// A folder to serve, in a temp directory, beside a secret that no request may reach: the root holds pages, a script
/// with brotli and gzip siblings, 1 MiB of bytes, dotfiles, and links (one inside the root, two leading out of it).
/// </summary>
public sealed class StaticSite : IDisposable
{
    public const string SecretMarker = "SECRET-7f3a9c";

    public static readonly byte[] Script = Encoding.UTF8.GetBytes(string.Concat(Enumerable.Range(0, 400).Select(i => $"console.log('line {i}');\n")));
    public static readonly byte[] Index = Encoding.UTF8.GetBytes("<!doctype html><title>app</title><p>the single-page app</p>\n");
    public static readonly byte[] Big = Enumerable.Range(0, 1024 * 1024).Select(i => (byte)(i * 31 % 251)).ToArray();

    public StaticSite()
    {
        Directory = Path.Combine(Path.GetTempPath(), "gatehouse-site-" + Guid.NewGuid().ToString("N"));
        Root = Path.Combine(Directory, "www");
        Outside = Path.Combine(Directory, "www-private");
        System.IO.Directory.CreateDirectory(Path.Combine(Root, "docs"));
        System.IO.Directory.CreateDirectory(Path.Combine(Root, ".git"));
        System.IO.Directory.CreateDirectory(Path.Combine(Root, "empty"));
        System.IO.Directory.CreateDirectory(Outside);
        Write("index.html", Index);
        Write("app.js", Script);
        Write("app.js.br", Compress(Script, s => new BrotliStream(s, CompressionLevel.SmallestSize)));
        Write("app.js.gz", Compress(Script, s => new GZipStream(s, CompressionLevel.SmallestSize)));
        Write("big.bin", Big);
        Write("docs/index.html", Encoding.UTF8.GetBytes("<p>docs</p>\n"));
        Write("notes.txt", Encoding.UTF8.GetBytes("0123456789abcdefghij"));
        Write(".env", Encoding.UTF8.GetBytes(SecretMarker + " in a dotfile\n"));
        Write(".git/config", Encoding.UTF8.GetBytes(SecretMarker + " in .git\n"));
        File.WriteAllText(Path.Combine(Outside, "secret.txt"), SecretMarker + " outside the root\n");
        File.WriteAllText(Path.Combine(Directory, "secret.txt"), SecretMarker + " beside the root\n");
        File.CreateSymbolicLink(Path.Combine(Root, "inside-link.js"), "app.js");
        File.CreateSymbolicLink(Path.Combine(Root, "outside-link.txt"), Path.Combine(Outside, "secret.txt"));
        File.CreateSymbolicLink(Path.Combine(Root, "dot-link.txt"), ".env");
        System.IO.Directory.CreateSymbolicLink(Path.Combine(Root, "outside-folder"), Outside);
    }

    public string Directory { get; }

    public string Root { get; }

    public string Outside { get; }

    public byte[] Read(string relative) => File.ReadAllBytes(Path.Combine(Root, relative));

    public void Write(string relative, byte[] bytes) => File.WriteAllBytes(Path.Combine(Root, relative), bytes);

    public void Dispose()
    {
        try
        {
            System.IO.Directory.Delete(Directory, recursive: true);
        }
        catch (IOException)
        {
        }
    }

    private static byte[] Compress(byte[] data, Func<Stream, Stream> encoder)
    {
        using var output = new MemoryStream();
        using (var stream = encoder(output))
        {
            stream.Write(data);
        }
        return output.ToArray();
    }
}
