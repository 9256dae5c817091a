using Gatehouse.Fuzz;
using SharpFuzz;

// fuzz/run.sh TARGET runs "dotnet Gatehouse.Fuzz.dll TARGET" under afl-fuzz: one process, inputs through SharpFuzz's
// shared memory. "--replay TARGET FILE|DIR...": runs the given inputs once each, to reproduce a finding or check a
// corpus without AFL.
var replay = args.Length > 0 && args[0] == "--replay";
var name = args.Length > (replay ? 1 : 0) ? args[replay ? 1 : 0] : "";
if (!FuzzTargets.All.TryGetValue(name, out var target))
{
    Console.Error.WriteLine($"usage: Gatehouse.Fuzz TARGET | --replay TARGET FILE|DIR...; targets: {string.Join(", ", FuzzTargets.All.Keys)}");
    return 2;
}

if (replay)
{
    var failures = 0;
    var count = 0;
    foreach (var file in args.Skip(2).SelectMany(p => Directory.Exists(p) ? Directory.GetFiles(p) : [p]))
    {
        count++;
        try
        {
            target(File.ReadAllBytes(file));
        }
        catch (Exception e)
        {
            failures++;
            Console.WriteLine($"{file}: {e.GetType().Name}: {e.Message}");
        }
    }

    Console.WriteLine($"{name}: replayed {count}, {failures} failing");
    return failures == 0 ? 0 : 1;
}

Fuzzer.OutOfProcess.Run(stream =>
{
    using var copy = new MemoryStream();
    stream.CopyTo(copy);
    target(copy.ToArray());
});
return 0;
