using System.Text.Json;
using Mlops.Declarations.FeatureSets;
using Mlops.Runtime.Bundles;
using Mlops.Runtime.Features;
using Mlops.Runtime.Scoring;
using Mlops.Runtime.Tests.Serving;

namespace Mlops.Runtime.Tests.Features;

/// <summary>Checking a batch given by column: the same rules and messages as one row at a time, and the same answers when scored.</summary>
public sealed class CheckColumnsTests
{
    private static readonly InputSchema s_schema = new(TestModels.Inputs, TestModels.FeatureSet);

    private static FeatureBatch Check(out List<string> problems, out string? entity, params (string Name, Array Values)[] columns)
    {
        problems = [];
        return s_schema.CheckColumns(columns.Select(c => KeyValuePair.Create(c.Name, c.Values)), problems, out entity);
    }

    /// <summary>The test schema with a feature set that lets unknown categories through (onUnknown: ignore).</summary>
    private static InputSchema LenientSchema() => new(TestModels.Inputs, new FeatureSet("customer", 1, "customer_id", null,
        [.. TestModels.FeatureSet.Features.Select(f => f with { OnUnknown = UnknownCategoryPolicy.Ignore })]));

    private static JsonElement[] Json(string array) => JsonSerializer.Deserialize<JsonElement[]>(array)!;

    public static TheoryData<string, Array, Array, Array> SameRowsInEveryForm => new()
    {
        { "typed", new[] { 3.0, 40.5, 0 }, new[] { "One year", "Month-to-month", "Two year" }, new double?[] { null, 2000, 5 } },
        { "float and nullable", new[] { 3f, 40.5f, 0f }, new string?[] { "One year", "Month-to-month", "Two year" }, new double?[] { null, 2000, 5 } },
        { "objects", new object?[] { 3, 40.5, 0L }, new object?[] { "One year", "Month-to-month", "Two year" }, new object?[] { null, 2000f, 5 } },
        { "JSON", Json("[3, 40.5, 0]"), Json("""["One year", "Month-to-month", "Two year"]"""), Json("[null, 2000, 5]") },
    };

    [Theory]
    [MemberData(nameof(SameRowsInEveryForm))]
    public void CheckColumns_AnyArrayForm_GivesTheRowsCheckingEachRowGives(string form, Array tenure, Array contract, Array total)
    {
        var batch = Check(out var problems, out var entity, ("customer_id", new[] { "c-1", "c-2", "c-3" }), ("tenure", tenure), ("contract", contract), ("total_charges", total));

        Assert.True(problems.Count == 0, form + ": " + string.Join(" ", problems));
        Assert.Equal("c-1", entity);
        Assert.Equal(3, batch.RowCount);
        Assert.Equal([1, 0, 2], batch.Codes(1).ToArray());
        for (var r = 0; r < batch.RowCount; r++)
        {
            var rowProblems = new List<string>();
            var row = s_schema.CheckRows(
            [[
                KeyValuePair.Create("tenure", tenure.GetValue(r)),
                KeyValuePair.Create("contract", contract.GetValue(r)),
                KeyValuePair.Create("total_charges", total.GetValue(r)),
            ]], rowProblems);
            Assert.Empty(rowProblems);
            Assert.Equal(row.ToDictionary(0), batch.ToDictionary(r));
        }
    }

    [Fact]
    public void ScoreBatch_CheckedColumns_EqualsEachRowScoredAlone()
    {
        var scorer = ModelScorer.Load(new MemoryStream(TestModels.Model.ToArray()));
        var batch = Check(out var problems, out _, ("tenure", new[] { 3.0, 40.5, 0, 71 }), ("contract", new[] { "One year", "Month-to-month", "Two year", "Month-to-month" }), ("total_charges", new double?[] { null, 2000, 5, 4000 }));
        Assert.Empty(problems);

        var predictions = scorer.Score(batch);

        Assert.Equal(Enumerable.Range(0, 4).Select(r => scorer.Score(batch.Row(r))[0]), Enumerable.Range(0, 4).Select(r => predictions[r]));
        Assert.Equal(4, predictions.Count);
        Assert.NotNull(predictions.Probabilities);
    }

    [Fact]
    public void ScoreBatch_UndeclaredCategoryOrNoCodes_EqualsEachRowScoredAlone()
    {
        // Unknown categories let through: the batch carries the text, coded as undeclared.
        var schema = LenientSchema();
        var scorer = ModelScorer.Load(new MemoryStream(TestModels.Model.ToArray()));
        var problems = new List<string>();
        var batch = schema.CheckColumns(
        [
            KeyValuePair.Create("tenure", (Array)new[] { 3.0, 30 }),
            KeyValuePair.Create("contract", (Array)new[] { "Weekly", "One year" }),
        ], problems, out _);
        Assert.Empty(problems);
        Assert.Equal([FeatureBatch.UndeclaredCode, 1], batch.Codes(1).ToArray());

        // The same values without codes (a batch built by hand) take the texts' way.
        var uncoded = new FeatureBatch(scorer.RowType.Columns, scorer.RowType.IndexOf, 2);
        uncoded.SendNumbers(0)[0] = 3f;
        uncoded.SendNumbers(0)[1] = 30f;
        uncoded.SendTexts(1)[0] = "Weekly";
        uncoded.SendTexts(1)[1] = "One year";

        var expected = new[] { scorer.Score(batch.Row(0))[0], scorer.Score(batch.Row(1))[0] };
        Prediction[] coded = [scorer.Score(batch)[0], scorer.Score(batch)[1]];
        Prediction[] fromTexts = [scorer.Score(uncoded)[0], scorer.Score(uncoded)[1]];
        Assert.Equal(expected, coded);
        Assert.Equal(expected, fromTexts);
    }

    [Theory]
    [InlineData("NaN", "row 1: tenure: MLOPS0404: got NaN, which is not a finite number. Send a finite number.")]
    [InlineData("unknown category", "row 0: contract: MLOPS0406: \"Weekly\" is not a declared category (\"Month-to-month\", \"One year\", \"Two year\"), and the feature rejects others (onUnknown: reject).")]
    [InlineData("null category", "row 1: contract: MLOPS0407: is missing, but the feature is not nullable. Send a value.")]
    [InlineData("bools for a number", "row 0: tenure: MLOPS0404: expected a number, got true.")]
    [InlineData("beyond float", "row 1: tenure: MLOPS0404: got 3.4E+39, beyond the range of a float (about ±3.4E+38). Send a smaller number.")]
    [InlineData("short column", "total_charges: has 1 values, the other features 2; every feature needs one value per row.")]
    [InlineData("misspelt", "tenur: not a feature of this model. Did you mean 'tenure'?")]
    [InlineData("twice", "contract: sent twice; send each feature once.")]
    [InlineData("missing", "tenure: MLOPS0407: is missing, but the feature is not nullable. Send a value.")]
    public void CheckColumns_WrongValue_NamesTheRowAndTheField(string fault, string expected)
    {
        Array tenure = fault switch
        {
            "NaN" => new[] { 1.0, double.NaN },
            "beyond float" => new[] { 1.0, 3.4e39 },
            "bools for a number" => new[] { true, false },
            _ => new[] { 1.0, 2.0 },
        };
        Array contract = fault switch
        {
            "unknown category" => new[] { "Weekly", "One year" },
            "null category" => new[] { "One year", null },
            _ => new[] { "One year", "Two year" },
        };
        var columns = new List<(string, Array)> { ("contract", contract) };
        columns.Add(fault switch
        {
            "misspelt" => ("tenur", tenure),
            "missing" => ("total_charges", new double?[] { 1, 2 }),
            _ => ("tenure", tenure),
        });
        if (fault == "short column")
        {
            columns.Add(("total_charges", new double?[] { 1 }));
        }

        if (fault == "twice")
        {
            columns.Add(("contract", contract));
        }

        Check(out var problems, out _, [.. columns]);

        Assert.Contains(expected, problems);
    }

    [Fact]
    public void CheckColumns_OneRow_NamesTheFieldWithoutARowNumber()
    {
        Check(out var problems, out _, ("tenure", new[] { double.PositiveInfinity }), ("contract", new[] { "One year" }));

        Assert.Equal(["tenure: MLOPS0404: got Infinity, which is not a finite number. Send a finite number."], problems);
    }

    [Fact]
    public void CheckColumns_NothingOrATableInsteadOfAColumn_SaysWhatToSend()
    {
        Check(out var none, out _);
        Check(out var table, out _, ("tenure", new double[1, 1]), ("contract", new[] { "One year" }));

        Assert.Equal(["no features were sent; send one column of values per feature."], none);
        Assert.Contains("tenure: needs a one-dimensional array of values, one per row.", table);
    }

    [Fact]
    public void CheckColumns_EncodedCategories_GiveTheRowsPlainTextsGive()
    {
        string?[] texts = ["Two year", "One year", "Two year", "Month-to-month"];
        var plain = Check(out var plainProblems, out _, ("tenure", new[] { 1.0, 2, 3, 4 }), ("contract", texts));
        var problems = new List<string>();

        var encoded = s_schema.CheckColumns(new Dictionary<string, FeatureColumn>
        {
            ["tenure"] = new[] { 1.0, 2, 3, 4 },
            ["contract"] = FeatureColumn.Encoded(["Weekly", "Two year", "One year", "Month-to-month"], [1, 2, 1, 3]),
        }, problems, out _);

        Assert.Empty(plainProblems);
        Assert.Empty(problems);
        Assert.Equal(plain.Codes(1).ToArray(), encoded.Codes(1).ToArray());
        Assert.Equal(texts, encoded.Texts(1).ToArray());
        Assert.Equal(Enumerable.Range(0, 4).Select(plain.ToDictionary), Enumerable.Range(0, 4).Select(encoded.ToDictionary));
    }

    [Theory]
    [InlineData(7, "row 1: contract: MLOPS0404: code 7 is not an index into the column's 3 categories.")]
    [InlineData(-1, "row 1: contract: MLOPS0404: code -1 is not an index into the column's 3 categories.")]
    [InlineData(0, "row 1: contract: MLOPS0406: \"Weekly\" is not a declared category (\"Month-to-month\", \"One year\", \"Two year\"), and the feature rejects others (onUnknown: reject).")]
    [InlineData(2, "row 1: contract: MLOPS0407: is missing, but the feature is not nullable. Send a value.")]
    public void CheckColumns_EncodedCategoryThatDoesNotFit_NamesTheRow(int code, string expected)
    {
        var problems = new List<string>();

        // "Weekly" (code 0) is rejected only where a row uses it.
        s_schema.CheckColumns(new Dictionary<string, FeatureColumn>
        {
            ["tenure"] = new[] { 1.0, 2 },
            ["contract"] = FeatureColumn.Encoded(["Weekly", "One year", null], [1, code]),
        }, problems, out _);

        Assert.Equal([expected], problems);
    }

    [Fact]
    public void CheckColumns_CodesForANumber_AreRefusedNamingTheFeature()
    {
        var problems = new List<string>();

        s_schema.CheckColumns(new Dictionary<string, FeatureColumn>
        {
            ["tenure"] = FeatureColumn.Encoded(["1"], [0]),
            ["contract"] = new[] { "One year" },
        }, problems, out _);

        Assert.Equal(["tenure: categories given as codes fit only category and text features; send the values."], problems);
    }

    [Fact]
    public void ScoreBatch_EncodedUndeclaredCategory_EqualsTheRowScoredAlone()
    {
        var schema = LenientSchema();
        var scorer = ModelScorer.Load(new MemoryStream(TestModels.Model.ToArray()));
        var problems = new List<string>();

        var batch = schema.CheckColumns(new Dictionary<string, FeatureColumn>
        {
            ["tenure"] = new[] { 3.0, 30, 12 },
            ["contract"] = FeatureColumn.Encoded(["Weekly", "One year"], [0, 1, 0]),
        }, problems, out _);
        var predictions = scorer.Score(batch);

        Assert.Empty(problems);
        Assert.Equal([FeatureBatch.UndeclaredCode, 1, FeatureBatch.UndeclaredCode], batch.Codes(1).ToArray());
        Assert.Equal("Weekly", batch.TextAt(1, 2));
        for (var r = 0; r < 3; r++)
        {
            Assert.Equal(scorer.Score(batch.Row(r))[0], predictions[r]);
        }
    }

    [Theory]
    [InlineData(3, false)]
    [InlineData(3, true)]
    [InlineData(40, false)]
    public void CategoryLookup_ShortOrLongLists_FindEveryDeclaredCategoryAndNothingElse(int count, bool longOne)
    {
        // A few short categories take the table by length; many of one length, or a long one, the dictionary.
        var declared = Enumerable.Range(0, count).Select(i => $"cat-{i:D3}").Append("").Append("No").ToList();
        if (longOne)
        {
            declared.Add(new string('x', 70));
        }

        var lookup = new CategoryLookup(declared);

        Assert.Equal(Enumerable.Range(0, declared.Count), declared.Select(lookup.CodeOf));
        Assert.Equal(-1, lookup.CodeOf("cat-999"));
        Assert.Equal(-1, lookup.CodeOf("CAT-001"));
        Assert.Equal(-1, lookup.CodeOf(new string('x', 71)));
    }
}
