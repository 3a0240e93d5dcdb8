using Mlops.Declarations.Diagnostics;
using Mlops.Pipeline.Training;
using Mlops.Runtime.Evaluation;
using Mlops.Testing;

namespace Mlops.Pipeline.Tests.Training;

[Collection(ChurnModelCollection.Name)]
public sealed class CrossValidatorTests(ChurnModelFixture churn)
{
    [Fact]
    public async Task Run_Example_FiveFoldsWhoseSummaryFollowsFromTheFoldValues()
    {
        var result = await RunAsync(folds: 5);

        Assert.Equal(5, result.Folds.Count);
        var data = await FoldAssignmentTests.LoadAsync(RepositoryRoot.Path, "churn");
        Assert.Equal(data.Train.Length, result.FoldRows.Sum());
        foreach (var metric in new[] { MetricNames.Auc, MetricNames.Accuracy, MetricNames.LogLoss })
        {
            var values = result.Values(metric);
            var mean = values.Average();
            var sd = Math.Sqrt(values.Sum(v => (v - mean) * (v - mean)) / 4);
            Assert.Equal(mean, result.Mean[metric], 12);
            Assert.Equal(sd, result.StandardDeviation[metric], 12);
            Assert.True(sd > 0, $"{metric}: the folds should differ");
            var interval = result.Interval(metric)!;
            Assert.Equal(mean - (2.7764451052 * sd / Math.Sqrt(5)), interval.Low, 9);
            Assert.Equal(mean + (2.7764451052 * sd / Math.Sqrt(5)), interval.High, 9);
            Assert.InRange(values.Min(), interval.Low - (3 * sd), interval.Low + sd); // the interval is on the mean: narrower than the folds' spread
        }
    }

    [Fact]
    public async Task Run_Twice_IdenticalNumbers()
    {
        var first = await RunAsync(folds: 4);
        var second = await RunAsync(folds: 4);

        Assert.Equal(first.Folds.Select(f => f.ToArray()), second.Folds.Select(f => f.ToArray()));
        Assert.Equal(first.Mean.ToArray(), second.Mean.ToArray());
        Assert.Equal(first.Intervals.ToArray(), second.Intervals.ToArray());
    }

    [Fact]
    public async Task Run_Example_MeanAucIsNearTheHoldoutAuc()
    {
        var result = await RunAsync(folds: 5);

        var holdout = churn.Evaluation.Metrics[MetricNames.Auc];
        Assert.True(Math.Abs(result.Mean[MetricNames.Auc] - holdout) < 0.05, $"cv AUC {result.Mean[MetricNames.Auc]:F4}, holdout AUC {holdout:F4}");
    }

    [Fact]
    public async Task Run_MoreFoldsThanGroups_SaysWhichFieldToChange()
    {
        using var repository = TrainingRepository.Synthetic(Declarations.Models.ModelTask.BinaryClassification, "lbfgs", rows: 12);
        repository.Replace("models/points.yaml", "split: { holdout: 0.25, seed: 3 }", "split: { holdout: 0.25, seed: 3, folds: 20 }");
        var request = await TrainingRepository.RequestAsync(repository.Path, "points");
        var data = await TrainingData.LoadAsync(repository.Path, request.Model, request.FeatureSet, TestContext.Current.CancellationToken);
        var trainer = ModelTrainer.ResolveTrainer(request);

        var error = Assert.Throws<TrainingException>(() => new CrossValidator().Run(data, trainer, Bind(trainer, request), 20, 3, TestContext.Current.CancellationToken));

        var diagnostic = Assert.Single(error.Diagnostics);
        Assert.Equal("models/points.yaml", diagnostic.Location.Path);
        Assert.Contains("Use fewer folds", diagnostic.Message, StringComparison.Ordinal);
    }

    private async Task<CrossValidationResult> RunAsync(int folds)
    {
        var request = churn.Request;
        var data = await TrainingData.LoadAsync(request.RepositoryRoot, request.Model, request.FeatureSet, TestContext.Current.CancellationToken);
        var trainer = ModelTrainer.ResolveTrainer(request);
        return new CrossValidator().Run(data, trainer, Bind(trainer, request), folds, request.Model.Value.Data.Split.Seed, TestContext.Current.CancellationToken);
    }

    private static object Bind(TrainerDefinition trainer, TrainingRequest request)
    {
        var errors = new List<Diagnostic>();
        var options = TrainerParameters.Bind(trainer, request.Model, errors);
        Assert.Empty(errors);
        return options;
    }
}

/// <summary>Training and evaluation of models whose folds alone evaluate them (<c>holdout: 0</c>), on generated data of each task.</summary>
public sealed class FoldsAloneTests
{
    [Theory]
    [InlineData(Declarations.Models.ModelTask.MulticlassClassification, "lbfgs", MetricNames.MicroAccuracy)]
    [InlineData(Declarations.Models.ModelTask.Regression, "fasttree", MetricNames.R2)]
    [InlineData(Declarations.Models.ModelTask.BinaryClassification, "lightgbm", MetricNames.Auc)]
    public async Task TrainAndEvaluate_HoldoutZero_ReportsTheCvMeansAndScoresEveryRowOutOfFold(Declarations.Models.ModelTask task, string trainerName, string metric)
    {
        using var repository = TrainingRepository.Synthetic(task, trainerName);
        repository.Replace("models/points.yaml", "split: { holdout: 0.25, seed: 3 }", "split: { holdout: 0, seed: 3, folds: 4 }");
        var request = await TrainingRepository.RequestAsync(repository.Path, "points");
        var ct = TestContext.Current.CancellationToken;

        var result = await new ModelTrainer().TrainAsync(request, repository.Combine("out"), cancellationToken: ct);
        var report = await new Mlops.Pipeline.Evaluation.ModelEvaluator { LatencyPredictions = 20, WarmupPredictions = 2 }.EvaluateAsync(
            TrainingRepository.Evaluation(request, result.ModelPath), cancellationToken: ct);

        Assert.Equal((300, 0), (result.TrainRows, result.HoldoutRows));
        var cv = result.CrossValidation!;
        Assert.Equal(4, cv.Folds.Count);
        Assert.Equal(Mlops.Pipeline.Evaluation.EvaluationReport.CrossValidationSplit, report.EvaluatedOn);
        Assert.Equal(300, report.HoldoutRows);
        Assert.Equal(cv.Mean[metric], report.Metrics[metric]);
        Assert.Equal(cv.Interval(metric), report.Intervals[metric]);
        Assert.True(report.Metrics.ContainsKey(MetricNames.P99LatencyMs));
        Assert.Equal(300, report.Profile.Rows);
        Assert.NotEmpty(report.Slices);
        Assert.Equal(task == Declarations.Models.ModelTask.MulticlassClassification, report.Classes is { Count: 4 });
        Assert.True(task != Declarations.Models.ModelTask.Regression ? cv.Mean[metric] > 0.8 : cv.Mean[metric] > 0.7, $"{metric} {cv.Mean[metric]:F3}");
    }
}

/// <summary>A model trained outside mlops cannot be evaluated by folds: nothing could refit them.</summary>
public sealed class FoldsAloneExternalModelTests
{
    [Fact]
    public async Task Evaluate_OnnxModelWithHoldoutZero_SaysToHoldOutRows()
    {
        using var repository = TrainingRepository.Example(rows: 600);
        var ct = TestContext.Current.CancellationToken;
        var request = await TrainingRepository.RequestAsync(repository.Path, "churn");
        var trained = await new ModelTrainer().TrainAsync(request, repository.Combine("out"), cancellationToken: ct);
        var data = await TrainingData.LoadAsync(repository.Path, request.Model, request.FeatureSet, ct);
        var export = Mlops.Pipeline.Export.OnnxExport.Export(File.ReadAllBytes(trained.ModelPath), data);
        Assert.True(export.Model is not null, export.Refusal);
        File.WriteAllBytes(repository.Combine("model.onnx"), export.Model);
        repository.Replace("models/churn.yaml", "split: { holdout: 0.2, seed: 42 }", "split: { holdout: 0, seed: 42, folds: 4 }");
        var foldsAlone = await TrainingRepository.RequestAsync(repository.Path, "churn");

        var error = await Assert.ThrowsAsync<TrainingException>(() => new Mlops.Pipeline.Evaluation.ModelEvaluator().EvaluateAsync(
            TrainingRepository.Evaluation(foldsAlone, repository.Combine("model.onnx")) with { ModelFormat = Mlops.Runtime.Bundles.ModelFormat.Onnx }, cancellationToken: ct));

        Assert.Equal("MLOPS0506", error.Diagnostic.Id);
        Assert.Equal(("models/churn.yaml", 11), (error.Diagnostic.Location.Path, error.Diagnostic.Location.Line));
        Assert.Contains("trained outside mlops", error.Diagnostic.Message, StringComparison.Ordinal);
        Assert.EndsWith("Hold out rows (data.split.holdout: 0.2) to evaluate it.", error.Diagnostic.Message, StringComparison.Ordinal);
    }
}
