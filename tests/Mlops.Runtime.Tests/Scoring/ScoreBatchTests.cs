using Mlops.Runtime.Scoring;
using Mlops.Runtime.Serving;
using Mlops.Runtime.Tests.Serving;

namespace Mlops.Runtime.Tests.Scoring;

/// <summary>One call over many rows gives each row the answer a single-row call gives it.</summary>
public sealed class ScoreBatchTests
{
    private static readonly string[] s_contracts = ["Month-to-month", "One year", "Two year"];
    private static readonly string[] s_features = ["tenure", "contract", "total_charges"];

    public static TheoryData<string> Formats => [Scorers.MlNet, Scorers.Onnx];

    [Theory]
    [MemberData(nameof(Formats))]
    public void ScoreBatch_DistinctRows_EachEqualsItsSingleRowScore(string format)
    {
        var scorer = Load(format);
        var rows = Enumerable.Range(0, 50).Select(Row).ToList();

        var batch = scorer.ScoreBatch(rows);

        Assert.Equal(rows.Select(scorer.Score), batch);
        Assert.True(batch.Select(p => p.Probability).Distinct().Count() > 10, "the rows should score differently, or the test proves nothing");
    }

    [Theory]
    [MemberData(nameof(Formats))]
    public void ScoreBatch_RowsByColumn_EachEqualsItsSingleRowScore(string format)
    {
        var scorer = Load(format);
        var rows = Enumerable.Range(0, 50).Select(Row).ToList();
        var columns = s_features.Select(f => KeyValuePair.Create(f, (Array)rows.Select(r => r[f]).ToArray()));
        var problems = new List<string>();
        var checkedRows = new InputSchema(TestModels.Inputs, TestModels.FeatureSet).CheckColumns(columns, problems, out _);
        Assert.Empty(problems);

        var batch = scorer.ScoreBatch(checkedRows);

        Assert.Equal(rows.Select(scorer.Score), Enumerable.Range(0, batch.Count).Select(i => batch[i]));
    }

    [Fact]
    public void BatchPredictions_FromRows_HoldsWhatEveryRowHasAndGivesTheRowsBack()
    {
        Prediction[] binary = [new(0.5f, 0.6f, true, null, null), new(-1f, 0.2f, false, null, null)];
        Prediction[] multiclass = [new(0.7f, null, null, "a", new Dictionary<string, float> { ["a"] = 0.7f, ["b"] = 0.3f }), new(0.9f, null, null, "b", null)];
        Prediction[] mixed = [new(1f, 0.6f, true, null, null), new(2f, null, null, null, null)];

        Assert.Equal(binary, Rows(BatchPredictions.From(binary)));
        Assert.Equal(multiclass, Rows(BatchPredictions.From(multiclass)));
        Assert.Null(BatchPredictions.From(mixed).Probabilities);
        Assert.Null(BatchPredictions.From(mixed).IsPositive);
        Assert.Equal(0, BatchPredictions.From([]).Count);
    }

    private static IEnumerable<Prediction> Rows(BatchPredictions batch) => Enumerable.Range(0, batch.Count).Select(i => batch[i]);

    [Theory]
    [MemberData(nameof(Formats))]
    public void ScoreBatch_NoRows_ReturnsNone(string format) => Assert.Empty(Load(format).ScoreBatch([]));

    [Theory]
    [MemberData(nameof(Formats))]
    public void ScoreBatch_OneRowNamesAnUnknownFeature_TheCallFailsNamingIt(string format)
    {
        var rows = new List<IReadOnlyDictionary<string, object?>> { Row(1), new Dictionary<string, object?> { ["tenur"] = 3f } };

        var error = Assert.Throws<ArgumentException>(() => Load(format).ScoreBatch(rows));

        Assert.Contains("'tenur' is not a feature", error.Message, StringComparison.Ordinal);
    }

    private static IScorer Load(string format) => format == Scorers.Onnx
        ? OnnxScorer.Load(File.ReadAllBytes(Path.Combine(AppContext.BaseDirectory, "Scoring", "Onnx", "churn-linear.onnx")), s_features, "binary-classification")
        : ModelScorer.Load(new MemoryStream(TestModels.Model));

    private static Dictionary<string, object?> Row(int i) =>
        new(StringComparer.Ordinal) { ["tenure"] = (float)i, ["contract"] = s_contracts[i % 3], ["total_charges"] = i % 7 == 0 ? null : i * 40f };
}
