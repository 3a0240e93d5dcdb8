using Mlops.Testing;

namespace Mlops.Cli.Tests.Commands.Pipeline;

/// <summary><c>mlops pipeline --push REMOTE</c>, the merge workflow's mode: the version tags and the promotion branches reach the remote.</summary>
public sealed class PipelinePushTests
{
    private const string Token = "right-token-7c1e4a9b";
    private const string WrongToken = "wrong-token-9d2f03e6";

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

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

    [Fact]
    public async Task PipelineProcess_PushOverHttpWithTheToken_TagReachesTheServer()
    {
        using var repo = new ExampleRepository();
        using var root = new TempDirectory("mlops-pipeline-http");
        using var server = HttpRemote(repo, root);

        var (exit, output) = await RunAsync(repo, Token);

        Assert.True(exit == ExitCodes.Success, output);
        Assert.Equal(Git.Run(repo.Path, "rev-parse", "churn@v1"), Git.Run(root.Combine("repo.git"), "rev-parse", "churn@v1"));
        Assert.DoesNotContain(Token, output, StringComparison.Ordinal);

        // Packaging checks the ONNX export with ONNX Runtime, whose shape-merge warnings on the converter's
        // one-hot outputs are harmless (the export is compared row by row) and only noise in a CI log.
        Assert.DoesNotContain("[W:onnxruntime", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task PipelineProcess_PushOverHttpWithAWrongToken_OneLineNamesTheRemoteAndNothingPrintsTheToken()
    {
        using var repo = new ExampleRepository();
        using var root = new TempDirectory("mlops-pipeline-http");
        using var server = HttpRemote(repo, root);

        var (exit, output) = await RunAsync(repo, WrongToken);

        Assert.Equal(ExitCodes.CheckFailed, exit);
        var line = Assert.Single(output.Split('\n'), l => l.Contains("refused the credentials", StringComparison.Ordinal));
        Assert.StartsWith($"mlops: pushing churn@v1 to 'origin' failed: origin ({server.UrlOf("repo.git")}) refused the credentials from MLOPS_GIT_TOKEN", line, StringComparison.Ordinal);
        Assert.DoesNotContain(WrongToken, output, StringComparison.Ordinal);
        Assert.DoesNotContain(Token, output, StringComparison.Ordinal);
    }

    // A bare repository served over HTTP with basic authentication, as the repository's origin.
    private static GitHttpServer HttpRemote(ExampleRepository repo, TempDirectory root)
    {
        Git.InitAndCommit(repo.Path);
        Git.Run(root.Path, "init", "-q", "--bare", "repo.git");
        var server = new GitHttpServer(root.Path, "x-access-token", Token);
        Git.Run(repo.Path, "remote", "add", "origin", server.UrlOf("repo.git"));
        return server;
    }

    // mlops as its own process, as CI runs it, with the token in its environment and no other credentials.
    private static async Task<(int Exit, string Output)> RunAsync(ExampleRepository repo, string token)
    {
        using var process = DotNetProcess.Start(typeof(MlopsApp).Assembly.Location,
            ["pipeline", "--through", "package", "--push", "origin", "--repo", repo.Path], repo.Path, GitHttpServer.ClientEnvironment(token));
        var exit = await process.WaitForExitAsync(TimeSpan.FromMinutes(5), Ct);
        return (exit, process.Out + process.Error);
    }
}
