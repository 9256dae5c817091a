using System.CommandLine;
using System.Text;
using Gatehouse.Protection;

namespace Gatehouse.Cli;

/// <summary><c>gatehouse hash-password</c>: prints a hash for <c>routes.ID.accessControl.basicAuth.users</c>.</summary>
internal static class HashPasswordCommand
{
    public static Command Build()
    {
        var iterations = new Option<int>("--iterations")
        {
            Description = $"PBKDF2 iterations (at least {PasswordHash.MinIterations}; more is slower to check and to guess).",
            DefaultValueFactory = _ => PasswordHash.DefaultIterations,
        };
        var command = new Command(
            "hash-password",
            "Print a PBKDF2-SHA256 hash of a password for basicAuth users. The password is read from standard input (its first line), or asked for twice without echo on a terminal.")
        {
            iterations,
        };
        command.SetAction(parse => Run(
            parse.GetValue(iterations),
            Console.IsInputRedirected ? () => Console.In.ReadLine() : null,
            Console.Out,
            Console.Error));
        return command;
    }

    /// <summary>Reads the password from <paramref name="readLine"/> (piped input), or prompts twice when it is null.</summary>
    internal static int Run(int iterations, Func<string?>? readLine, TextWriter output, TextWriter error)
    {
        if (iterations < PasswordHash.MinIterations)
        {
            error.WriteLine($"gatehouse hash-password: --iterations must be at least {PasswordHash.MinIterations}");
            return 1;
        }

        string? password;
        if (readLine is not null)
        {
            password = readLine();
        }
        else
        {
            password = Prompt("Password: ");
            if (password != Prompt("Again: "))
            {
                error.WriteLine("gatehouse hash-password: the passwords differ");
                return 1;
            }
        }

        if (string.IsNullOrEmpty(password))
        {
            error.WriteLine("gatehouse hash-password: no password given");
            return 1;
        }

        output.WriteLine(PasswordHash.Create(password, iterations));
        return 0;
    }

    private static string Prompt(string label)
    {
        Console.Error.Write(label);
        var text = new StringBuilder();
        while (true)
        {
            var key = Console.ReadKey(intercept: true);
            if (key.Key == ConsoleKey.Enter)
            {
                Console.Error.WriteLine();
                return text.ToString();
            }

            if (key.Key == ConsoleKey.Backspace)
            {
                if (text.Length > 0)
                {
                    text.Length--;
                }
            }
            else if (!char.IsControl(key.KeyChar))
            {
                text.Append(key.KeyChar);
            }
        }
    }
}
