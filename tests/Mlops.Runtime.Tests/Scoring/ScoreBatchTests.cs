using Mlops.Declarations.Models;
using Mlops.Runtime.Bundles;
using Mlops.Runtime.Features;
using Mlops.Runtime.Scoring;
using Mlops.Runtime.Tests.Features;
using Mlops.Runtime.Tests.Serving;

namespace Mlops.Runtime.Tests.Scoring;

/// <summary>A single row is a batch of one: one call over many rows gives each row the answer a call of one row gives it.</summary>
public sealed class ScoreBatchTests
{
    private static readonly string[] s_contracts = ["Month-to-month", "One year", "Two year"];
    private static readonly string[] s_features = ["tenure", "contract", "total_charges"];
    private static readonly InputSchema s_schema = new(TestModels.Inputs, TestModels.FeatureSet);

    public static TheoryData<ModelFormat> Formats => [ModelFormat.MlNet, ModelFormat.Onnx];

    [Theory]
    [MemberData(nameof(Formats))]
    public void Score_DistinctRows_EachEqualsItsSingleRowScore(ModelFormat format)
    {
        var scorer = Load(format);
        var rows = Enumerable.Range(0, 50).Select(Row).ToArray();

        var batch = scorer.Score(TestBatches.Of(s_schema, rows));

        Assert.Equal(rows.Select(r => scorer.Score(s_schema, r)), Enumerable.Range(0, batch.Count).Select(i => batch[i]));
        Assert.True(batch.Probabilities!.Distinct().Count() > 10, "the rows should score differently, or the test proves nothing");
    }

    [Theory]
    [MemberData(nameof(Formats))]
    public void Score_RowsByColumn_EachEqualsItsSingleRowScore(ModelFormat format)
    {
        var scorer = Load(format);
        var rows = Enumerable.Range(0, 50).Select(Row).ToList();
        var columns = s_features.Select(f => KeyValuePair.Create(f, (Array)rows.Select(r => r[f]).ToArray()));
        var problems = new List<string>();
        var checkedRows = s_schema.CheckColumns(columns, problems, out _);
        Assert.Empty(problems);

        var batch = scorer.Score(checkedRows);

        Assert.Equal(rows.Select(r => scorer.Score(s_schema, r)), Enumerable.Range(0, batch.Count).Select(i => batch[i]));
    }

    [Fact]
    public void BatchPredictions_RowRepeatAndConcat_KeepEachRowsAnswer()
    {
        var multiclass = new BatchPredictions([0.7f, 0.9f], null, null, ["a", "b"], [0.7f, 0.3f, 0.1f, 0.9f], ["a", "b"]);
        var constant = new Prediction(0.5f, 0.6f, true, null, null);

        Assert.Equal(new Dictionary<string, float> { ["a"] = 0.1f, ["b"] = 0.9f }, multiclass[1].ClassScores);
        Assert.Equal([0.1f, 0.9f], multiclass.ClassProbabilitiesOf(1).ToArray());
        Assert.Equal(("b", 0.9f), (multiclass.Row(1)[0].PredictedLabel, multiclass.Row(1)[0].Score));
        Assert.Equal(multiclass[1].ClassScores, multiclass.Row(1)[0].ClassScores);
        Assert.Equal([constant, constant, constant], Enumerable.Range(0, 3).Select(i => BatchPredictions.Repeat(constant, 3)[i]));
        var joined = BatchPredictions.Concat([multiclass.Row(1), multiclass.Row(0)]);
        Assert.Equal(["b", "a"], joined.PredictedLabels!);
        Assert.Equal([0.1f, 0.9f, 0.7f, 0.3f], joined.ClassProbabilities!);
    }

    [Theory]
    [MemberData(nameof(Formats))]
    public void Score_NoRows_ReturnsNone(ModelFormat format) => Assert.Equal(0, Load(format).Score(s_schema.NewBatch(0)).Count);

    [Theory]
    [MemberData(nameof(Formats))]
    public void Score_BatchSendsAColumnTheModelLacks_TheCallFailsNamingIt(ModelFormat format)
    {
        RowColumn[] columns = [new("tenur", RowColumnKind.Number)];
        var batch = new FeatureBatch(columns, name => name == "tenur" ? 0 : -1, 1);
        batch.SendNumbers(0)[0] = 3f;

        var error = Assert.Throws<ArgumentException>(() => Load(format).Score(batch));

        Assert.Contains("'tenur' is not a feature", error.Message, StringComparison.Ordinal);
    }

    private static IScorer Load(ModelFormat format) => format == ModelFormat.Onnx
        ? OnnxScorer.Load(File.ReadAllBytes(Path.Combine(AppContext.BaseDirectory, "Scoring", "Onnx", "churn-linear.onnx")), s_features, ModelTask.BinaryClassification)
        : ModelScorer.Load(new MemoryStream(TestModels.Model));

    private static Dictionary<string, object?> Row(int i) =>
        new(StringComparer.Ordinal) { ["tenure"] = (float)i, ["contract"] = s_contracts[i % 3], ["total_charges"] = i % 7 == 0 ? null : i * 40f };
}
