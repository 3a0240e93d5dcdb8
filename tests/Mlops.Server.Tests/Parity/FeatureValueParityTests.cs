using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json;
using Mlops.Declarations.Repository;
using Mlops.Pipeline.Evaluation;
using Mlops.Pipeline.Predict;
using Mlops.Pipeline.Training;
using Mlops.Pipeline.Validation;
using Mlops.Runtime.Features;

namespace Mlops.Server.Tests.Parity;

/// <summary>What a case must give: a value (a number, a category's code, an undeclared category, a missing value) or a diagnostic id.</summary>
/// <param name="Number">A number feature's value (NaN: missing).</param>
/// <param name="Code">A category's code (FeatureBatch.MissingCode for missing, UndeclaredCode with <paramref name="Text"/>).</param>
/// <param name="Text">An undeclared category's text.</param>
/// <param name="Id">The diagnostic id, when the value is refused.</param>
public sealed record Expected(float Number, int Code, string? Text, string? Id)
{
    public static Expected Value(float number) => new(number, FeatureBatch.MissingCode, null, null);

    public static Expected Category(int code) => new(float.NaN, code, null, null);

    public static Expected Undeclared(string text) => new(float.NaN, FeatureBatch.UndeclaredCode, text, null);

    public static Expected Missing { get; } = new(float.NaN, FeatureBatch.MissingCode, null, null);

    public static Expected Refused(string id) => new(float.NaN, 0, null, id);

    public FeatureValue AsValue() => new(Number, Code, Text);
}

/// <summary>
/// One table of feature values (a CSV field, a JSON value, a CLR value) run against every entry point
/// that reads values: validation, the training rows, evaluation, batch scoring, OIP v2 infer,
/// /models/{name}/predict, and the in-process schema. Each case gives the same value (the same score)
/// or the same diagnostic id everywhere.
/// </summary>
public sealed class FeatureValueParityTests(ParityFixture parity) : IClassFixture<ParityFixture>
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    /// <summary>Name, feature, CSV field (null: none), JSON literal (null: none), CLR value (Absent: none), expected.</summary>
    public static TheoryData<string, string, string?, string?, object?, Expected> Cases => new()
    {
        { "plain number", "amount", "12.5", "12.5", 12.5, Expected.Value(12.5f) },
        { "exponent", "amount", "1.5e2", "1.5e2", 150m, Expected.Value(150f) },
        { "sign and fraction", "amount", "-0.25", "-0.25", -0.25f, Expected.Value(-0.25f) },
        { "leading plus", "amount", "+7", "7", 7L, Expected.Value(7f) },
        { "integer", "count", "3", "3", 3, Expected.Value(3f) },
        { "whole float as int", "count", "3.0", "3.0", 3.0, Expected.Value(3f) },
        { "empty or null in a nullable number", "amount", "", "null", null, Expected.Missing },
        { "NaN", "amount", "NaN", "\"NaN\"", double.NaN, Expected.Refused("MLOPS0404") },
        { "infinity", "amount", "Infinity", "\"Infinity\"", double.PositiveInfinity, Expected.Refused("MLOPS0404") },
        { "beyond the float range", "amount", "3.4e39", "3.4e39", 3.4e39, Expected.Refused("MLOPS0404") },
        { "above the declared maximum", "amount", "1001", "1001", 1001, Expected.Refused("MLOPS0405") },
        { "below the declared minimum", "count", "-1", "-1", -1, Expected.Refused("MLOPS0405") },
        { "spaces around a number", "amount", " 12", "\" 12\"", " 12", Expected.Refused("MLOPS0404") },
        { "thousands separator", "amount", "\"1,500\"", "\"1,500\"", "1,500", Expected.Refused("MLOPS0404") },
        { "text for a number", "amount", "abc", "\"abc\"", "abc", Expected.Refused("MLOPS0404") },
        { "a number written as a string", "amount", null, "\"12.5\"", "12.5", Expected.Refused("MLOPS0404") },
        { "a bool for a number", "amount", null, "true", true, Expected.Refused("MLOPS0404") },
        { "fraction for an int", "count", "2.5", "2.5", 2.5, Expected.Refused("MLOPS0404") },
        { "empty or null where not nullable", "count", "", "null", null, Expected.Refused("MLOPS0407") },
        { "bool 1", "member", "1", "true", true, Expected.Value(1f) },
        { "bool 0", "member", "0", "false", false, Expected.Value(0f) },
        { "bool word", "member", "True", null, null, Expected.Value(1f) },
        { "bool yes", "member", "yes", null, null, Expected.Value(1f) },
        { "bool NO", "member", "NO", null, null, Expected.Value(0f) },
        { "not a bool", "member", "2", "2", 2, Expected.Refused("MLOPS0404") },
        { "bool word as a JSON string", "member", "y", "\"yes\"", "yes", Expected.Refused("MLOPS0404") },
        { "missing bool", "member", "", "null", null, Expected.Refused("MLOPS0407") },
        { "declared category", "plan", "gold", "\"gold\"", "gold", Expected.Category(1) },
        { "category that reads like a bool", "plan", "No", "\"No\"", "No", Expected.Category(2) },
        { "category in another case", "plan", "Gold", "\"Gold\"", "Gold", Expected.Refused("MLOPS0406") },
        { "category with a space", "plan", " gold", "\" gold\"", " gold", Expected.Refused("MLOPS0406") },
        { "empty category", "plan", "", "\"\"", "", Expected.Refused("MLOPS0407") },
        { "a number for a category", "plan", null, "1", 1, Expected.Refused("MLOPS0404") },
        { "undeclared category, onUnknown: ignore", "region", "east", "\"east\"", "east", Expected.Undeclared("east") },
        { "declared category, onUnknown: ignore", "region", "north", "\"north\"", "north", Expected.Category(0) },
        { "missing category, nullable", "region", "", "null", null, Expected.Missing },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public async Task Value_EveryEntryPoint_GivesTheSameValueOrTheSameDiagnostic(string name, string feature, string? csv, string? json, object? clr, Expected expected)
    {
        var reference = Reference(feature, expected);
        var seen = new List<string>();
        if (csv is not null)
        {
            seen.AddRange(await TextEntryPointsAsync(feature, csv, expected, reference));
        }

        if (json is not null)
        {
            seen.Add(await V2InferAsync(feature, json, expected, reference));
            seen.Add(await PredictAsync(feature, json, expected, reference));
        }

        if (clr is not null || json == "null")
        {
            seen.Add(Clr(feature, clr, expected));
        }

        // Every entry point that took the case says the same: the value's score, or the id.
        Assert.True(seen.Distinct().Count() == 1, $"{name}: {string.Join(" | ", seen)}");
    }

    /// <summary>Validation, the training rows, evaluation and batch scoring, all on a data file holding the case in every row.</summary>
    private async Task<IEnumerable<string>> TextEntryPointsAsync(string feature, string field, Expected expected, float? reference)
    {
        parity.Repository.Write("data/case.csv", ParityFixture.CaseCsv(feature, field));
        parity.WriteModel("data/case.csv");
        var declarations = await RepositoryLoader.LoadAsync(parity.Repository.Path, Ct);
        var model = declarations.FindModel("parity")!;
        var features = declarations.FeatureSets.Single();
        var outcomes = new List<string>();

        var validation = await RepositoryValidator.ValidateAsync(parity.Repository.Path, Ct);
        outcomes.Add(Outcome("validation", validation.Diagnostics.Where(d => d.Severity == Declarations.Diagnostics.Severity.Error).Select(d => d.Id), expected, reference));

        var read = await DataValidator.ReadAsync(parity.Repository.Path, model, features, keepRows: true, Ct);
        if (expected.Id is null)
        {
            var column = read.Schema.Find(feature)!.Index;
            Assert.Equal(ParityFixture.CaseRows + ParityFixture.BaseRows, read.Rows!.RowCount);
            AssertValue(expected, read.Rows, column, "training rows");
        }

        outcomes.Add(Outcome("training rows", read.Diagnostics.Select(d => d.Id), expected, reference));

        var predictions = parity.Repository.Combine("holdout.csv");
        try
        {
            await new ModelEvaluator { WarmupPredictions = 1, LatencyPredictions = 5 }.EvaluateAsync(
                new EvaluationRequest(parity.Repository.Path, model, features, parity.ModelPath) { PredictionsFile = predictions }, cancellationToken: Ct);
            var caseRows = File.ReadAllLines(predictions).Skip(1).Select(l => l.Split(',')).Where(f => int.Parse(f[0], CultureInfo.InvariantCulture) <= ParityFixture.CaseRows + 1).ToList();
            Assert.NotEmpty(caseRows);
            outcomes.Add(Scores("evaluation", caseRows.Select(f => f[^1]), reference));
        }
        catch (TrainingException e)
        {
            outcomes.Add(Outcome("evaluation", e.Diagnostics.Select(d => d.Id), expected, reference));
        }

        var output = parity.Repository.Combine("scored.csv");
        var errors = parity.Repository.Combine("refused.csv");
        var counts = await BatchPredictor.RunAsync(parity.Scorer, parity.Schema, new PredictRequest(parity.Repository.Combine("data/case.csv"), output, errors, "case.csv"), null, TimeProvider.System, Ct);
        outcomes.Add(counts.Refused > 0
            ? Outcome("batch scoring", File.ReadAllLines(errors).Skip(1).Select(l => l.Split(',')[3]), expected, reference)
            : Scores("batch scoring", File.ReadAllLines(output).Skip(1).Where(l => l.StartsWith('c')).Select(l => l.Split(',')[^1]), reference));
        return outcomes;
    }

    private async Task<string> V2InferAsync(string feature, string json, Expected expected, float? reference)
    {
        var value = JsonDocument.Parse(json).RootElement;
        var datatype = value.ValueKind switch
        {
            JsonValueKind.Number => "FP64",
            JsonValueKind.String => "BYTES",
            JsonValueKind.True or JsonValueKind.False => "BOOL",
            _ => feature is "plan" or "region" ? "BYTES" : feature == "member" ? "BOOL" : "FP64",
        };
        var inputs = BaseJson().Select(p => p.Key == feature ? Tensor(feature, datatype, json) : Tensor(p.Key, p.Value.Datatype, p.Value.Json));
        var body = $$"""{"inputs": [{{string.Join(", ", inputs)}}]}""";

        using var response = await parity.Client.PostAsync("/v2/models/parity/infer", new StringContent(body, Encoding.UTF8, "application/json"), Ct);
        using var answer = JsonDocument.Parse(await response.Content.ReadAsStringAsync(Ct));
        if (response.StatusCode == HttpStatusCode.OK)
        {
            var predicted = answer.RootElement.GetProperty("outputs").EnumerateArray().Single(o => o.GetProperty("name").GetString() == "predicted");
            return Scores("v2 infer", [predicted.GetProperty("data")[0].GetRawText()], reference);
        }

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        return Outcome("v2 infer", Ids(answer.RootElement.GetProperty("error").GetString()!), expected, reference);
    }

    private async Task<string> PredictAsync(string feature, string json, Expected expected, float? reference)
    {
        var fields = BaseJson().Select(p => $"\"{p.Key}\": {(p.Key == feature ? json : p.Value.Json)}");
        var body = $$"""{"id": "c1", {{string.Join(", ", fields)}}}""";

        using var response = await parity.Client.PostAsync("/models/parity/predict", new StringContent(body, Encoding.UTF8, "application/json"), Ct);
        using var answer = JsonDocument.Parse(await response.Content.ReadAsStringAsync(Ct));
        if (response.StatusCode == HttpStatusCode.OK)
        {
            return Scores("/predict", [answer.RootElement.GetProperty("prediction").GetRawText()], reference);
        }

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var messages = answer.RootElement.GetProperty("errors").EnumerateObject().SelectMany(e => e.Value.EnumerateArray().Select(m => m.GetString()!));
        return Outcome("/predict", messages.SelectMany(Ids), expected, reference);
    }

    /// <summary>The in-process API: rows by name (CLR values) and columns of typed arrays give the same value or id.</summary>
    private string Clr(string feature, object? clr, Expected expected)
    {
        var row = BaseClr();
        row[feature] = clr;
        var problems = new List<string>();
        var batch = parity.Schema.CheckRows([row], problems);
        var outcome = Outcome("CLR row", problems.SelectMany(Ids), expected, Reference(feature, expected));
        if (expected.Id is null)
        {
            AssertValue(expected, batch, parity.Schema.Find(feature)!.Index, "CLR row");
        }

        var column = clr is null ? new object?[] { null } : Array.CreateInstance(clr.GetType(), 1);
        column.SetValue(clr, 0);
        var columns = BaseClr().Select(p => KeyValuePair.Create(p.Key, p.Key == feature ? column : new[] { p.Value }));
        var columnProblems = new List<string>();
        var byColumn = parity.Schema.CheckColumns(columns, columnProblems, out _);
        Assert.Equal(outcome, Outcome("CLR columns", columnProblems.SelectMany(Ids), expected, Reference(feature, expected)));
        if (expected.Id is null)
        {
            AssertValue(expected, byColumn, parity.Schema.Find(feature)!.Index, "CLR columns");
        }

        return outcome;
    }

    /// <summary>The score of the base row with the case's expected value put straight into the batch, bypassing every reader; null for a refused case.</summary>
    private float? Reference(string feature, Expected expected)
    {
        if (expected.Id is not null)
        {
            return null;
        }

        var problems = new List<string>();
        var batch = parity.Schema.CheckRows([BaseClr()], problems);
        Assert.Empty(problems);
        batch.Set(parity.Schema.Find(feature)!.Index, 0, expected.AsValue());
        return parity.Scorer.Score(batch).Scores[0];
    }

    private static void AssertValue(Expected expected, FeatureBatch batch, int column, string where)
    {
        if (batch.Columns[column].Kind == RowColumnKind.Number)
        {
            Assert.True(expected.Number.Equals(batch.NumberAt(column, 0)), $"{where}: {batch.NumberAt(column, 0)} instead of {expected.Number}");
            return;
        }

        Assert.Equal((expected.Code, expected.Text), (batch.Codes(column)[0], expected.Code == FeatureBatch.UndeclaredCode ? batch.TextAt(column, 0) : null));
    }

    /// <summary>"score X" when every row scored the reference exactly; the scores otherwise.</summary>
    private static string Scores(string where, IEnumerable<string> scores, float? reference)
    {
        var values = scores.Select(s => float.Parse(s, CultureInfo.InvariantCulture)).Distinct().ToList();
        Assert.True(reference is not null, $"{where} scored a case that should be refused: {string.Join(", ", values)}");
        Assert.True(values.Count == 1 && values[0] == reference, $"{where}: scores {string.Join(", ", values)} instead of {reference}");
        return $"score {reference!.Value.ToString(CultureInfo.InvariantCulture)}";
    }

    /// <summary>
    /// "refused MLOPSnnnn" when the entry point refused the case with exactly the expected id; for a case
    /// it must take (and whose value was checked), the reference score, as the scoring entry points say.
    /// </summary>
    private static string Outcome(string where, IEnumerable<string> ids, Expected expected, float? reference)
    {
        var distinct = ids.Distinct().ToList();
        if (expected.Id is null)
        {
            Assert.True(distinct.Count == 0, $"{where} refused a value it should take: {string.Join(", ", distinct)}");
            return $"score {reference!.Value.ToString(CultureInfo.InvariantCulture)}";
        }

        Assert.True(distinct.SequenceEqual([expected.Id]), $"{where}: {(distinct.Count == 0 ? "took the value" : string.Join(", ", distinct))} instead of {expected.Id}");
        return "refused " + expected.Id;
    }

    private static IEnumerable<string> Ids(string message) =>
        System.Text.RegularExpressions.Regex.Matches(message, "MLOPS[0-9]{4}").Select(m => m.Value);

    private static string Tensor(string name, string datatype, string json) =>
        $$"""{"name": "{{name}}", "shape": [1], "datatype": "{{datatype}}", "data": [{{json}}]}""";

    private static IEnumerable<KeyValuePair<string, (string Datatype, string Json)>> BaseJson() =>
    [
        KeyValuePair.Create("amount", ("FP64", "40.5")),
        KeyValuePair.Create("count", ("INT64", "3")),
        KeyValuePair.Create("member", ("BOOL", "true")),
        KeyValuePair.Create("plan", ("BYTES", "\"gold\"")),
        KeyValuePair.Create("region", ("BYTES", "\"south\"")),
    ];

    private static Dictionary<string, object?> BaseClr() => new(StringComparer.Ordinal)
    {
        ["amount"] = 40.5, ["count"] = 3, ["member"] = true, ["plan"] = "gold", ["region"] = "south",
    };
}
