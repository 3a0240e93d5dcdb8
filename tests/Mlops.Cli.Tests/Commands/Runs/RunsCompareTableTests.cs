using System.Globalization;
using System.Text.Json;
using Microsoft.VisualBasic.FileIO;
using Mlops.Pipeline.Tracking;

namespace Mlops.Cli.Tests.Commands.Runs;

/// <summary><c>mlops runs compare</c> with many runs: one table, CSV and JSON, sorting, and its errors.</summary>
public sealed class RunsCompareTableTests : IDisposable
{
    private readonly RunsFixture _fixture = new();

    public void Dispose() => _fixture.Dispose();

    private static Dictionary<string, string> Params(string l2, string? note = null)
    {
        var parameters = new Dictionary<string, string> { ["trainer"] = "lbfgs", ["l2Regularization"] = l2, ["seed"] = "42" };
        if (note is not null)
        {
            parameters["note"] = note;
        }

        return parameters;
    }

    /// <summary>Six churn runs (the oldest falls outside --last 5) and one of another model, recorded last.</summary>
    private Task<IReadOnlyList<string>> SeedAsync() => _fixture.SeedAsync(
        _fixture.Succeeded("churn", Params("9"), new RunMetric("auc", 0.70), new RunMetric("logLoss", 0.60)),
        _fixture.Succeeded("churn", Params("1"), new RunMetric("auc", 0.8312), new RunMetric("logLoss", 0.45), new RunMetric("recall", 0.41, Slice: "contract=One year")),
        _fixture.Succeeded("churn", Params("0.1", "lr, \"fast\"\nsecond line"), new RunMetric("auc", 0.8412), new RunMetric("logLoss", 0.44)),
        _fixture.Succeeded("churn", Params("0.01"), new RunMetric("auc", 0.1 + 0.2), new RunMetric("logLoss", 0.61)),
        _fixture.Succeeded("churn", Params("0.5"), new RunMetric("auc", 0.85), new RunMetric("logLoss", 0.40), new RunMetric("auc", 0.9, RunMetric.Train)),
        _fixture.Succeeded("churn", Params("2"), new RunMetric("auc", 0.80), new RunMetric("logLoss", 0.50)),
        _fixture.Succeeded("other", Params("3"), new RunMetric("rmse", 1.5)));

    private static List<string[]> ParseCsv(string text)
    {
        using var parser = new TextFieldParser(new StringReader(text)) { HasFieldsEnclosedInQuotes = true, TrimWhiteSpace = false };
        parser.SetDelimiters(",");
        var rows = new List<string[]>();
        while (!parser.EndOfData)
        {
            rows.Add(parser.ReadFields()!);
        }

        return rows;
    }

    private async Task<IReadOnlyList<Run>> StoredAsync(string model, int last)
    {
        await using var store = await RunStore.OpenAsync(_fixture.DatabasePath, _fixture.Time, TestContext.Current.CancellationToken);
        return await store.ListAsync(model, last, TestContext.Current.CancellationToken);
    }

    [Fact]
    public async Task ModelLast5_PrintsOneTableWithEveryRunAndTheMetricColumns()
    {
        var ids = await SeedAsync();

        var result = await _fixture.RunAsync("runs", "compare", "--model", "churn", "--last", "5", "--repo", _fixture.Repo.Path);

        Assert.Equal(ExitCodes.Success, result.ExitCode);
        Assert.Equal("", result.Error);
        var lines = result.Console.Split('\n');
        var header = Assert.Single(lines, line => line.Contains("│ Run ", StringComparison.Ordinal));
        foreach (var column in new[] { "Model", "Status", "Started (UTC)", "Data", "Trainer", "l2Regularization", "seed", "note", "auc", "logLoss", "train:auc", "recall[contract=One year]" })
        {
            Assert.Contains(" " + column + " ", header, StringComparison.Ordinal);
        }

        Assert.DoesNotContain("rmse", header, StringComparison.Ordinal);
        foreach (var id in ids.Skip(1).Take(5))
        {
            var row = Assert.Single(lines, line => line.Contains(id, StringComparison.Ordinal));
            Assert.Contains("│ churn │ succeeded │", row, StringComparison.Ordinal);
        }

        Assert.DoesNotContain(ids[0], result.Console, StringComparison.Ordinal);
        Assert.DoesNotContain(ids[6], result.Console, StringComparison.Ordinal);
        // Newest first, as 'runs list' orders them.
        Assert.True(result.Console.IndexOf(ids[5], StringComparison.Ordinal) < result.Console.IndexOf(ids[1], StringComparison.Ordinal));
        Assert.Matches(@"│\s+0\.8412\s+│\s+0\.44\s+│", Assert.Single(lines, line => line.Contains(ids[2], StringComparison.Ordinal)));
    }

    [Fact]
    public async Task Csv_ParsesWithAHeaderAndARowPerRun_ValuesEqualTheStoresInFullPrecision()
    {
        await SeedAsync();

        var result = await _fixture.RunAsync("runs", "compare", "--model", "churn", "--last", "5", "--csv", "--repo", _fixture.Repo.Path);

        Assert.Equal(ExitCodes.Success, result.ExitCode);
        Assert.Equal("", result.Console);
        var rows = ParseCsv(result.Out);
        var stored = await StoredAsync("churn", 5);
        Assert.Equal(stored.Count + 1, rows.Count);
        var header = rows[0].ToList();
        Assert.Equal(["id", "model", "status", "startedAt", "dataDigest", "trainer"], header.Take(6));
        Assert.All(rows, row => Assert.Equal(header.Count, row.Length));
        for (var i = 0; i < stored.Count; i++)
        {
            var run = stored[i];
            var row = rows[i + 1];
            Assert.Equal(run.Id, row[0]);
            Assert.Equal("churn", row[1]);
            Assert.Equal(run.StartedAt, DateTimeOffset.Parse(row[3], CultureInfo.InvariantCulture));
            Assert.Equal(run.DataDigest, row[4]);
            Assert.Equal(run.Params["trainer"], row[5]);
            foreach (var (name, value) in run.Params.Where(p => p.Key != "trainer"))
            {
                Assert.Equal(value, row[header.IndexOf("params." + name)]);
            }

            foreach (var metric in run.Metrics)
            {
                var column = (metric.Split == RunMetric.Holdout ? "" : metric.Split + ":") + metric.Name + (metric.Slice.Length == 0 ? "" : $"[{metric.Slice}]");
                Assert.Equal(metric.Value, double.Parse(row[header.IndexOf("metrics." + column)], CultureInfo.InvariantCulture));
            }
        }

        var fullPrecision = rows.Single(r => r[header.IndexOf("params.l2Regularization")] == "0.01");
        Assert.Equal("0.30000000000000004", fullPrecision[header.IndexOf("metrics.auc")]);
        Assert.Equal("", fullPrecision[header.IndexOf("metrics.recall[contract=One year]")]); // blank where a run lacks a metric
        Assert.Equal("", fullPrecision[header.IndexOf("params.note")]);
    }

    [Fact]
    public async Task Csv_ParamWithCommaQuoteAndNewline_SurvivesQuoted()
    {
        await SeedAsync();

        var result = await _fixture.RunAsync("runs", "compare", "--model", "churn", "--last", "5", "--csv", "--repo", _fixture.Repo.Path);

        Assert.Contains("\"lr, \"\"fast\"\"\nsecond line\"", result.Out, StringComparison.Ordinal);
        var rows = ParseCsv(result.Out);
        var note = rows[0].ToList().IndexOf("params.note");
        Assert.Single(rows, row => row[note] == "lr, \"fast\"\nsecond line");
    }

    [Theory]
    [InlineData("auc", null, new[] { "0.85", "0.8412", "0.8312", "0.8", "0.30000000000000004" })]
    [InlineData("metrics.auc", "--asc", new[] { "0.30000000000000004", "0.8", "0.8312", "0.8412", "0.85" })]
    [InlineData("logLoss", null, new[] { "0.85", "0.8412", "0.8312", "0.8", "0.30000000000000004" })] // lower is better: smallest first
    [InlineData("params.l2Regularization", null, new[] { "0.30000000000000004", "0.8412", "0.85", "0.8312", "0.8" })] // 0.01, 0.1, 0.5, 1, 2: as numbers
    [InlineData("recall[contract=One year]", null, new[] { "0.8312", "0.8", "0.85", "0.30000000000000004", "0.8412" })] // runs lacking it last, in their order
    public async Task Sort_OrdersRowsByTheColumn(string column, string? direction, string[] expectedAuc)
    {
        await SeedAsync();
        string[] args = ["runs", "compare", "--model", "churn", "--last", "5", "--csv", "--sort", column, "--repo", _fixture.Repo.Path];
        if (direction is not null)
        {
            args = [.. args, direction];
        }

        var result = await _fixture.RunAsync(args);

        Assert.Equal(ExitCodes.Success, result.ExitCode);
        var rows = ParseCsv(result.Out);
        var auc = rows[0].ToList().IndexOf("metrics.auc");
        Assert.Equal(expectedAuc, rows.Skip(1).Select(r => r[auc]));
    }

    [Fact]
    public async Task NamedRuns_MoreThanTwo_TableInTheOrderGiven_JsonHasColumnsAndRows()
    {
        var ids = await SeedAsync();

        var result = await _fixture.RunAsync("runs", "compare", ids[3], ids[1][..19], "other", "--json", "--repo", _fixture.Repo.Path);

        Assert.Equal(ExitCodes.Success, result.ExitCode);
        using var json = JsonDocument.Parse(result.Out);
        var root = json.RootElement;
        Assert.Equal([ids[3], ids[1], ids[6]], root.GetProperty("runs").EnumerateArray().Select(r => r.GetProperty("id").GetString()));
        Assert.Contains("l2Regularization", root.GetProperty("params").EnumerateArray().Select(p => p.GetString()));
        var logLoss = root.GetProperty("metrics").EnumerateArray().Single(m => m.GetProperty("column").GetString() == "logLoss");
        Assert.False(logLoss.GetProperty("greaterIsBetter").GetBoolean());
        var first = root.GetProperty("runs")[0];
        Assert.Equal(0.1 + 0.2, first.GetProperty("metrics").GetProperty("auc").GetDouble());
        Assert.Equal("0.01", first.GetProperty("params").GetProperty("l2Regularization").GetString());
        Assert.Equal("lbfgs", first.GetProperty("trainer").GetString());
        var other = root.GetProperty("runs")[2];
        Assert.Equal(1.5, other.GetProperty("metrics").GetProperty("rmse").GetDouble());
        Assert.False(other.GetProperty("metrics").TryGetProperty("auc", out _));
    }

    [Fact]
    public async Task TwoRunsWithCsv_IsATable_TwoRunsAlone_KeepTheDiff()
    {
        var ids = await SeedAsync();

        var diff = await _fixture.RunAsync("runs", "compare", ids[1], ids[2], "--repo", _fixture.Repo.Path);
        var table = await _fixture.RunAsync("runs", "compare", ids[1], ids[2], "--csv", "--repo", _fixture.Repo.Path);

        Assert.Contains($"A: {ids[1]} (churn, succeeded", diff.Console, StringComparison.Ordinal);
        Assert.Equal(3, ParseCsv(table.Out).Count);
    }

    [Fact]
    public async Task LastMoreThanRecorded_ShowsAllWithANote()
    {
        await SeedAsync();

        var result = await _fixture.RunAsync("runs", "compare", "--model", "churn", "--last", "10", "--csv", "--repo", _fixture.Repo.Path);

        Assert.Equal(ExitCodes.Success, result.ExitCode);
        Assert.Equal(7, ParseCsv(result.Out).Count);
        Assert.Contains("--last 10 asked for more runs than there are; 6 run(s) of model 'churn' are recorded", result.Error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("no run matches 'nosuchrun'", "RUNS", "nosuchrun")]
    [InlineData("--last must be 1 or more, not 0.", "--model", "churn", "--last", "0")]
    [InlineData("give either runs or --last K, not both.", "RUNS", "--last", "5")]
    [InlineData("no runs to compare.", "--model", "churn")]
    [InlineData("--model picks runs with --last K.", "RUNS", "--model", "churn")]
    [InlineData("only one run ('latest') to compare.", "latest")]
    [InlineData("no runs of model 'nosuchmodel' are recorded", "--model", "nosuchmodel", "--last", "3")]
    [InlineData("--sort: no metric or parameter column is named 'aucc'. Sort by one of: rmse, auc, logLoss, train:auc, l2Regularization, seed, trainer.", "--last", "3", "--sort", "aucc")]
    [InlineData("give --json or --csv, not both.", "--last", "3", "--json", "--csv")]
    public async Task BadInput_ExitsTwoSayingWhatToDo(string message, params string[] args)
    {
        var ids = await SeedAsync();
        var expanded = args.SelectMany(a => a == "RUNS" ? new[] { ids[1], ids[2] } : [a]);

        var result = await _fixture.RunAsync(["runs", "compare", .. expanded, "--repo", _fixture.Repo.Path]);

        Assert.Equal(ExitCodes.BadInput, result.ExitCode);
        Assert.StartsWith("mlops: ", result.Error, StringComparison.Ordinal);
        Assert.True(result.Error.Contains(message, StringComparison.Ordinal), result.Error);
        Assert.Equal("", result.Out);
    }
}
