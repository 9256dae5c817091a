using Gatehouse.Protection;
using Gatehouse.Cli;

namespace Gatehouse.Tests.Cli;

public class HashPasswordCommandTests
{
    [Fact]
    public void PipedPassword_PrintsAHashThatVerifies()
    {
        using var output = new StringWriter();
        using var error = new StringWriter();

        var exit = HashPasswordCommand.Run(2_000, () => "pa ss:word", output, error);

        Assert.Equal(0, exit);
        var hash = output.ToString().Trim();
        Assert.StartsWith("$pbkdf2-sha256$2000$", hash, StringComparison.Ordinal);
        Assert.True(PasswordHash.Verify("pa ss:word", hash));
        Assert.Empty(error.ToString());
    }

    [Theory]
    [InlineData(2_000, "")]
    [InlineData(2_000, null)]
    [InlineData(10, "x")]
    public void NoPasswordOrTooFewIterations_Fails(int iterations, string? password)
    {
        using var output = new StringWriter();
        using var error = new StringWriter();

        Assert.Equal(1, HashPasswordCommand.Run(iterations, () => password, output, error));
        Assert.Empty(output.ToString());
        Assert.StartsWith("gatehouse hash-password: ", error.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void TheCommandIsPartOfTheCli()
    {
        Assert.Contains(Gatehouse.Cli.GatehouseCli.Build().Subcommands, c => c.Name == "hash-password");
    }
}
