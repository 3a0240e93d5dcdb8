using Mlops.Testing;

namespace Mlops.Cli.Tests.Commands.Reproduce;

/// <summary><c>mlops reproduce</c> when the registered bundle in the store is damaged or gone: bad input, said in one line, not a defect.</summary>
public sealed class ReproduceCommandTests
{
    [Theory]
    [InlineData(true, "is corrupt: its bytes hash to sha256:")]
    [InlineData(false, "is not in the store at")]
    public async Task Reproduce_RegisteredBundleDamagedOrMissing_ExitsTwoSayingWhatToDo(bool corrupt, string reason)
    {
        using var repo = new ExampleRepository();
        Git.InitAndCommit(repo.Path);
        await CliRunner.SucceedAsync("train", "--repo", repo.Path);
        await CliRunner.SucceedAsync("evaluate", "--repo", repo.Path);
        await CliRunner.SucceedAsync("package", "--repo", repo.Path);
        var stored = Assert.Single(Directory.EnumerateFiles(repo.Combine(".mlops/store/sha256"), "*", SearchOption.AllDirectories));
        if (corrupt)
        {
            var bytes = File.ReadAllBytes(stored);
            bytes[bytes.Length / 2] ^= 0xFF;
            File.WriteAllBytes(stored, bytes);
        }
        else
        {
            File.Delete(stored);
        }

        var result = await CliRunner.RunAsync("reproduce", "churn@v1", "--repo", repo.Path);

        Assert.Equal(ExitCodes.BadInput, result.ExitCode);
        var line = Assert.Single(result.Error.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.StartsWith("mlops: cannot reproduce churn@v1: bundle sha256:", line, StringComparison.Ordinal);
        Assert.Contains(reason, line, StringComparison.Ordinal);
        Assert.Contains("package", line, StringComparison.Ordinal);
        Assert.Empty(result.Out);
    }
}
