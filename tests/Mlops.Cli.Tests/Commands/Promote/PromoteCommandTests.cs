using System.Text.Json;
using Mlops.Testing;

namespace Mlops.Cli.Tests.Commands.Promote;

/// <summary>Two versions through staging and production, then a rollback, through the real CLI on a real git repository.</summary>
public sealed class PromoteCommandTests
{
    internal static async Task<CliResult> OkAsync(params string[] args)
    {
        var result = await CliRunner.RunAsync(args);
        Assert.True(result.ExitCode == ExitCodes.Success, $"mlops {string.Join(' ', args)} exited {result.ExitCode}: {result.Error}{result.Out}");
        return result;
    }

    /// <summary>Train, evaluate, package, then gate and promote to staging and production on the current branch (the UI tests release this way too).</summary>
    internal static async Task ReleaseAsync(string repo)
    {
        await OkAsync("train", "--repo", repo);
        await OkAsync("evaluate", "--repo", repo);
        await OkAsync("package", "--repo", repo);
        foreach (var environment in new[] { "staging", "production" })
        {
            await OkAsync("gate", "churn", "--environment", environment, "--repo", repo);
            await OkAsync("promote", "churn", "--to", environment, "--on-current-branch", "--repo", repo);
        }
    }

    private static int PinnedVersion(string repo, string environment)
    {
        var history = JsonDocument.Parse(CliRunner.RunAsync("history", environment, "--repo", repo, "--json").GetAwaiter().GetResult().Out).RootElement;
        var pins = history[0].GetProperty("pins");
        return pins.GetArrayLength() == 0 ? 0 : int.Parse(pins[0].GetString()!.Split("@v")[1], System.Globalization.CultureInfo.InvariantCulture);
    }

    [Fact]
    public async Task PromoteThenRollback_Production_RestoresThePreviousPinAndDiffExplainsBoth()
    {
        using var repo = new ExampleRepository();
        Git.InitAndCommit(repo.Path);
        await ReleaseAsync(repo.Path);
        repo.Replace("models/churn.yaml", "  seed: 42\n", "  seed: 42\n  params: { l2Regularization: 0.5 }\n");
        Git.CommitAll(repo.Path, "Stronger L2 regularisation for churn");
        await ReleaseAsync(repo.Path);

        var promotionDiff = await OkAsync("diff", "HEAD~1", "production", "--repo", repo.Path);
        var rollback = await OkAsync("rollback", "production", "--repo", repo.Path);
        var rollbackDiff = await OkAsync("diff", "HEAD~1", "production", "--repo", repo.Path);

        Assert.Equal(2, PinnedVersion(repo.Path, "staging"));
        Assert.Equal(1, PinnedVersion(repo.Path, "production"));
        Assert.Contains("| churn |", promotionDiff.Out, StringComparison.Ordinal);
        Assert.Contains("v1 -> v2", promotionDiff.Out.Replace("→", "->", StringComparison.Ordinal), StringComparison.Ordinal);
        Assert.Contains("auc ", promotionDiff.Out, StringComparison.Ordinal);
        Assert.StartsWith("rollback production: commit ", rollback.Out, StringComparison.Ordinal);
        Assert.Contains("undoes 'Promote churn v2 to production'", rollback.Out, StringComparison.Ordinal);
        Assert.Contains("v2 -> v1", rollbackDiff.Out.Replace("→", "->", StringComparison.Ordinal), StringComparison.Ordinal);
        Assert.Contains("Roll back production", Git.Run(repo.Path, "log", "-1", "--format=%s"), StringComparison.Ordinal);
        Git.Run(repo.Path, "fsck", "--full", "--strict");
    }

    [Fact]
    public async Task Promote_ToProductionBeforeStaging_IsRefusedAndWritesNothing()
    {
        using var repo = new ExampleRepository();
        Git.InitAndCommit(repo.Path);
        await OkAsync("train", "--repo", repo.Path);
        await OkAsync("evaluate", "--repo", repo.Path);
        await OkAsync("package", "--repo", repo.Path);
        await OkAsync("gate", "churn", "--environment", "production", "--repo", repo.Path);
        var head = Git.Run(repo.Path, "rev-parse", "HEAD");

        var result = await CliRunner.RunAsync("promote", "churn", "--to", "production", "--repo", repo.Path);

        Assert.Equal(ExitCodes.CheckFailed, result.ExitCode);
        Assert.Contains("production requires a version promoted to staging first", result.Error, StringComparison.Ordinal);
        Assert.Equal(head, Git.Run(repo.Path, "rev-parse", "HEAD"));
        Assert.Equal("", Git.Run(repo.Path, "branch", "--list", "promote/*"));
    }

    [Fact]
    public async Task Promote_TamperedDigestInEnvironmentFile_IsRefused()
    {
        using var repo = new ExampleRepository();
        Git.InitAndCommit(repo.Path);
        await OkAsync("train", "--repo", repo.Path);
        await OkAsync("evaluate", "--repo", repo.Path);
        await OkAsync("package", "--repo", repo.Path);
        await OkAsync("gate", "churn", "--environment", "staging", "--repo", repo.Path);
        await OkAsync("promote", "churn", "--to", "staging", "--on-current-branch", "--repo", repo.Path);
        var staging = repo.Read("environments/staging.yaml");
        var digest = staging[(staging.IndexOf("sha256:", StringComparison.Ordinal) + 7)..][..64];
        repo.Write("environments/staging.yaml", staging.Replace(digest, new string('0', 64), StringComparison.Ordinal));
        Git.CommitAll(repo.Path, "Tamper with the pin");

        var result = await CliRunner.RunAsync("promote", "churn", "--to", "staging", "--canary", "10", "--repo", repo.Path);

        Assert.Equal(ExitCodes.CheckFailed, result.ExitCode);
        Assert.Contains("sha256:" + new string('0', 64), result.Error, StringComparison.Ordinal);
    }
}
