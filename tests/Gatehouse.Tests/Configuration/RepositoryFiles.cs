using System.Text.Json;

namespace Gatehouse.Tests.Configuration;

/// <summary>Files that live in the repository rather than in the test output: the samples and the JSON Schema.</summary>
internal static class RepositoryFiles
{
    private static readonly Lazy<string> RootDirectory = new(FindRoot);

    public static string Root => RootDirectory.Value;

    public static string SchemaPath => Path.Combine(Root, "schemas", "gatehouse.schema.json");

    public static string SamplesDirectory => Path.Combine(Root, "samples");

    public static IReadOnlyList<string> SampleNames() =>
        Directory.GetFiles(SamplesDirectory, "*.json").Select(Path.GetFileName).OfType<string>().Order(StringComparer.Ordinal).ToList();

    public static string Sample(string name) => Path.Combine(SamplesDirectory, name);

    /// <summary>Parses a config file the way Gatehouse reads it: comments and trailing commas allowed.</summary>
    public static JsonDocument ParseConfig(string path) =>
        JsonDocument.Parse(File.ReadAllText(path), new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true });

    private static string FindRoot()
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
