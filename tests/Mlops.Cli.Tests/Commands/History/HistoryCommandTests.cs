using System.Text.Json;
using Mlops.Testing;

namespace Mlops.Cli.Tests.Commands.History;

/// <summary><c>mlops history ENV</c> (table and <c>--json</c>) on a real repository whose environment changed through a merged pull request.</summary>
public sealed class HistoryCommandTests
{
    [Fact]
    public async Task HistoryJson_MergedPullRequest_NamesItsNumberAndWhoMerged()
    {
        using var repo = new ExampleRepository();
        Git.InitAndCommit(repo.Path);
        Git.Run(repo.Path, "checkout", "-q", "-b", "promote/churn-v1-staging");
        File.AppendAllText(repo.Combine("environments/staging.yaml"), "# reviewed\n");
        Git.CommitAll(repo.Path, "Promote churn v1 to staging");
        Git.Run(repo.Path, "checkout", "-q", "main");
        Git.Run(repo.Path, "-c", "user.name=Rita Reviewer", "-c", "user.email=rita@example.com", "merge", "-q", "--no-ff", "-m", "Merge pull request #7 from acme/promote/churn-v1-staging", "promote/churn-v1-staging");

        var result = await CliRunner.RunAsync("history", "staging", "--repo", repo.Path, "--json");

        Assert.True(result.ExitCode == ExitCodes.Success, result.Error);
        var history = JsonDocument.Parse(result.Out).RootElement;
        Assert.Equal(7, history[0].GetProperty("pullRequest").GetInt32());
        Assert.Equal("Rita Reviewer <rita@example.com>", history[0].GetProperty("author").GetString());
        Assert.Equal(JsonValueKind.Null, history[1].GetProperty("pullRequest").ValueKind);

        // The table people read shows the same: the pull request and who merged it.
        var table = await CliRunner.RunAsync("history", "staging", "--repo", repo.Path);
        Assert.True(table.ExitCode == ExitCodes.Success, table.Error);
        var merged = table.Out.Split('\n').First(l => l.Contains("Merge pull request", StringComparison.Ordinal));
        Assert.Contains("#7", merged, StringComparison.Ordinal);
        Assert.Contains("Rita Reviewer", table.Out, StringComparison.Ordinal);
    }
}
