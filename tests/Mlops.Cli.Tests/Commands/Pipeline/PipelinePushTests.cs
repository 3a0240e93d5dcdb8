using Mlops.Testing;

namespace Mlops.Cli.Tests.Commands.Pipeline;

/// <summary><c>mlops pipeline --push REMOTE</c>, the merge workflow's mode: the version tags and the promotion branches reach the remote.</summary>
public sealed class PipelinePushTests
{
    [Fact]
    public async Task Pipeline_Push_SendsTheVersionTagAndThePromotionBranchToTheRemote()
    {
        using var repo = new ExampleRepository();
        Git.InitAndCommit(repo.Path);
        using var remote = new TempDirectory("mlops-pipeline-remote");
        Git.Run(remote.Path, "init", "-q", "--bare");
        Git.Run(repo.Path, "remote", "add", "origin", remote.Path);

        var result = await CliRunner.RunAsync("pipeline", "--environment", "staging", "--push", "origin", "--repo", repo.Path);

        Assert.True(result.ExitCode == ExitCodes.Success, result.Error + result.Out);
        Assert.Contains("package churn: pushed churn@v1 to origin", result.Lines);
        Assert.Equal(Git.Run(repo.Path, "rev-parse", "churn@v1"), Git.Run(remote.Path, "rev-parse", "churn@v1"));
        Assert.Equal(Git.Run(repo.Path, "rev-parse", "promote/churn-v1-staging"), Git.Run(remote.Path, "rev-parse", "refs/heads/promote/churn-v1-staging"));
    }

    [Fact]
    public async Task Pipeline_PushToAMissingRemote_FailsAtPackageNamingTheRemote()
    {
        using var repo = new ExampleRepository();
        Git.InitAndCommit(repo.Path);

        var result = await CliRunner.RunAsync("pipeline", "--environment", "staging", "--push", "upstream", "--repo", repo.Path);

        Assert.Equal(ExitCodes.CheckFailed, result.ExitCode);
        Assert.Contains("remote 'upstream' does not exist", result.Error, StringComparison.Ordinal);
        Assert.StartsWith("pipeline stopped at package: ", result.Lines[^1], StringComparison.Ordinal);
        Assert.Equal("", Git.Run(repo.Path, "branch", "--list", "promote/*"));
    }
}
