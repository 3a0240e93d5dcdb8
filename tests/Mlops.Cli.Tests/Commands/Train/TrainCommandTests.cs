using System.Text.Json;
using Mlops.Testing;

namespace Mlops.Cli.Tests.Commands.Train;

/// <summary>The train -> evaluate -> runs flow through the real CLI, on real files and a real SQLite run store.</summary>
public sealed class TrainCommandTests
{
    private static async Task<JsonElement> JsonAsync(params string[] args)
    {
        var result = await CliRunner.RunAsync([.. args, "--json"]);
        Assert.True(result.ExitCode == ExitCodes.Success, $"mlops {string.Join(' ', args)} exited {result.ExitCode}: {result.Error}{result.Out}");
        return JsonDocument.Parse(result.Out).RootElement.Clone();
    }

    [Fact]
    public async Task Train_Example_RecordsARunAndTheRerunIsACacheHit()
    {
        using var repo = new ExampleRepository();

        var first = await CliRunner.RunAsync("train", "--repo", repo.Path);
        var second = await CliRunner.RunAsync("train", "--repo", repo.Path);

        Assert.Equal(ExitCodes.Success, first.ExitCode);
        Assert.StartsWith("train churn: trained lbfgs on ", first.Lines[0], StringComparison.Ordinal);
        Assert.Equal("runs recorded in .mlops/tracking.db (mlops runs list)", first.Lines[^1]);
        Assert.True(File.Exists(repo.Combine(".mlops/tracking.db")));
        Assert.Equal(ExitCodes.Success, second.ExitCode);
        Assert.StartsWith("train churn: cache hit, reusing run ", second.Lines[0], StringComparison.Ordinal);

        var evaluation = await JsonAsync("evaluate", "churn", "--repo", repo.Path);
        var report = evaluation[0].GetProperty("report");
        Assert.True(report.GetProperty("metrics").GetProperty("auc").GetDouble() >= 0.83, "the default churn model must reach AUC 0.83 on the holdout");
        Assert.Equal(3, report.GetProperty("slices").GetArrayLength());
        Assert.False(evaluation[0].GetProperty("cached").GetBoolean());
        Assert.True((await JsonAsync("evaluate", "churn", "--repo", repo.Path))[0].GetProperty("cached").GetBoolean());
    }

    [Fact]
    public async Task RunsCompare_TwoRunsWithDifferentParameters_ShowsBothValuesAndMetricDeltas()
    {
        using var repo = SyntheticRepository.Create("binary-classification", "lbfgs");
        await JsonAsync("train", "--repo", repo.Path);
        await JsonAsync("evaluate", "--repo", repo.Path);
        repo.Replace("models/points.yaml", "  seed: 5", "  seed: 5\n  params: { l2Regularization: 5 }");
        await JsonAsync("train", "--repo", repo.Path);
        await JsonAsync("evaluate", "--repo", repo.Path);
        var runs = (await JsonAsync("runs", "list", "--repo", repo.Path)).GetProperty("runs");
        var newer = runs[0].GetProperty("id").GetString()!;
        var older = runs[1].GetProperty("id").GetString()!;

        var table = await CliRunner.RunAsync("runs", "compare", older, newer, "--repo", repo.Path);
        var json = await JsonAsync("runs", "compare", older, newer, "--repo", repo.Path);

        Assert.Equal(ExitCodes.Success, table.ExitCode);
        Assert.Contains("trainer.l2Regularization", table.Out, StringComparison.Ordinal);
        Assert.Contains(table.Lines, l => l.Contains("auc", StringComparison.Ordinal));
        var auc = json.GetProperty("metrics").EnumerateArray().Single(m => m.GetProperty("name").GetString() == "auc" && m.GetProperty("slice").GetString() == "");
        Assert.Equal(auc.GetProperty("b").GetDouble() - auc.GetProperty("a").GetDouble(), auc.GetProperty("delta").GetDouble(), 10);
    }

    [Fact]
    public async Task Train_DataSetTheToolHasNeverSeen_TrainsAndEvaluatesWithNoCode()
    {
        using var repo = SyntheticRepository.Create("multiclass-classification", "lightgbm");

        Assert.Equal(ExitCodes.Success, (await CliRunner.RunAsync("validate", "--repo", repo.Path)).ExitCode);
        var trained = await JsonAsync("train", "--repo", repo.Path);
        var evaluated = await JsonAsync("evaluate", "points", "--repo", repo.Path);

        Assert.Equal("points", trained.GetProperty("models")[0].GetProperty("model").GetString());
        Assert.False(trained.GetProperty("models")[0].GetProperty("cacheHit").GetBoolean());
        Assert.True(evaluated[0].GetProperty("report").GetProperty("metrics").GetProperty("microAccuracy").GetDouble() > 0.7);
    }

    [Fact]
    public async Task Train_UnknownTrainer_ExitsOneNamingTheFieldAndRecordsAFailedRun()
    {
        using var repo = SyntheticRepository.Create("binary-classification", "lightgmb");

        var result = await CliRunner.RunAsync("train", "--repo", repo.Path);

        Assert.Equal(ExitCodes.CheckFailed, result.ExitCode);
        Assert.StartsWith("models/points.yaml(", result.Lines[0], StringComparison.Ordinal);
        Assert.Contains("error MLOPS0501", result.Lines[0], StringComparison.Ordinal);
        Assert.Contains("'lightgbm'", result.Lines[0], StringComparison.Ordinal);
        var run = (await JsonAsync("runs", "list", "--repo", repo.Path)).GetProperty("runs")[0];
        Assert.Equal("failed", run.GetProperty("status").GetString());
    }

    [Fact]
    public async Task Train_ParameterOutOfRange_ExitsOneNamingTheParameter()
    {
        using var repo = SyntheticRepository.Create("binary-classification", "lightgbm", "");
        repo.Replace("models/points.yaml", "  seed: 5", "  seed: 5\n  params: { numberOfLeaves: 0 }");

        var result = await CliRunner.RunAsync("train", "--repo", repo.Path);

        Assert.Equal(ExitCodes.CheckFailed, result.ExitCode);
        Assert.Contains("error MLOPS0503", result.Out, StringComparison.Ordinal);
        Assert.Contains("numberOfLeaves", result.Out, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Train_DataChangedSinceDeclared_StopsBeforeAnyRunIsRecorded()
    {
        using var repo = SyntheticRepository.Create("binary-classification", "lbfgs");
        File.AppendAllText(repo.Combine("data/points.csv"), "2030-01-01T00:00:00Z,0.1,0.2,0.3,red,1,yes\n");

        var result = await CliRunner.RunAsync("train", "--repo", repo.Path);

        Assert.Equal(ExitCodes.CheckFailed, result.ExitCode);
        Assert.Contains("error MLOPS0402", result.Lines[0], StringComparison.Ordinal);
        Assert.Contains("run 'mlops validate' and fix them first", result.Error, StringComparison.Ordinal);
        Assert.False(File.Exists(repo.Combine(".mlops/tracking.db")));
    }

    [Fact]
    public async Task Train_LabelWithOneClass_ExitsOneAndRecordsTheErrorOnTheRun()
    {
        using var repo = SyntheticRepository.Create("binary-classification", "lbfgs");
        repo.Write("data/points.csv", repo.Read("data/points.csv").Replace(",no\n", ",yes\n", StringComparison.Ordinal));
        SyntheticRepository.RefreshDigest(repo);

        var result = await CliRunner.RunAsync("train", "--repo", repo.Path);

        Assert.Equal(ExitCodes.CheckFailed, result.ExitCode);
        Assert.Contains("MLOPS0504", result.Out + result.Error, StringComparison.Ordinal);
        var show = await JsonAsync("runs", "show", "points", "--repo", repo.Path);
        Assert.Equal("failed", show.GetProperty("status").GetString());
        Assert.Contains("MLOPS0504", show.GetRawText(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Evaluate_BeforeTraining_ExitsTwoSayingWhatToRun()
    {
        using var repo = SyntheticRepository.Create("regression", "lbfgs");

        var result = await CliRunner.RunAsync("evaluate", "points", "--repo", repo.Path);

        Assert.Equal(ExitCodes.BadInput, result.ExitCode);
        Assert.Contains("Run 'mlops train points' first.", result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Train_UnknownModelName_ExitsTwoWithSuggestion()
    {
        using var repo = new ExampleRepository();

        var result = await CliRunner.RunAsync("train", "chrun", "--repo", repo.Path);

        Assert.Equal(ExitCodes.BadInput, result.ExitCode);
        Assert.Contains("Did you mean 'churn'?", result.Error, StringComparison.Ordinal);
    }
}
