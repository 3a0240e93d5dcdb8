using System.Globalization;
using System.Text.Json;
using Mlops.Testing;

namespace Mlops.Cli.Tests.Commands.Train;

/// <summary><c>data.split.folds</c> through the real CLI (train, runs show, evaluate, gate, package) on copies of the example.</summary>
public sealed class CrossValidationCommandTests
{
    private const string Split = "  split: { holdout: 0.2, seed: 42 }";

    [Fact]
    public async Task Train_FiveFolds_RecordsCvMeansIntervalsAndFoldsThenTheRerunIsCached()
    {
        using var repo = new ExampleRepository();
        await OkAsync("train", "--repo", repo.Path);
        var withoutFolds = (await JsonAsync("runs", "list", "--repo", repo.Path)).GetProperty("runs")[0];
        repo.Replace("models/churn.yaml", Split, "  split: { holdout: 0.2, seed: 42, folds: 5 }");

        var trained = await OkAsync("train", "--repo", repo.Path);
        var again = await OkAsync("train", "--repo", repo.Path);

        Assert.StartsWith("train churn: trained lbfgs on ", trained.Lines[0], StringComparison.Ordinal);
        Assert.StartsWith("train churn: cache hit, reusing run ", again.Lines[0], StringComparison.Ordinal);
        var run = (await JsonAsync("runs", "list", "--repo", repo.Path)).GetProperty("runs")[0];
        var id = run.GetProperty("id").GetString()!;
        Assert.NotEqual(withoutFolds.GetProperty("id").GetString(), id);
        // The packaged model is fitted on the same rows as without folds: the same bytes.
        Assert.Equal(withoutFolds.GetProperty("artifact").GetProperty("digest").GetString(), run.GetProperty("artifact").GetProperty("digest").GetString());

        var shown = await JsonAsync("runs", "show", id, "--repo", repo.Path);
        var metrics = shown.GetProperty("metrics").EnumerateArray().ToList();
        var auc = metrics.Single(m => Is(m, "auc", "cv"));
        var folds = Enumerable.Range(1, 5).Select(k => metrics.Single(m => Is(m, "auc", $"cv-fold-{k}")).GetProperty("value").GetDouble()).ToArray();
        Assert.Equal(folds.Average(), auc.GetProperty("value").GetDouble(), 12);
        Assert.InRange(auc.GetProperty("value").GetDouble(), 0.8, 0.9);
        Assert.True(auc.GetProperty("ciLow").GetDouble() < auc.GetProperty("value").GetDouble());
        Assert.True(auc.GetProperty("ciHigh").GetDouble() > auc.GetProperty("value").GetDouble());
        var sd = metrics.Single(m => Is(m, "auc", "cv-sd")).GetProperty("value").GetDouble();
        Assert.Equal(Math.Sqrt(folds.Sum(v => (v - folds.Average()) * (v - folds.Average())) / 4), sd, 12);
        Assert.Equal(5, Enumerable.Range(1, 5).Count(k => metrics.Any(m => Is(m, "rows", $"cv-fold-{k}"))));
        var cv = shown.GetProperty("crossValidation");
        Assert.Equal(5, cv.GetProperty("folds").GetInt32());
        Assert.Equal(folds, cv.GetProperty("metrics").GetProperty("auc").GetProperty("folds").EnumerateArray().Select(v => v.GetDouble()));
        Assert.Equal(sd, cv.GetProperty("metrics").GetProperty("auc").GetProperty("sd").GetDouble());

        var table = await OkAsync("runs", "show", id, "--repo", repo.Path);
        Assert.Contains("Cross-validation (5 folds)", table.Out, StringComparison.Ordinal);
        var row = table.Lines.Single(l => l.StartsWith("│ auc ", StringComparison.Ordinal) && l.Contains(" ± ", StringComparison.Ordinal));
        Assert.Contains(string.Create(CultureInfo.InvariantCulture, $"{auc.GetProperty("value").GetDouble():0.####} ± {sd:0.####}"), row, StringComparison.Ordinal);
        Assert.Contains(string.Create(CultureInfo.InvariantCulture, $"{folds[4]:0.####}"), row, StringComparison.Ordinal);

        // Compared with other runs, the mean is a column; the spread and the folds stay in runs show.
        var header = (await OkAsync("runs", "compare", "--model", "churn", "--last", "2", "--csv", "--repo", repo.Path)).Lines[0].Split(',');
        Assert.Contains("metrics.cv:auc", header);
        Assert.Contains("params.split.folds", header);
        Assert.DoesNotContain(header, h => h.Contains("cv-", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Pipeline_HoldoutZeroWithFolds_EvaluatesAndGatesOnTheCvMeansThenPackagesAndPromotes()
    {
        using var repo = new ExampleRepository();
        repo.Replace("models/churn.yaml", Split, "  split: { holdout: 0, seed: 42, folds: 5 }");
        Git.InitAndCommit(repo.Path);

        var pipeline = await OkAsync("pipeline", "--environment", "staging", "--repo", repo.Path);

        Assert.Contains("registered as churn@v1", pipeline.Out, StringComparison.Ordinal);
        var evaluation = (await JsonAsync("evaluate", "churn", "--repo", repo.Path))[0];
        var report = evaluation.GetProperty("report");
        Assert.Equal("cv", report.GetProperty("evaluatedOn").GetString());
        Assert.Equal(7043, report.GetProperty("holdoutRows").GetInt32());
        Assert.Equal(3, report.GetProperty("slices").GetArrayLength());
        var run = evaluation.GetProperty("runId").GetString()!;
        var metrics = (await JsonAsync("runs", "show", run, "--repo", repo.Path)).GetProperty("metrics").EnumerateArray().ToList();
        var cvAuc = metrics.Single(m => Is(m, "auc", "cv"));
        Assert.Equal(cvAuc.GetProperty("value").GetDouble(), report.GetProperty("metrics").GetProperty("auc").GetDouble());
        Assert.Equal(cvAuc.GetProperty("ciLow").GetDouble(), report.GetProperty("intervals").GetProperty("auc").GetProperty("low").GetDouble());
        Assert.DoesNotContain(metrics, m => Is(m, "auc", "holdout"));
        Assert.Contains(metrics, m => Is(m, "p99LatencyMs", "train"));
        Assert.Equal(0, metrics.Single(m => Is(m, "holdoutRows", "holdout")).GetProperty("value").GetDouble());

        var gate = await CliRunner.RunAsync("gate", "churn", "--environment", "staging", "--repo", repo.Path);
        Assert.True(gate.ExitCode == 0, gate.Out + gate.Error);
        var aucRow = gate.Lines.First(l => l.StartsWith("| auc >= 0.8 | overall | ", StringComparison.Ordinal));
        Assert.Contains(string.Create(CultureInfo.InvariantCulture, $"| {cvAuc.GetProperty("value").GetDouble():0.####} |"), aucRow, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Gate_HoldoutZeroAndAThresholdAboveTheCvMean_FailsOnTheCvMean()
    {
        using var repo = new ExampleRepository();
        repo.Replace("models/churn.yaml", Split, "  split: { holdout: 0, seed: 42, folds: 4 }");
        repo.Replace("models/churn.yaml", "{ metric: auc, threshold: 0.80 }", "{ metric: auc, threshold: 0.95 }");
        Git.InitAndCommit(repo.Path);
        await OkAsync("train", "--repo", repo.Path);
        await OkAsync("evaluate", "--repo", repo.Path);

        var gate = await CliRunner.RunAsync("gate", "churn", "--environment", "staging", "--repo", repo.Path);

        Assert.Equal(1, gate.ExitCode);
        Assert.Contains(gate.Lines, l => l.StartsWith("| auc >= 0.95 | overall | 0.8", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("  split: { holdout: 0.2, seed: 42, folds: 1 }", "models/churn.yaml(11,43): error MLOPS0009: 'data.split.folds' is 1, outside the allowed range [2, 20]. Use a value inside it.")]
    [InlineData("  split: { holdout: 0, seed: 42 }", "models/churn.yaml(11,21): error MLOPS0214: 'holdout' is 0, which leaves no rows to evaluate the model on. Add 'folds: 5'")]
    [InlineData("  split: { holdout: 0.2, seed: 42, folds: 5, timeColumn: tenure }", "models/churn.yaml(11,43): error MLOPS0214: 'folds' cannot be combined with 'timeColumn'")]
    public async Task Validate_BadFolds_NamesFileLineAndTheFix(string split, string expected)
    {
        using var repo = new ExampleRepository();
        repo.Replace("models/churn.yaml", Split, split);

        var result = await CliRunner.RunAsync("validate", "--repo", repo.Path);

        Assert.Equal(1, result.ExitCode);
        Assert.Contains(expected, result.Out + result.Error, StringComparison.Ordinal);
    }

    private static bool Is(JsonElement metric, string name, string split) =>
        metric.GetProperty("name").GetString() == name && metric.GetProperty("split").GetString() == split && metric.GetProperty("slice").GetString() == "";

    private static async Task<CliResult> OkAsync(params string[] args) => await CliRunner.SucceedAsync(args);

    private static async Task<JsonElement> JsonAsync(params string[] args)
    {
        var result = await CliRunner.SucceedAsync([.. args, "--json"]);
        return JsonDocument.Parse(result.Out).RootElement.Clone();
    }
}
