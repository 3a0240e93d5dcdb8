using System.Text.RegularExpressions;
using Mlops.Testing;

namespace Mlops.Cli.Tests.Commands.Pipeline;

/// <summary><c>mlops pipeline</c> on the example, through the real CLI, on a real git repository and a real folder store.</summary>
public sealed partial class PipelineCommandTests
{
    private static async Task<CliResult> OkAsync(params string[] args)
    {
        var result = await CliRunner.RunAsync(args);
        Assert.True(result.ExitCode == ExitCodes.Success, $"mlops {string.Join(' ', args)} exited {result.ExitCode}: {result.Error}{result.Out}");
        return result;
    }

    private static ExampleRepository CommittedExample()
    {
        var repo = new ExampleRepository();
        Git.InitAndCommit(repo.Path);
        return repo;
    }

    [Fact]
    public async Task Pipeline_Example_RunsEveryStageInOrderAndPromotes()
    {
        using var repo = CommittedExample();

        var result = await OkAsync("pipeline", "--environment", "staging", "--repo", repo.Path);

        var starts = new[] { "validate: ", "train churn: trained ", "evaluate churn: run ", "### Gate passed: churn ", "package churn: bundle ", "promote churn v1 to staging: commit " }
            .Select(prefix => Array.FindIndex(result.Lines, l => l.StartsWith(prefix, StringComparison.Ordinal)))
            .ToList();
        Assert.DoesNotContain(-1, starts);
        Assert.Equal(starts.Order(), starts);
        Assert.Contains("registered as churn@v1", result.Out, StringComparison.Ordinal);
        Assert.Matches(@"^pipeline through promote: validate \d+\.\d\d s, train \d+\.\d\d s, evaluate \d+\.\d\d s, gate \d+\.\d\d s, package \d+\.\d\d s, promote \d+\.\d\d s; \d+\.\d\d s in all$", result.Lines[^1]);
        Assert.Equal("churn@v1\n", Git.Run(repo.Path, "tag", "-l"));
        Assert.Contains("promote/churn-v1-staging", Git.Run(repo.Path, "branch", "--list", "promote/*"), StringComparison.Ordinal);
        Assert.Equal("", result.Error);
    }

    [Fact]
    public async Task Pipeline_SecondRunWithNothingChanged_IsACacheHitAtEveryStage()
    {
        using var repo = CommittedExample();
        await OkAsync("pipeline", "--environment", "staging", "--repo", repo.Path);
        var promotion = Git.Run(repo.Path, "rev-parse", "promote/churn-v1-staging");

        var again = await OkAsync("pipeline", "--environment", "staging", "--repo", repo.Path);

        Assert.Contains(again.Lines, l => l.StartsWith("train churn: cache hit, reusing run ", StringComparison.Ordinal));
        Assert.Contains(again.Lines, l => l.StartsWith("evaluate churn: ", StringComparison.Ordinal) && l.EndsWith("(cached evaluation; --force evaluates again)", StringComparison.Ordinal));
        Assert.Contains(again.Lines, l => l.StartsWith("package churn: ", StringComparison.Ordinal) && l.EndsWith("already registered as churn@v1", StringComparison.Ordinal));
        Assert.Contains(again.Lines, l => l.StartsWith("promote churn v1 to staging: already pinned", StringComparison.Ordinal));
        Assert.Equal("churn@v1\n", Git.Run(repo.Path, "tag", "-l"));
        Assert.Equal(promotion, Git.Run(repo.Path, "rev-parse", "promote/churn-v1-staging"));
    }

    [Fact]
    public async Task Pipeline_Example_WritesWhatTheSingleStageCommandsWrite()
    {
        using var repo = CommittedExample();
        await OkAsync("pipeline", "--environment", "staging", "--repo", repo.Path);
        var single = new List<string>();
        foreach (var args in new[] { new[] { "validate" }, ["train"], ["evaluate"], ["gate", "--environment", "staging"], ["package"], ["promote", "churn", "--to", "staging"] })
        {
            single.AddRange((await OkAsync([.. args, "--repo", repo.Path])).Lines);
        }

        var pipeline = (await OkAsync("pipeline", "--environment", "staging", "--repo", repo.Path)).Lines;

        Assert.Equal(single.Select(WithoutTimes), pipeline[..^1].Select(WithoutTimes));
    }

    [Fact]
    public async Task Pipeline_FailingGate_StopsWithExitOneBeforePackaging()
    {
        using var repo = new ExampleRepository();
        repo.Replace("models/churn.yaml", "  name: lbfgs", "  name: fasttree\n  params: { numberOfTrees: 1, numberOfLeaves: 2 }");
        Git.InitAndCommit(repo.Path);

        var result = await CliRunner.RunAsync("pipeline", "--environment", "staging", "--repo", repo.Path);

        Assert.Equal(ExitCodes.CheckFailed, result.ExitCode);
        Assert.Contains("### Gate FAILED: churn ", result.Out, StringComparison.Ordinal);
        Assert.DoesNotContain(result.Lines, l => l.StartsWith("package ", StringComparison.Ordinal) || l.StartsWith("promote ", StringComparison.Ordinal));
        Assert.StartsWith("pipeline stopped at gate: validate ", result.Lines[^1], StringComparison.Ordinal);
        Assert.Equal("mlops: gate failed (exit 1); its findings are above, and the stages after it did not run.\n", result.Error);
        Assert.Equal("", Git.Run(repo.Path, "tag", "-l"));
        Assert.False(Directory.Exists(repo.Combine(".mlops/store")));
    }

    [Fact]
    public async Task Pipeline_InvalidData_StopsAtValidateWithItsFindings()
    {
        using var repo = CommittedExample();
        repo.EditDataLine(2, line => line.Replace("\"Month-to-month\"", "\"Fortnightly\"", StringComparison.Ordinal));

        var result = await CliRunner.RunAsync("pipeline", "--environment", "staging", "--repo", repo.Path);
        var validate = await CliRunner.RunAsync("validate", "--repo", repo.Path);

        Assert.Equal(ExitCodes.CheckFailed, result.ExitCode);
        Assert.Equal(validate.Lines.Select(WithoutTimes), result.Lines[..^1].Select(WithoutTimes));
        Assert.Contains(": error MLOPS", result.Out, StringComparison.Ordinal);
        Assert.StartsWith("pipeline stopped at validate: validate ", result.Lines[^1], StringComparison.Ordinal);
        Assert.StartsWith("mlops: validate failed (exit 1)", result.Error, StringComparison.Ordinal);
        Assert.False(File.Exists(repo.Combine(".mlops/tracking.db")));
    }

    [Theory]
    [InlineData("gat", " Did you mean 'gate'?")]
    [InlineData("deploy", "")]
    public async Task Pipeline_UnknownStage_ExitsTwoNamingTheStages(string stage, string suggestion)
    {
        using var repo = CommittedExample();

        var result = await CliRunner.RunAsync("pipeline", "--through", stage, "--environment", "staging", "--repo", repo.Path);

        Assert.Equal(ExitCodes.BadInput, result.ExitCode);
        Assert.Equal($"mlops: '{stage}' is not a stage of the pipeline (--through); the stages are validate, train, evaluate, gate, package, promote.{suggestion}\n", result.Error);
        Assert.Equal("", result.Out);
        Assert.False(Directory.Exists(repo.Combine(".mlops")));
    }

    [Fact]
    public async Task Pipeline_PromoteWithoutEnvironment_ExitsTwoBeforeAnyWork()
    {
        using var repo = CommittedExample();

        var result = await CliRunner.RunAsync("pipeline", "--repo", repo.Path);

        Assert.Equal(ExitCodes.BadInput, result.ExitCode);
        Assert.Contains("the promote stage needs the environment to promote to. Pass --environment ENV, or stop before it with --through package.", result.Error, StringComparison.Ordinal);
        Assert.Equal("", result.Out);
        Assert.False(Directory.Exists(repo.Combine(".mlops")));
    }

    [Fact]
    public async Task Pipeline_ThroughEvaluateInAnyCase_StopsAfterEvaluate()
    {
        using var repo = CommittedExample();

        var result = await OkAsync("pipeline", "--through", "Evaluate", "--repo", repo.Path);

        Assert.Contains(result.Lines, l => l.StartsWith("evaluate churn: run ", StringComparison.Ordinal));
        Assert.DoesNotContain("### Gate", result.Out, StringComparison.Ordinal);
        Assert.StartsWith("pipeline through evaluate: validate ", result.Lines[^1], StringComparison.Ordinal);
        Assert.Equal("", Git.Run(repo.Path, "tag", "-l"));
    }

    [Fact]
    public async Task Pipeline_UnknownModel_ExitsTwoWithSuggestionAfterValidating()
    {
        using var repo = CommittedExample();

        var result = await CliRunner.RunAsync("pipeline", "chrun", "--through", "train", "--repo", repo.Path);

        Assert.Equal(ExitCodes.BadInput, result.ExitCode);
        Assert.Contains("no model is named 'chrun' in models/. Did you mean 'churn'?", result.Error, StringComparison.Ordinal);
        Assert.StartsWith("pipeline stopped at train: validate ", result.Lines[^1], StringComparison.Ordinal);
    }

    /// <summary>Timings differ from run to run; everything else must not.</summary>
    private static string WithoutTimes(string line) => Seconds().Replace(line, "in N s");

    [GeneratedRegex(@"in \d+\.\d+ s")]
    private static partial Regex Seconds();
}
