using Mlops.Pipeline.Evaluation;
using Mlops.Pipeline.Training;
using Mlops.Runtime.Evaluation;
using Mlops.Testing;

namespace Mlops.Pipeline.Tests.Training;

[Collection(ChurnModelCollection.Name)]
public sealed class ModelTrainerTests(ChurnModelFixture churn)
{
    [Fact]
    public void Train_ChurnExample_HoldoutAucIsAtLeast083()
    {
        Assert.Equal("lbfgs", churn.Training.Trainer);
        Assert.True(churn.Evaluation.Metrics[MetricNames.Auc] >= 0.83, $"AUC {churn.Evaluation.Metrics[MetricNames.Auc]:F4}");
    }

    [Fact]
    public void Train_ChurnExample_ReportsRowsSeedVersionsAndParameters()
    {
        var result = churn.Training;
        Assert.Equal(7043, result.TrainRows + result.HoldoutRows);
        Assert.InRange(result.HoldoutRows, 1200, 1650);
        Assert.Equal(42, result.Seed);
        Assert.Equal("5.0.1", result.MlNetVersion);
        Assert.Equal("Microsoft.ML.StandardTrainers 5.0.1", result.TrainerVersion);
        Assert.Equal("1", result.Parameters["l2Regularization"]);
        Assert.StartsWith("sha256:", result.ModelDigest, StringComparison.Ordinal);
        Assert.Equal(churn.Request.Model.Value.Data.Digest, result.DataDigest);
        Assert.Contains(result.Transforms, t => t.StartsWith("total_charges: missing -> training median", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Train_SameInputsTwice_SameDigestAndSameMetrics()
    {
        using var output = new TempDirectory("mlops-churn-again");
        var again = await new ModelTrainer().TrainAsync(churn.Request, output.Path, cancellationToken: TestContext.Current.CancellationToken);
        var evaluation = await new ModelEvaluator { LatencyPredictions = 10, WarmupPredictions = 1 }.EvaluateAsync(
            TrainingRepository.Evaluation(churn.Request, again.ModelPath), cancellationToken: TestContext.Current.CancellationToken);

        Assert.Equal(churn.Training.ModelDigest, again.ModelDigest);
        Assert.Equal(File.ReadAllBytes(churn.Training.ModelPath), File.ReadAllBytes(again.ModelPath));
        foreach (var metric in new[] { MetricNames.Auc, MetricNames.PrAuc, MetricNames.Accuracy, MetricNames.F1, MetricNames.LogLoss })
        {
            Assert.Equal(churn.Evaluation.Metrics[metric], evaluation.Metrics[metric]);
        }
    }

    [Fact]
    public async Task Train_DurationComesFromTheTimeProvider()
    {
        using var example = TrainingRepository.Example(rows: 300);
        using var output = new TempDirectory();
        var clock = new SteppingTimeProvider(TimeSpan.FromSeconds(3));
        var request = await TrainingRepository.RequestAsync(example.Path, "churn");

        var result = await new ModelTrainer(clock).TrainAsync(request, output.Path, cancellationToken: TestContext.Current.CancellationToken);

        Assert.Equal(TimeSpan.FromSeconds(3), result.Duration);
    }

    [Fact]
    public async Task Train_ReportsEachStage()
    {
        using var example = TrainingRepository.Example(rows: 200);
        using var output = new TempDirectory();
        var stages = new List<TrainingStage>();
        var request = await TrainingRepository.RequestAsync(example.Path, "churn");

        await new ModelTrainer().TrainAsync(request, output.Path, new SynchronousProgress(p => stages.Add(p.Stage)), TestContext.Current.CancellationToken);

        Assert.Equal([TrainingStage.LoadingData, TrainingStage.Fitting, TrainingStage.Saving], stages);
    }

    [Theory]
    [InlineData("lightgbm")]
    [InlineData("fasttree")]
    [InlineData("fastforest")]
    [InlineData("sdca")]
    public async Task Train_EachBinaryTrainer_TrainsASmallSlice(string trainer)
    {
        using var example = TrainingRepository.Example(rows: 600);
        example.Replace("models/churn.yaml", "name: lbfgs", $"name: {trainer}");
        using var output = new TempDirectory();
        var request = await TrainingRepository.RequestAsync(example.Path, "churn");

        var result = await new ModelTrainer().TrainAsync(request, output.Path, cancellationToken: TestContext.Current.CancellationToken);
        var report = await new ModelEvaluator { LatencyPredictions = 10, WarmupPredictions = 1 }.EvaluateAsync(
            TrainingRepository.Evaluation(request, result.ModelPath), cancellationToken: TestContext.Current.CancellationToken);

        Assert.Equal(trainer, result.Trainer);
        Assert.True(report.Metrics[MetricNames.Auc] > 0.7, $"{trainer}: AUC {report.Metrics[MetricNames.Auc]:F3}");
    }

    /// <summary>Advances by a fixed step on every timestamp read after the first.</summary>
    private sealed class SteppingTimeProvider(TimeSpan step) : TimeProvider
    {
        private long _reads;

        public override long TimestampFrequency => TimeSpan.TicksPerSecond;

        public override long GetTimestamp() => Interlocked.Increment(ref _reads) == 1 ? 0 : step.Ticks;
    }

    private sealed class SynchronousProgress(Action<TrainingProgress> report) : IProgress<TrainingProgress>
    {
        public void Report(TrainingProgress value) => report(value);
    }
}
