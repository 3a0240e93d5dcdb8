using System.Text.Json;
using Mlops.Declarations.Diagnostics;
using Mlops.Pipeline.Evaluation;
using Mlops.Pipeline.Tracking;

namespace Mlops.Cli.Tests.Commands.Runs;

public sealed class RunsCommandTests : IDisposable
{
    private readonly RunsFixture _fixture = new();

    public void Dispose() => _fixture.Dispose();

    private static Dictionary<string, string> Params(string l2) => new() { ["trainer"] = "lbfgs", ["l2Regularization"] = l2, ["seed"] = "42" };

    private Task<IReadOnlyList<string>> SeedTwoRunsAsync() => _fixture.SeedAsync(
        _fixture.Succeeded("churn", Params("1"), new RunMetric("auc", 0.8312), new RunMetric("recall", 0.52), new RunMetric("recall", 0.41, Slice: "contract=One year")),
        _fixture.Succeeded("churn", Params("0.1"), new RunMetric("auc", 0.8412), new RunMetric("recall", 0.50), new RunMetric("recall", 0.45, Slice: "contract=One year")));

    [Fact]
    public async Task RunsList_NoRunStore_SaysSoAndExitsZero()
    {
        var result = await _fixture.RunAsync("runs", "list", "--repo", _fixture.Repo.Path);

        Assert.Equal(ExitCodes.Success, result.ExitCode);
        Assert.Contains("No runs recorded yet in", result.Out, StringComparison.Ordinal);
        Assert.Contains("mlops train", result.Out, StringComparison.Ordinal);
        Assert.False(File.Exists(_fixture.DatabasePath), "listing must not create a run store");
    }

    [Fact]
    public async Task RunsList_TwoRuns_ShowsThemNewestFirstWithHeadlineMetrics()
    {
        var ids = await SeedTwoRunsAsync();

        var result = await _fixture.RunAsync("runs", "list", "--repo", _fixture.Repo.Path);

        Assert.Equal(ExitCodes.Success, result.ExitCode);
        Assert.True(result.Console.IndexOf(ids[1], StringComparison.Ordinal) < result.Console.IndexOf(ids[0], StringComparison.Ordinal));
        Assert.Contains("succeeded", result.Console, StringComparison.Ordinal);
        Assert.Contains("auc 0.8412, recall 0.5", result.Console, StringComparison.Ordinal);
        Assert.Contains("0123456789ab", result.Console, StringComparison.Ordinal);
        Assert.Contains("2 run(s) from", result.Out, StringComparison.Ordinal);
    }

    [Fact]
    public async Task RunsList_OtherModel_SaysNoRunsOfThatModel()
    {
        await SeedTwoRunsAsync();

        var result = await _fixture.RunAsync("runs", "list", "other", "--repo", _fixture.Repo.Path);

        Assert.Equal(ExitCodes.Success, result.ExitCode);
        Assert.Contains("No runs of model 'other' recorded yet", result.Out, StringComparison.Ordinal);
    }

    [Fact]
    public async Task RunsList_Json_HasEveryRunWithItsFields()
    {
        var ids = await SeedTwoRunsAsync();

        var result = await _fixture.RunAsync("runs", "list", "churn", "--limit", "1", "--json", "--repo", _fixture.Repo.Path);

        Assert.Equal(ExitCodes.Success, result.ExitCode);
        Assert.Empty(result.Console);
        using var json = JsonDocument.Parse(result.Out);
        Assert.Equal(_fixture.DatabasePath, json.RootElement.GetProperty("database").GetString());
        var run = Assert.Single(json.RootElement.GetProperty("runs").EnumerateArray());
        Assert.Equal(ids[1], run.GetProperty("id").GetString());
        Assert.Equal("succeeded", run.GetProperty("status").GetString());
        Assert.Equal(4.2, run.GetProperty("durationSeconds").GetDouble(), 6);
        Assert.Equal("0.1", run.GetProperty("params").GetProperty("l2Regularization").GetString());
        Assert.Equal("0123456789abcdef0123456789abcdef01234567", run.GetProperty("git").GetProperty("commit").GetString());
        Assert.False(run.GetProperty("git").GetProperty("dirty").GetBoolean());
        Assert.Equal("5.0.1", run.GetProperty("toolchain").GetProperty("mlnet").GetString());
        Assert.Equal(3, run.GetProperty("metrics").GetArrayLength());
        Assert.Equal(JsonValueKind.Null, run.GetProperty("error").ValueKind);
    }

    [Fact]
    public async Task RunsList_LimitBelowOne_IsAUsageError()
    {
        var result = await _fixture.RunAsync("runs", "list", "--limit", "0", "--repo", _fixture.Repo.Path);

        Assert.Equal(ExitCodes.BadInput, result.ExitCode);
        Assert.Contains("--limit must be 1 or more.", result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task RunsCompare_TwoRunsWithDifferentParams_ShowsBothValuesAndTheMetricDelta()
    {
        var ids = await SeedTwoRunsAsync();

        var result = await _fixture.RunAsync("runs", "compare", ids[0], ids[1], "--repo", _fixture.Repo.Path);

        Assert.Equal(ExitCodes.Success, result.ExitCode);
        var l2 = Assert.Single(result.Console.Split('\n'), line => line.Contains("l2Regularization", StringComparison.Ordinal));
        Assert.Matches(@"l2Regularization\s+│\s+1\s+│\s+0\.1\s+│\s+changed", l2);
        var trainer = Assert.Single(result.Console.Split('\n'), line => line.Contains("trainer ", StringComparison.Ordinal));
        Assert.DoesNotContain("changed", trainer, StringComparison.Ordinal);
        var auc = Assert.Single(result.Console.Split('\n'), line => line.Contains("│ auc", StringComparison.Ordinal));
        Assert.Matches(@"0\.8312\s+│\s+0\.8412\s+│\s+\+0\.01", auc);
        Assert.Contains("-0.02", result.Console, StringComparison.Ordinal); // recall overall: 0.50 - 0.52
        Assert.Contains("contract=One year", result.Console, StringComparison.Ordinal);
        Assert.Contains($"A: {ids[0]} (churn, succeeded", result.Console, StringComparison.Ordinal);
    }

    [Fact]
    public async Task RunsCompare_Json_HasParamsSideBySideAndMetricDeltas()
    {
        var ids = await SeedTwoRunsAsync();

        var result = await _fixture.RunAsync("runs", "compare", ids[0][..19], "latest", "--json", "--repo", _fixture.Repo.Path);

        Assert.Equal(ExitCodes.Success, result.ExitCode);
        using var json = JsonDocument.Parse(result.Out);
        var root = json.RootElement;
        Assert.Equal(ids[0], root.GetProperty("a").GetProperty("id").GetString());
        Assert.Equal(ids[1], root.GetProperty("b").GetProperty("id").GetString());
        var l2 = root.GetProperty("params").EnumerateArray().Single(p => p.GetProperty("name").GetString() == "l2Regularization");
        Assert.Equal("1", l2.GetProperty("a").GetString());
        Assert.Equal("0.1", l2.GetProperty("b").GetString());
        Assert.True(l2.GetProperty("changed").GetBoolean());
        var auc = root.GetProperty("metrics").EnumerateArray().Single(m => m.GetProperty("name").GetString() == "auc");
        Assert.Equal(0.8312, auc.GetProperty("a").GetDouble());
        Assert.Equal(0.8412, auc.GetProperty("b").GetDouble());
        Assert.Equal(0.01, auc.GetProperty("delta").GetDouble());
        Assert.Equal("holdout", auc.GetProperty("split").GetString());
        Assert.Equal("", auc.GetProperty("slice").GetString());
        Assert.Contains(root.GetProperty("inputs").EnumerateArray(), i => i.GetProperty("name").GetString() == "cacheKey" && i.GetProperty("changed").GetBoolean());
    }

    [Fact]
    public async Task RunsCompare_UnknownRun_ExitsTwoSayingWhatToRun()
    {
        var ids = await SeedTwoRunsAsync();

        var result = await _fixture.RunAsync("runs", "compare", ids[0], "nosuchrun", "--repo", _fixture.Repo.Path);

        Assert.Equal(ExitCodes.BadInput, result.ExitCode);
        Assert.StartsWith("mlops: no run matches 'nosuchrun'", result.Error, StringComparison.Ordinal);
        Assert.Contains("Run 'mlops runs list'", result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task RunsShow_AmbiguousPrefix_ExitsTwoListingTheCandidates()
    {
        var ids = await SeedTwoRunsAsync();

        var result = await _fixture.RunAsync("runs", "show", "2026", "--repo", _fixture.Repo.Path);

        Assert.Equal(ExitCodes.BadInput, result.ExitCode);
        Assert.Contains("run '2026' is ambiguous", result.Error, StringComparison.Ordinal);
        Assert.Contains(ids[0], result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task RunsShow_NoRunStore_ExitsTwoSayingToTrainFirst()
    {
        var result = await _fixture.RunAsync("runs", "show", "latest", "--repo", _fixture.Repo.Path);

        Assert.Equal(ExitCodes.BadInput, result.ExitCode);
        Assert.Contains("does not exist. Train a model with 'mlops train' first", result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task RunsShow_ModelName_ShowsItsLatestRunWithParamsMetricsAndProvenance()
    {
        var ids = await SeedTwoRunsAsync();

        var result = await _fixture.RunAsync("runs", "show", "churn", "--repo", _fixture.Repo.Path);

        Assert.Equal(ExitCodes.Success, result.ExitCode);
        Assert.Contains(ids[1], result.Console, StringComparison.Ordinal);
        Assert.Contains("0123456789abcdef0123456789abcdef01234567", result.Console, StringComparison.Ordinal);
        Assert.Contains("2026-11-23 09:01:04", result.Console, StringComparison.Ordinal); // started after the first run and a minute
        Assert.Contains("4.2 s", result.Console, StringComparison.Ordinal);
        Assert.Matches(@"l2Regularization\s+│\s+0\.1", result.Console);
        Assert.Matches(@"recall\s+│\s+holdout\s+│\s+contract=One year\s+│\s+0\.45", result.Console);
        Assert.Contains("artifacts/churn/model.zip", result.Console, StringComparison.Ordinal);
    }

    [Fact]
    public async Task RunsShow_MetricWithInterval_ShowsItBesideTheValue_AndJsonCarriesCiLowAndCiHigh()
    {
        var ids = await _fixture.SeedAsync(_fixture.Succeeded("churn", Params("1"),
            new RunMetric("auc", 0.842) { Interval = new MetricInterval(0.818, 0.866) }, new RunMetric("p99LatencyMs", 0.07)));

        var shown = await _fixture.RunAsync("runs", "show", ids[0], "--repo", _fixture.Repo.Path);
        var json = await _fixture.RunAsync("runs", "show", ids[0], "--json", "--repo", _fixture.Repo.Path);

        Assert.Equal(ExitCodes.Success, shown.ExitCode);
        Assert.Matches(@"auc\s+│\s+holdout\s+│\s+│\s+0\.842 \[0\.818, 0\.866\]", shown.Console);
        Assert.Matches(@"p99LatencyMs\s+│\s+holdout\s+│\s+│\s+0\.07\s+│", shown.Console);
        using var document = JsonDocument.Parse(json.Out);
        var metrics = document.RootElement.GetProperty("metrics").EnumerateArray().ToList();
        Assert.Equal((0.818, 0.866), (metrics[0].GetProperty("ciLow").GetDouble(), metrics[0].GetProperty("ciHigh").GetDouble()));
        Assert.Equal(JsonValueKind.Null, metrics[1].GetProperty("ciLow").ValueKind);
    }

    [Fact]
    public async Task RunsShow_FailedRun_ShowsItsErrorInCompilerFormat()
    {
        var ids = await _fixture.SeedAsync(_fixture.Failed("churn",
            new RunError("trainer 'lgbm' does not exist. Use one of: lightgbm, fasttree.", "MLOPS0501", new SourceLocation("models/churn.yaml", 12, 9))));

        var result = await _fixture.RunAsync("runs", "show", ids[0], "--repo", _fixture.Repo.Path);

        Assert.Equal(ExitCodes.Success, result.ExitCode);
        Assert.Contains("failed", result.Console, StringComparison.Ordinal);
        Assert.Contains("models/churn.yaml(12,9): error MLOPS0501: trainer 'lgbm' does not exist.", result.Console, StringComparison.Ordinal);
    }

    [Fact]
    public async Task RunsShow_Json_EmbedsAttachmentsAsJson()
    {
        var ids = await SeedTwoRunsAsync();

        var result = await _fixture.RunAsync("runs", "show", ids[0], "--json", "--repo", _fixture.Repo.Path);

        Assert.Equal(ExitCodes.Success, result.ExitCode);
        using var json = JsonDocument.Parse(result.Out);
        Assert.Equal(ids[0], json.RootElement.GetProperty("id").GetString());
        Assert.Equal(1462, json.RootElement.GetProperty("attachments").GetProperty("evaluation").GetProperty("rows").GetInt32());
        Assert.Equal("sha256:artifact", json.RootElement.GetProperty("artifact").GetProperty("digest").GetString());
    }

    [Fact]
    public async Task RunsShow_TrackingDbOption_ReadsThatStore()
    {
        var elsewhere = _fixture.Repo.Combine("elsewhere/runs.db");
        await using (var store = await RunStore.OpenAsync(elsewhere, _fixture.Time, TestContext.Current.CancellationToken))
        {
            await store.StartRunAsync(new RunStart { Model = "moved" }, TestContext.Current.CancellationToken);
        }

        var result = await _fixture.RunAsync("runs", "show", "moved", "--tracking-db", "elsewhere/runs.db", "--repo", _fixture.Repo.Path);

        Assert.Equal(ExitCodes.Success, result.ExitCode);
        Assert.Contains("running for", result.Console, StringComparison.Ordinal);
    }
}
