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
