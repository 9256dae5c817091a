using Gatehouse.Fuzz;
using SharpFuzz;

// Under afl-fuzz (fuzz/run.sh): one process, inputs through SharpFuzz's shared memory.
// "--replay FILE|DIR...": runs the given inputs once each, to reproduce a finding or check a corpus without AFL.
if (args.Length > 0 && args[0] == "--replay")
{
    var failures = 0;
    foreach (var file in args.Skip(1).SelectMany(p => Directory.Exists(p) ? Directory.GetFiles(p) : [p]))
    {
        try
        {
            FuzzTarget.Run(File.ReadAllBytes(file));
        }
        catch (Exception e)
        {
            failures++;
            Console.WriteLine($"{file}: {e.GetType().Name}: {e.Message}");
        }
    }

    Console.WriteLine($"replayed, {failures} failing");
    return failures == 0 ? 0 : 1;
}

Fuzzer.OutOfProcess.Run(stream =>
{
    using var copy = new MemoryStream();
    stream.CopyTo(copy);
    FuzzTarget.Run(copy.ToArray());
});
return 0;
