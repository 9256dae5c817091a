namespace Gatehouse.Fuzz;

/// <summary>
/// Inputs for running a fuzz target without AFL (the unit tests, and a smoke run): the seeds themselves, then seeded
/// random mutations of them (bit flips, byte changes, insertions and deletions of bytes or dictionary tokens, cuts,
/// splices of two seeds, repeats) and a share of plain random bytes. Deterministic for a given seed.
/// </summary>
public static class Mutations
{
    public static IEnumerable<byte[]> Of(IReadOnlyList<byte[]> seeds, IReadOnlyList<byte[]> tokens, int count, int seed)
    {
        foreach (var input in seeds)
        {
            yield return input;
        }

        var random = new Random(seed);
        for (var i = 0; i < count; i++)
        {
            if (seeds.Count == 0 || random.Next(10) == 0)
            {
                var noise = new byte[random.Next(0, 64)];
                random.NextBytes(noise);
                yield return noise;
                continue;
            }

            var input = seeds[random.Next(seeds.Count)].ToList();
            var edits = 1 + random.Next(random.Next(1, 9));
            for (var e = 0; e < edits; e++)
            {
                Mutate(input, seeds, tokens, random);
            }

            yield return input.ToArray();
        }
    }

    private static void Mutate(List<byte> input, IReadOnlyList<byte[]> seeds, IReadOnlyList<byte[]> tokens, Random random)
    {
        var at = random.Next(input.Count + 1);
        switch (random.Next(9))
        {
            case 0 when input.Count > 0:
                at = random.Next(input.Count);
                input[at] ^= (byte)(1 << random.Next(8));
                break;
            case 1 when input.Count > 0:
                input[random.Next(input.Count)] = Interesting[random.Next(Interesting.Length)];
                break;
            case 2:
                input.Insert(at, (byte)random.Next(256));
                break;
            case 3 when input.Count > 0:
                at = random.Next(input.Count);
                input.RemoveRange(at, random.Next(1, Math.Min(16, input.Count - at) + 1));
                break;
            case 4 when tokens.Count > 0:
                input.InsertRange(at, tokens[random.Next(tokens.Count)]);
                break;
            case 5:
                input.RemoveRange(at, input.Count - at);
                break;
            case 6 when seeds.Count > 0:
                var other = seeds[random.Next(seeds.Count)];
                var from = random.Next(other.Length + 1);
                input.RemoveRange(at, input.Count - at);
                input.AddRange(other.Skip(from));
                break;
            case 7 when input.Count > 0:
                at = random.Next(input.Count);
                var length = random.Next(1, Math.Min(32, input.Count - at) + 1);
                var piece = input.GetRange(at, length);
                for (var r = random.Next(1, 64); r > 0; r--)
                {
                    input.InsertRange(at, piece);
                }

                break;
            default:
                if (input.Count > 0)
                {
                    at = random.Next(input.Count);
                    input[at] = (byte)random.Next(256);
                }

                break;
        }
    }

    private static readonly byte[] Interesting = [0, 1, 0x7f, 0x80, 0xff, (byte)'"', (byte)',', (byte)';', (byte)'=', (byte)'-', (byte)'\n', (byte)'\r', (byte)' ', (byte)'\t', (byte)'0', (byte)'9', (byte)'{', (byte)'}', (byte)'[', (byte)']', (byte)':', (byte)'\\'];

    /// <summary>An AFL dictionary's tokens (lines of <c>name="value"</c> with \xNN and \" escapes).</summary>
    public static IReadOnlyList<byte[]> ReadDictionary(string path)
    {
        var tokens = new List<byte[]>();
        foreach (var line in File.ReadAllLines(path))
        {
            var open = line.IndexOf('"', StringComparison.Ordinal);
            var close = line.LastIndexOf('"');
            if (line.TrimStart().StartsWith('#') || open < 0 || close <= open)
            {
                continue;
            }

            var bytes = new List<byte>();
            var text = line[(open + 1)..close];
            for (var i = 0; i < text.Length; i++)
            {
                if (text[i] == '\\' && i + 3 < text.Length + 0 && text[i + 1] == 'x')
                {
                    bytes.Add(Convert.ToByte(text.Substring(i + 2, 2), 16));
                    i += 3;
                }
                else if (text[i] == '\\' && i + 1 < text.Length)
                {
                    bytes.Add((byte)text[++i]);
                }
                else
                {
                    bytes.Add((byte)text[i]);
                }
            }

            tokens.Add(bytes.ToArray());
        }

        return tokens;
    }
}
