using Mlops.Declarations.Models;
using Mlops.Pipeline.Evaluation;
using Mlops.Pipeline.Training;
using Mlops.Runtime.Evaluation;
using Mlops.Runtime.Features;
using Mlops.Runtime.Scoring;
using Mlops.Testing;

namespace Mlops.Pipeline.Tests.Training;

/// <summary>Models declared for generated data sets train and evaluate with no code written.</summary>
public sealed class SyntheticModelTests
{
    [Theory]
    [InlineData("lbfgs")]
    [InlineData("lightgbm")]
    public async Task TrainAndEvaluate_Multiclass_PredictsTheQuadrants(string trainer)
    {
        using var repository = TrainingRepository.Synthetic(ModelTask.MulticlassClassification, trainer);

        var (result, report) = await TrainAndEvaluateAsync(repository);

        Assert.Equal("multiclass-classification", report.Task);
        Assert.True(report.Metrics[MetricNames.MicroAccuracy] > 0.8, $"micro accuracy {report.Metrics[MetricNames.MicroAccuracy]:F3}");
        Assert.True(report.Metrics[MetricNames.MacroAccuracy] > 0.8, $"macro accuracy {report.Metrics[MetricNames.MacroAccuracy]:F3}");
        Assert.True(report.Metrics[MetricNames.LogLoss] < 1.0);
        Assert.Equal(["north-east", "north-west", "south-east", "south-west"], report.Classes!.Select(c => c.Class));
        Assert.Equal(report.HoldoutRows, report.Classes!.Sum(c => c.Support));
        Assert.Equal(ModelScorer.Load(result.ModelPath).Classes, report.Classes!.Select(c => c.Class));
    }

    [Fact]
    public async Task Score_MulticlassRow_NamesTheClass()
    {
        using var repository = TrainingRepository.Synthetic(ModelTask.MulticlassClassification, "lbfgs");
        var (result, _) = await TrainAndEvaluateAsync(repository);

        var request = await TrainingRepository.RequestAsync(repository.Path, "points");
        var prediction = ModelScorer.Load(result.ModelPath).Score(InputSchema.For(request.FeatureSet.Value), new Dictionary<string, object?> { ["x"] = 0.8, ["y"] = -0.7, ["flag"] = true, ["colour"] = "red" });

        Assert.Equal("south-east", prediction.PredictedLabel);
        Assert.Equal(prediction.ClassScores!["south-east"], prediction.Score);
    }

    [Theory]
    [InlineData("lbfgs")]
    [InlineData("sdca")]
    [InlineData("fasttree")]
    public async Task TrainAndEvaluate_Regression_FitsTheLinearSignal(string trainer)
    {
        using var repository = TrainingRepository.Synthetic(ModelTask.Regression, trainer);
        if (trainer == "lbfgs")
        {
            // Poisson regression needs a non-negative label: shift it.
            var lines = repository.Read("data/points.csv").Split('\n', StringSplitOptions.RemoveEmptyEntries);
            repository.Write("data/points.csv", string.Join('\n', lines.Select((l, i) => i == 0 ? l : l[..(l.LastIndexOf(',') + 1)] + (double.Parse(l[(l.LastIndexOf(',') + 1)..], System.Globalization.CultureInfo.InvariantCulture) + 10).ToString(System.Globalization.CultureInfo.InvariantCulture))) + "\n");
            TrainingRepository.RefreshDigest(repository);
        }

        var (_, report) = await TrainAndEvaluateAsync(repository);

        Assert.Equal("regression", report.Task);
        Assert.True(report.Metrics[MetricNames.R2] > 0.7, $"{trainer}: R2 {report.Metrics[MetricNames.R2]:F3}");
        Assert.True(report.Metrics[MetricNames.Mae] <= report.Metrics[MetricNames.Rmse]);
        Assert.Equal("score", Assert.Single(report.Profile.Predictions).Name);
    }

    [Fact]
    public async Task Train_TimeColumn_HoldsOutTheLatestRows()
    {
        using var repository = TrainingRepository.Synthetic(ModelTask.BinaryClassification, "lbfgs", rows: 100);
        repository.Replace("models/points.yaml", "split: { holdout: 0.25, seed: 3 }", "split: { holdout: 0.25, seed: 3, timeColumn: when }");

        var (result, report) = await TrainAndEvaluateAsync(repository);

        Assert.Equal((75, 25), (result.TrainRows, result.HoldoutRows));
        Assert.Equal(25, report.HoldoutRows);
    }

    [Fact]
    public async Task Train_MissingCategoryFilledWithMostFrequent_IsDescribedAndScores()
    {
        using var repository = TrainingRepository.Synthetic(ModelTask.BinaryClassification, "lbfgs");

        var (result, _) = await TrainAndEvaluateAsync(repository);
        var scorer = ModelScorer.Load(result.ModelPath);
        var schema = InputSchema.For((await TrainingRepository.RequestAsync(repository.Path, "points")).FeatureSet.Value);
        var mode = result.Transforms.Single(t => t.StartsWith("colour:", StringComparison.Ordinal)).Split('\'')[1];
        var missing = scorer.Score(schema, new Dictionary<string, object?> { ["x"] = 0.1, ["y"] = 0.2, ["flag"] = false });
        var filled = scorer.Score(schema, new Dictionary<string, object?> { ["x"] = 0.1, ["y"] = 0.2, ["flag"] = false, ["colour"] = mode, ["z"] = (double)MedianOf(result) });

        Assert.Equal(filled.Score, missing.Score);
    }

    private static float MedianOf(TrainingResult result) =>
        float.Parse(result.Transforms.Single(t => t.StartsWith("z:", StringComparison.Ordinal)).Split("training median ")[1].Split(';')[0], System.Globalization.CultureInfo.InvariantCulture);

    private static async Task<(TrainingResult Result, EvaluationReport Report)> TrainAndEvaluateAsync(TempDirectory repository)
    {
        var output = repository.Combine("out");
        var request = await TrainingRepository.RequestAsync(repository.Path, "points");
        var result = await new ModelTrainer().TrainAsync(request, output, cancellationToken: TestContext.Current.CancellationToken);
        var report = await new ModelEvaluator { LatencyPredictions = 20, WarmupPredictions = 2 }.EvaluateAsync(
            TrainingRepository.Evaluation(request, result.ModelPath), cancellationToken: TestContext.Current.CancellationToken);
        return (result, report);
    }
}
