using System.Globalization;
using System.Text;
using System.Text.Json;
using Mlops.Cli.Tests.Commands.Predict;

namespace Mlops.Cli.Tests.Commands.Drift;

/// <summary><c>mlops drift</c> on real files: CSV against CSV with kinds inferred, and bad input, each with its exit code.</summary>
public sealed class DriftCommandTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("mlops-drift-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    [Fact]
    public async Task Drift_SameDistribution_ExitsZeroWithKindsInferred()
    {
        var reference = Write("ref.csv", Rows(2000, shift: 0, seed: 1));
        var current = Write("cur.csv", Rows(1500, shift: 0, seed: 2));

        var result = await CliRunner.RunAsync("drift", "--reference", reference, "--current", current, "--json");

        Assert.True(result.ExitCode == 0, result.Error + result.Out);
        using var json = JsonDocument.Parse(result.Out);
        var features = json.RootElement.GetProperty("features").EnumerateArray().ToList();
        Assert.Equal(["amount", "plan"], features.Select(f => f.GetProperty("name").GetString()));
        Assert.Equal(("number", "wasserstein"), (features[0].GetProperty("kind").GetString(), features[0].GetProperty("method").GetString()));
        Assert.Equal(("category", "jensenshannon"), (features[1].GetProperty("kind").GetString(), features[1].GetProperty("method").GetString()));
        Assert.All(features, f => Assert.False(f.GetProperty("drifted").GetBoolean()));
        Assert.False(json.RootElement.GetProperty("drifted").GetBoolean());
        Assert.Equal(1500, json.RootElement.GetProperty("currentRows").GetInt64());
    }

    [Fact]
    public async Task Drift_ShiftedData_ExitsOneNamingTheDriftedFeatures()
    {
        var reference = Write("ref.csv", Rows(2000, shift: 0, seed: 1));
        var current = Write("cur.csv", Rows(1500, shift: 1, seed: 2));

        var result = await CliRunner.RunAsync("drift", "--reference", reference, "--current", current);

        Assert.True(result.ExitCode == 1, result.Error + result.Out);
        Assert.Contains(result.Lines, l => l.StartsWith("amount ", StringComparison.Ordinal) && l.Contains("DRIFT", StringComparison.Ordinal));
        Assert.Contains(result.Lines, l => l.StartsWith("plan ", StringComparison.Ordinal) && l.Contains("DRIFT", StringComparison.Ordinal));
        Assert.Contains("data set drifted: 2 of 2 features drifted", result.Out, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Drift_SmallReferenceWithMethodKs_ReportsPValuesAndNullRates_AndARisingNullRateIsDrift()
    {
        var reference = Write("ref.csv", Rows(500, shift: 0, seed: 1));
        var current = Write("cur.csv", "amount,plan\n" + Rows(400, shift: 0, seed: 3).Split('\n', 2)[1] + string.Concat(Enumerable.Repeat(",\n", 100)));

        var result = await CliRunner.RunAsync("drift", "--reference", reference, "--current", current, "--method", "ks", "--json");

        // The present values are alike (p >= 0.05), but a fifth of the rows arrive empty: that alone is drift.
        Assert.True(result.ExitCode == 1, result.Error + result.Out);
        using var json = JsonDocument.Parse(result.Out);
        var amount = json.RootElement.GetProperty("features")[0];
        Assert.Equal("ks", amount.GetProperty("method").GetString());
        Assert.InRange(amount.GetProperty("pValue").GetDouble(), 0.05, 1);
        Assert.Equal(0.2, amount.GetProperty("currentNullRate").GetDouble(), 9);
        Assert.True(amount.GetProperty("drifted").GetBoolean());
        Assert.Equal("chisquare", json.RootElement.GetProperty("features")[1].GetProperty("method").GetString());
    }

    [Fact]
    public async Task Drift_AllStatistics_AddsEveryStatisticOfTheKind()
    {
        var reference = Write("ref.csv", Rows(2000, shift: 0, seed: 1));
        var current = Write("cur.csv", Rows(1500, shift: 1, seed: 2));

        var result = await CliRunner.RunAsync("drift", "--reference", reference, "--current", current, "--all-statistics", "--json");

        Assert.True(result.ExitCode == 1, result.Error + result.Out);
        using var json = JsonDocument.Parse(result.Out);
        var amount = json.RootElement.GetProperty("features")[0];
        Assert.Equal(["ks", "ks.pValue", "wasserstein", "psi"], amount.GetProperty("statistics").EnumerateObject().Select(p => p.Name));
        Assert.Equal(amount.GetProperty("statistic").GetDouble(), amount.GetProperty("statistics").GetProperty("wasserstein").GetDouble());
        Assert.Equal(["chisquare", "chisquare.pValue", "jensenshannon"], json.RootElement.GetProperty("features")[1].GetProperty("statistics").EnumerateObject().Select(p => p.Name));
    }

    [Fact]
    public async Task Drift_TooFewRows_IsInconclusiveAndExitsZero()
    {
        var reference = Write("ref.csv", Rows(500, shift: 0, seed: 1));
        var current = Write("cur.csv", Rows(10, shift: 5, seed: 2));

        var result = await CliRunner.RunAsync("drift", "--reference", reference, "--current", current);

        Assert.True(result.ExitCode == 0, result.Error + result.Out);
        Assert.Contains(result.Lines, l => l.StartsWith("amount ", StringComparison.Ordinal) && l.Contains("inconclusive", StringComparison.Ordinal) && l.Contains("at least 30 needed", StringComparison.Ordinal));
        Assert.Contains("2 inconclusive", result.Out, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Drift_ColumnWithAWordAfterNumbers_IsInferredACategory()
    {
        var rows = string.Concat(Enumerable.Range(0, 60).Select(i => $"{i % 3}\n")) + "A\n";
        var reference = Write("ref.csv", "code\n" + rows);
        var current = Write("cur.csv", "code\n" + rows);

        var result = await CliRunner.RunAsync("drift", "--reference", reference, "--current", current, "--json");

        Assert.True(result.ExitCode == 0, result.Error + result.Out);
        using var json = JsonDocument.Parse(result.Out);
        var code = json.RootElement.GetProperty("features")[0];
        Assert.Equal(("category", "chisquare", 0.0), (code.GetProperty("kind").GetString(), code.GetProperty("method").GetString(), code.GetProperty("statistic").GetDouble()));
        Assert.Equal(61, code.GetProperty("referenceValues").GetInt64());
    }

    [Fact]
    public async Task Drift_CurrentMissingAFeature_ExitsTwoNamingTheColumnAtTheHeader()
    {
        var reference = Write("ref.csv", Rows(100, shift: 0, seed: 1));
        var current = Write("cur.csv", "amount\n1\n2\n");

        var result = await CliRunner.RunAsync("drift", "--reference", reference, "--current", current);

        Assert.Equal(2, result.ExitCode);
        Assert.StartsWith($"{current}(1,1): error MLOPS0403: the header has no column for 'plan', which the reference has.", result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Drift_MalformedNumber_ExitsTwoWithLineAndColumn()
    {
        var reference = Write("ref.csv", Rows(100, shift: 0, seed: 1));
        var current = Write("cur.csv", "plan,amount\nbasic,1.5\ngold,ten\n");

        var result = await CliRunner.RunAsync("drift", "--reference", reference, "--current", current);

        Assert.Equal(2, result.ExitCode);
        Assert.StartsWith($"{current}(3,6): error MLOPS0404: amount: expected a number, got \"ten\".", result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Drift_BadValuesAcrossBlocks_ReportsTheFirstFiveInFileOrder()
    {
        var reference = Write("ref.csv", Rows(100, shift: 0, seed: 1));
        int[] bad = [100, 4200, 4300, 8300, 8400, 9000, 9500];
        var current = Write("cur.csv", "amount,plan\n" + string.Concat(Enumerable.Range(1, 10_000).Select(i => bad.Contains(i) ? $"x{i},basic\n" : $"{i},basic\n")));

        var result = await CliRunner.RunAsync("drift", "--reference", reference, "--current", current);

        Assert.Equal(2, result.ExitCode);
        var lines = result.Error.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(bad.Take(5).Select(i => $"{current}({i + 1},1): error MLOPS0404: amount: expected a number, got \"x{i}\"."), lines.Take(5));
        Assert.StartsWith("mlops: ", lines[5], StringComparison.Ordinal);
    }

    [Fact]
    public async Task Drift_MalformedCsv_ExitsTwoWithThePlace()
    {
        var reference = Write("ref.csv", Rows(100, shift: 0, seed: 1));
        var current = Write("cur.csv", "amount,plan\n1,basic\n2,\"gold\n");

        var result = await CliRunner.RunAsync("drift", "--reference", reference, "--current", current);

        Assert.Equal(2, result.ExitCode);
        Assert.StartsWith($"{current}(3,3): error MLOPS0410: '{current}' is not well-formed CSV: the quoted field that starts here never ends", result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Drift_UnknownMethod_ExitsTwoListingTheMethods()
    {
        var reference = Write("ref.csv", Rows(100, shift: 0, seed: 1));

        var result = await CliRunner.RunAsync("drift", "--reference", reference, "--current", reference, "--method", "kl");

        Assert.Equal(2, result.ExitCode);
        Assert.Contains("--method 'kl' is not a drift method; use one of auto, ks, wasserstein, psi, chisquare, jensenshannon.", result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Drift_MissingCurrentFile_ExitsTwo()
    {
        var reference = Write("ref.csv", Rows(100, shift: 0, seed: 1));

        var result = await CliRunner.RunAsync("drift", "--reference", reference, "--current", Path.Combine(_folder, "absent.csv"));

        Assert.Equal(2, result.ExitCode);
        Assert.Contains("absent.csv' does not exist", result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Drift_NoReference_ExitsTwoSayingWhatToPass()
    {
        var result = await CliRunner.RunAsync("drift", "--current", Write("cur.csv", Rows(100, shift: 0, seed: 1)));

        Assert.Equal(2, result.ExitCode);
        Assert.Contains("pass --reference FILE.csv, or --model MODEL@vN", result.Error, StringComparison.Ordinal);
    }

    private string Write(string name, string text)
    {
        var path = Path.Combine(_folder, name);
        File.WriteAllText(path, text, new UTF8Encoding(false));
        return path;
    }

    /// <summary>A number column (normal around 100, plus shift times 20) and a category column (skewed to gold by the shift).</summary>
    internal static string Rows(int count, double shift, int seed)
    {
        var random = new Random(seed);
        var text = new StringBuilder("amount,plan\n");
        for (var i = 0; i < count; i++)
        {
            var normal = Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble());
            var plan = random.NextDouble() < 0.7 - (0.5 * Math.Min(shift, 1)) ? "basic" : "gold";
            text.Append(((100 + (shift * 20) + (10 * normal)).ToString("0.###", CultureInfo.InvariantCulture))).Append(',').Append(plan).Append('\n');
        }

        return text.ToString();
    }
}

/// <summary><c>mlops drift --model</c>: a registered version's reference sample against CSV files and the server's prediction log.</summary>
public sealed class DriftModelTests(PromotedExample example) : IClassFixture<PromotedExample>
{
    private string Repo => example.Repo.Path;

    [Fact]
    public async Task Drift_ModelReferenceAgainstItsTrainingData_NoDrift()
    {
        var result = await CliRunner.RunAsync("drift", "--model", "churn@v1", "--current", example.Repo.Combine("data/telco-churn.csv"), "--json", "--repo", Repo);

        Assert.True(result.ExitCode == 0, result.Error + result.Out);
        using var json = JsonDocument.Parse(result.Out);
        Assert.Equal("churn@v1:reference-sample.csv", json.RootElement.GetProperty("reference").GetString());
        Assert.StartsWith("churn@v1 (customer@1)", json.RootElement.GetProperty("schema").GetString(), StringComparison.Ordinal);
        var features = json.RootElement.GetProperty("features").EnumerateArray().ToDictionary(f => f.GetProperty("name").GetString()!);
        Assert.Equal(19, features.Count);
        Assert.Equal("category", features["female"].GetProperty("kind").GetString()); // a bool compares as a category
        Assert.Equal("wasserstein", features["tenure"].GetProperty("method").GetString());
        Assert.True(json.RootElement.GetProperty("referenceRows").GetInt64() > 5000); // the training split of 7,043 rows
        Assert.All(features.Values, f => Assert.False(f.GetProperty("drifted").GetBoolean()));
    }

    [Fact]
    public async Task Drift_PredictionLogFolder_ReadsPredictionLinesOfTheVersionAndFindsTheShift()
    {
        var folder = example.Repo.Combine("log-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(folder);
        var lines = new StringBuilder();
        var data = File.ReadAllLines(example.Repo.Combine("data/telco-churn.csv"));
        var header = data[0].Split(',').Select(h => h.Trim('"')).ToArray();
        for (var row = 1; row <= 2000; row++)
        {
            var fields = data[row].Split(',');
            var logged = new Dictionary<string, object?>();
            for (var c = 1; c < header.Length; c++)
            {
                var field = fields[c].Trim('"');
                logged[header[c]] = header[c] switch
                {
                    "tenure" => double.Parse(field, CultureInfo.InvariantCulture),
                    "monthly_charges" => double.Parse(field, CultureInfo.InvariantCulture) * 1.3, // raised by 30%
                    "total_charges" => row % 3 == 0 || field.Length == 0 ? null : double.Parse(field, CultureInfo.InvariantCulture), // a third empty
                    "contract" => "Month-to-month",
                    _ when field is "0" or "1" => field == "1",
                    _ => field,
                };
            }

            lines.Append(JsonSerializer.Serialize(new { type = "prediction", id = $"p{row}", time = "2026-12-02T17:00:00.000Z", model = "churn", version = 1, digest = example.Digest, role = "primary", features = logged, output = new { predicted = true, probability = 0.8 } })).Append('\n');
            lines.Append(JsonSerializer.Serialize(new { type = "feedback", id = $"p{row}", time = "2026-12-02T17:00:01.000Z", label = true })).Append('\n');
        }

        lines.Append("{\"type\":\"prediction\",\"model\":\"other\",\"version\":1,\"features\":{}}\n"); // another model's line: skipped
        File.WriteAllText(Path.Combine(folder, "predictions-20261202T170000000Z.jsonl"), lines.ToString());
        File.WriteAllText(Path.Combine(folder, "predictions-20261202T180000000Z.jsonl"), "{\"type\":\"prediction\",\"model\":\"churn\",\"version\":1,\"features\":{\"tenure\":"); // cut short by a crash

        var result = await CliRunner.RunAsync("drift", "--model", "churn@v1", "--current", folder, "--json", "--repo", Repo);

        Assert.True(result.ExitCode is 0 or 1, result.Error + result.Out);
        using var json = JsonDocument.Parse(result.Out);
        Assert.Equal(2000, json.RootElement.GetProperty("currentRows").GetInt64());
        var features = json.RootElement.GetProperty("features").EnumerateArray().ToDictionary(f => f.GetProperty("name").GetString()!);
        Assert.True(features["monthly_charges"].GetProperty("drifted").GetBoolean());
        Assert.True(features["contract"].GetProperty("drifted").GetBoolean());
        Assert.InRange(features["total_charges"].GetProperty("currentNullRate").GetDouble(), 0.33, 0.34);
        Assert.False(features["tenure"].GetProperty("drifted").GetBoolean());
    }

    [Fact]
    public async Task Drift_FeatureSet_ReadsBothFilesWithItsTypes()
    {
        var data = example.Repo.Combine("data/telco-churn.csv");

        var result = await CliRunner.RunAsync("drift", "--reference", data, "--current", data, "--feature-set", "customer@1", "--json", "--repo", Repo);

        Assert.True(result.ExitCode == 0, result.Error + result.Out);
        using var json = JsonDocument.Parse(result.Out);
        Assert.Equal("customer@1", json.RootElement.GetProperty("schema").GetString());
        Assert.All(json.RootElement.GetProperty("features").EnumerateArray(), f => Assert.Equal(0, f.GetProperty("statistic").GetDouble()));
    }

    [Fact]
    public async Task Drift_UnregisteredVersion_ExitsTwo()
    {
        var result = await CliRunner.RunAsync("drift", "--model", "churn@v9", "--current", example.Repo.Combine("data/telco-churn.csv"), "--repo", Repo);

        Assert.Equal(2, result.ExitCode);
        Assert.Contains("there is no registered version churn@v9", result.Error, StringComparison.Ordinal);
    }
}
