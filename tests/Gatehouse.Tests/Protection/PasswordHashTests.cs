using System.Text;
using Gatehouse.Protection;

namespace Gatehouse.Tests.Protection;

public class PasswordHashTests
{
    [Fact]
    public void Create_ThenVerify_AcceptsTheRightPasswordOnly()
    {
        var hash = PasswordHash.Create("correct horse", iterations: 1_000);

        Assert.StartsWith("$pbkdf2-sha256$1000$", hash, StringComparison.Ordinal);
        Assert.True(PasswordHash.Verify("correct horse", hash));
        Assert.False(PasswordHash.Verify("correct horse ", hash));
        Assert.False(PasswordHash.Verify("", hash));
    }

    [Fact]
    public void Create_SaltsEachHash()
    {
        Assert.NotEqual(PasswordHash.Create("same", 1_000), PasswordHash.Create("same", 1_000));
    }

    [Fact]
    public void Verify_IsStandardPbkdf2HmacSha256()
    {
        // RFC 7914 §11 test vector: PBKDF2-HMAC-SHA256, P="passwd", S="salt", c=1, dkLen=64 (first 32 bytes here).
        var expected = Convert.FromHexString("55ac046e56e3089fec1691c22544b605f94185216dde0465e68b9d57c20dacbc");
        var stored = new PasswordHash.Parsed(1, Encoding.UTF8.GetBytes("salt"), expected);

        Assert.True(PasswordHash.Verify("passwd", stored));
        Assert.False(PasswordHash.Verify("passwe", stored));
    }

    [Fact]
    public void TryParse_AcceptsPaddedAndUnpaddedBase64()
    {
        var unpadded = PasswordHash.Create("x", 1_000);
        var parts = unpadded.Split('$');
        var padded = $"$pbkdf2-sha256${parts[2]}${parts[3]}==${parts[4]}=";

        Assert.True(PasswordHash.TryParse(unpadded, out _, out _));
        Assert.True(PasswordHash.TryParse(padded, out _, out _));
        Assert.True(PasswordHash.Verify("x", padded));
    }

    [Theory]
    [InlineData("plaintext", "not a password hash")]
    [InlineData("$2y$10$abcdefghijklmnopqrstuv", "not a password hash")]
    [InlineData("$pbkdf2-sha256$600000$c2FsdHNhbHQ", "expected $pbkdf2-sha256$ITERATIONS$SALT$HASH")]
    [InlineData("$pbkdf2-sha256$10$c2FsdHNhbHQ$AAAAAAAAAAAAAAAAAAAAAA", "at least 1000")]
    [InlineData("$pbkdf2-sha256$600000$!!$AAAAAAAAAAAAAAAAAAAAAA", "salt")]
    [InlineData("$pbkdf2-sha256$600000$c2FsdHNhbHQ$AAAA", "hash")]
    public void TryParse_ExplainsWhatIsWrong(string text, string expected)
    {
        Assert.False(PasswordHash.TryParse(text, out _, out var problem));
        Assert.Contains(expected, problem, StringComparison.Ordinal);
    }
}
