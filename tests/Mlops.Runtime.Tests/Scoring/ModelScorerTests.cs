using Microsoft.ML;
using Microsoft.ML.Data;
using Mlops.Declarations.FeatureSets;
using Mlops.Runtime.Features;
using Mlops.Runtime.Scoring;
using Mlops.Runtime.Tests.Features;
using Mlops.Testing;

namespace Mlops.Runtime.Tests.Scoring;

/// <summary>A small binary model trained on generated rows through the same row types training uses.</summary>
public sealed class ModelScorerTests : IDisposable
{
    private readonly TempDirectory _folder = new("mlops-scorer");
    private readonly string _modelPath;
    private readonly ITransformer _model;
    private readonly FeatureRowType _rowType;
    private readonly InputSchema _schema;

    public ModelScorerTests()
    {
        var features = new FeatureSet("toy", 1, null, null,
        [
            FeatureRowTypeTests.Feature("x", FeatureType.Float),
            FeatureRowTypeTests.Feature("member", FeatureType.Bool),
            FeatureRowTypeTests.Feature("colour", FeatureType.Category, values: ["red", "blue"]),
        ]);
        _rowType = FeatureRowType.For(features);
        _schema = InputSchema.For(features);
        var labelled = _rowType.WithLabel(typeof(bool));
        var random = new Random(1);
        var rows = new List<object>();
        for (var i = 0; i < 200; i++)
        {
            var row = labelled.NewRow();
            var x = (float)random.NextDouble();
            var member = random.Next(2);
            var colour = random.Next(2) == 0 ? "red" : "blue";
            _rowType.SetNumber(row, 0, x);
            _rowType.SetNumber(row, 1, member);
            _rowType.SetText(row, 2, colour);
            labelled.SetLabel(row, x + (member * 0.5) + (colour == "red" ? 0.3 : 0) > 0.9);
            rows.Add(row);
        }

        var ml = new MLContext(3);
        var view = labelled.ToDataView(ml, rows);
        var pipeline = ml.Transforms.Categorical.OneHotEncoding("colour")
            .Append(ml.Transforms.Concatenate(ModelColumns.Features, "x", "member", "colour"))
            .Append(ml.BinaryClassification.Trainers.LbfgsLogisticRegression(ModelColumns.Label, ModelColumns.Features));
        _model = pipeline.Fit(view);
        _modelPath = Path.Combine(_folder.Path, "model.zip");
        ml.Model.Save(_model, view.Schema, _modelPath);
    }

    [Fact]
    public void Load_BinaryModel_RebuildsTheTrainingRowTypeAndKind()
    {
        var scorer = ModelScorer.Load(_modelPath);

        Assert.Same(_rowType, scorer.RowType);
        Assert.Equal(PredictionKind.Binary, scorer.Kind);
        Assert.True(scorer.HasProbability);
    }

    [Fact]
    public void Score_OneRow_MatchesABatchTransformOfTheSameRow()
    {
        var scorer = ModelScorer.Load(_modelPath);
        var row = _rowType.NewRow();
        _rowType.SetNumber(row, 0, 0.7f);
        _rowType.SetNumber(row, 1, 1);
        _rowType.SetText(row, 2, "red");
        var batch = _model.Transform(_rowType.ToDataView(new MLContext(3), [row]));

        var prediction = scorer.Score(_schema, new Dictionary<string, object?> { ["x"] = 0.7, ["member"] = true, ["colour"] = "red" });

        Assert.Equal(batch.GetColumn<float>(ModelColumns.Score).Single(), prediction.Score);
        Assert.Equal(batch.GetColumn<float>(ModelColumns.Probability).Single(), prediction.Probability);
        Assert.Equal(batch.GetColumn<bool>(ModelColumns.PredictedLabel).Single(), prediction.IsPositive);
    }

    [Fact]
    public void Score_ManyThreads_GiveTheSameAnswerAsOneThread()
    {
        var scorer = ModelScorer.Load(_modelPath, maximumRetained: 2);
        var inputs = Enumerable.Range(0, 64).Select(i => new Dictionary<string, object?> { ["x"] = i / 64.0, ["member"] = i % 2 == 0, ["colour"] = i % 3 == 0 ? "red" : "blue" }).ToArray();
        var expected = inputs.Select(i => scorer.Score(_schema, i).Probability).ToArray();
        var actual = new float?[inputs.Length];

        Parallel.For(0, inputs.Length * 8, new ParallelOptions { MaxDegreeOfParallelism = 4, CancellationToken = TestContext.Current.CancellationToken },
            i => actual[i % inputs.Length] = scorer.Score(_schema, inputs[i % inputs.Length]).Probability);

        Assert.Equal(expected, actual);
    }

    [Fact]
    public void Score_BatchWithAColumnTheModelLacks_ThrowsNamingItAndTheNearestFeature()
    {
        var scorer = ModelScorer.Load(_modelPath);
        RowColumn[] columns = [new("colur", RowColumnKind.Text)];
        var batch = new FeatureBatch(columns, name => name == "colur" ? 0 : -1, 1);
        batch.SendTexts(0)[0] = "red";

        var error = Assert.Throws<ArgumentException>(() => scorer.Score(batch));

        Assert.Contains("'colur' is not a feature of this model. Did you mean 'colour'?", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Load_LinearModelOfSeparableSteps_TakesTheLinearPath()
    {
        Assert.StartsWith("linear terms", ModelScorer.Load(_modelPath).ScoringPath, StringComparison.Ordinal);
    }

    [Fact]
    public void Score_BatchInTheModelsOrderOrAnother_GivesTheSameAnswer()
    {
        var scorer = ModelScorer.Load(_modelPath);
        var expected = scorer.Score(_schema, new Dictionary<string, object?> { ["x"] = 0.4f, ["member"] = true, ["colour"] = "blue" });
        RowColumn[] reversed = [.. _rowType.Columns.Reverse()];
        var otherOrder = new FeatureBatch(reversed, name => Array.FindIndex(reversed, c => c.Name == name), 2);
        otherOrder.SendTexts(0).Fill("blue");
        otherOrder.SendNumbers(1).Fill(1f);
        otherOrder.SendNumbers(2).Fill(0.4f);

        var answers = scorer.Score(otherOrder);

        Assert.Equal([expected, expected], [answers[0], answers[1]]);
    }

    [Fact]
    public void Score_ColumnNotSent_IsMissingInEveryRow()
    {
        var scorer = ModelScorer.Load(_modelPath);
        var partial = _schema.NewBatch(1);
        partial.SendNumbers(0)[0] = 0.4f;
        var missing = _schema.NewBatch(1);
        missing.SendNumbers(0)[0] = 0.4f;
        missing.Send(1);
        missing.Send(2);

        Assert.Equal(scorer.Score(missing)[0], scorer.Score(partial)[0]);
    }

    [Fact]
    public void Load_NotAModel_ThrowsInvalidData()
    {
        var path = _folder.Write("junk.zip", "not a zip");

        Assert.Throws<InvalidDataException>(() => ModelScorer.Load(path));
    }

    public void Dispose() => _folder.Dispose();
}
