using System.Text.Json;
using Microsoft.ML;
using Microsoft.ML.Data;
using Mlops.Pipeline.Evaluation;
using Mlops.Pipeline.Tests.Training;
using Mlops.Pipeline.Training;
using Mlops.Runtime.Evaluation;
using Mlops.Runtime.Scoring;

namespace Mlops.Pipeline.Tests.Evaluation;

[Collection(ChurnModelCollection.Name)]
public sealed class ModelEvaluatorTests(ChurnModelFixture churn)
{
    [Fact]
    public void Evaluate_Binary_ReportsEveryGateMetric()
    {
        string[] expected = ["accuracy", "auc", "brier", "ece", "f1", "logLoss", "modelSizeBytes", "p50LatencyMs", "p99LatencyMs", "prAuc", "precision", "recall"];

        Assert.Equal(expected, churn.Evaluation.Metrics.Keys);
        Assert.Equal(new FileInfo(churn.Training.ModelPath).Length, churn.Evaluation.Metrics[MetricNames.ModelSizeBytes]);
        Assert.InRange(churn.Evaluation.Latency.P50Ms, 0.0001, churn.Evaluation.Latency.P99Ms);
        Assert.Equal(1000, churn.Evaluation.Latency.Predictions);
    }

    [Fact]
    public void Evaluate_Binary_ConfusionMatrixAddsUpToTheHoldout()
    {
        var m = churn.Evaluation.ConfusionMatrix!;

        Assert.Equal(churn.Training.HoldoutRows, m.TruePositives + m.FalsePositives + m.TrueNegatives + m.FalseNegatives);
        Assert.Equal((double)m.TruePositives / (m.TruePositives + m.FalseNegatives), churn.Evaluation.Metrics[MetricNames.Recall], 12);
    }

    [Fact]
    public async Task Evaluate_Binary_MetricsAgreeWithMlNetsEvaluator()
    {
        var data = await TrainingData.LoadAsync(churn.Request.RepositoryRoot, churn.Request.Model, churn.Request.FeatureSet, TestContext.Current.CancellationToken);
        var ml = new MLContext(1);
        var model = ml.Model.Load(churn.Training.ModelPath, out _);
        var scored = model.Transform(ModelTrainer.LabelledView(ml, data, data.Holdout));

        var expected = ml.BinaryClassification.Evaluate(scored, ModelColumns.Label);

        Assert.Equal(expected.AreaUnderRocCurve, churn.Evaluation.Metrics[MetricNames.Auc], 9);
        Assert.Equal(expected.Accuracy, churn.Evaluation.Metrics[MetricNames.Accuracy], 9);
        Assert.Equal(expected.PositivePrecision, churn.Evaluation.Metrics[MetricNames.Precision], 9);
        Assert.Equal(expected.PositiveRecall, churn.Evaluation.Metrics[MetricNames.Recall], 9);
        Assert.Equal(expected.F1Score, churn.Evaluation.Metrics[MetricNames.F1], 9);
        Assert.Equal(expected.LogLoss * Math.Log(2), churn.Evaluation.Metrics[MetricNames.LogLoss], 6);
    }

    [Fact]
    public async Task Evaluate_Binary_BrierIsTheMeanSquaredErrorOfMlNetsProbability()
    {
        var data = await TrainingData.LoadAsync(churn.Request.RepositoryRoot, churn.Request.Model, churn.Request.FeatureSet, TestContext.Current.CancellationToken);
        var ml = new MLContext(1);
        var scored = ml.Model.Load(churn.Training.ModelPath, out _).Transform(ModelTrainer.LabelledView(ml, data, data.Holdout));
        var probabilities = scored.GetColumn<float>("Probability").ToArray();
        var labels = scored.GetColumn<bool>(ModelColumns.Label).ToArray();

        // sklearn.metrics.brier_score_loss: mean((p - y)^2)
        var expected = probabilities.Zip(labels, (p, y) => Math.Pow(p - (y ? 1 : 0), 2)).Average();

        Assert.Equal(expected, churn.Evaluation.Metrics[MetricNames.Brier], 7); // float probabilities, summed in another order
        Assert.InRange(churn.Evaluation.Metrics[MetricNames.Ece], 0, 0.2);
    }

    [Fact]
    public void Evaluate_ContractSlice_HasBrierAndEcePerValue()
    {
        var slices = churn.Evaluation.Slices.Where(s => s.Feature == "contract").ToList();

        Assert.All(slices, s => Assert.InRange(s.Metrics[MetricNames.Brier], 0, 1));
        Assert.All(slices, s => Assert.InRange(s.Metrics[MetricNames.Ece], 0, 1));
        // Month-to-month customers churn most; their probabilities are the least certain.
        Assert.True(slices[0].Metrics[MetricNames.Brier] > slices[2].Metrics[MetricNames.Brier]);
    }

    [Fact]
    public void Evaluate_ContractSlice_HasMetricsPerDeclaredValue()
    {
        var slices = churn.Evaluation.Slices.Where(s => s.Feature == "contract").ToList();

        Assert.Equal(["Month-to-month", "One year", "Two year"], slices.Select(s => s.Value));
        Assert.Equal(churn.Training.HoldoutRows, slices.Sum(s => s.Rows));
        Assert.All(slices, s => Assert.Contains(MetricNames.Recall, s.Metrics.Keys));
        Assert.True(slices[0].Metrics[MetricNames.Recall] > slices[2].Metrics[MetricNames.Recall]);
    }

    [Fact]
    public async Task Score_HoldoutRow_EqualsTheEvaluationPipelinesScore()
    {
        var data = await TrainingData.LoadAsync(churn.Request.RepositoryRoot, churn.Request.Model, churn.Request.FeatureSet, TestContext.Current.CancellationToken);
        var batch = Rows.MlNetTransform(churn.Training.ModelPath, data, seed: 42);
        var scorer = ModelScorer.Load(churn.Training.ModelPath);
        var withMissing = Array.FindIndex(data.Holdout, r => float.IsNaN(data.NumberAt(data.Features.ToList().FindIndex(f => f.Name == "total_charges"), r)));

        foreach (var i in new[] { 0, 1, withMissing is >= 0 ? withMissing : 2 })
        {
            var prediction = scorer.Score(data.Schema, Rows.Request(data, data.Holdout[i]));

            // Serving scores a linear model by its terms (ModelScorer.ScoringPath): equal up to float rounding.
            Assert.Equal(batch.Scores[i], prediction.Score, 1e-4f);
            Assert.Equal(batch.Probabilities![i], prediction.Probability!.Value, 1e-6f);
        }
    }

    [Fact]
    public void Profile_TotalCharges_CountsTheHoldoutRowsAndTheirNulls()
    {
        var profile = churn.Evaluation.Profile.Features.Single(f => f.Name == "total_charges");

        Assert.Equal(churn.Training.HoldoutRows, profile.Count);
        Assert.InRange(profile.Missing, 1, 10); // 11 in the whole file, fewer on a split
        Assert.Equal((double)profile.Missing / profile.Count, profile.NullRate);
        Assert.Equal(profile.Count - profile.Missing, profile.Numeric!.Histogram.Counts.Sum());
        Assert.Equal(11, profile.Numeric.Quantiles.Count);
    }

    [Fact]
    public void Profile_CategoriesBoolsAndPredictions_AreFrequencies()
    {
        var contract = churn.Evaluation.Profile.Features.Single(f => f.Name == "contract").Categorical!;
        var female = churn.Evaluation.Profile.Features.Single(f => f.Name == "female").Categorical!;
        var predictions = churn.Evaluation.Profile.Predictions;

        Assert.Equal(["Month-to-month", "One year", "Two year"], contract.Values.Select(v => v.Value));
        Assert.Equal(["false", "true"], female.Values.Select(v => v.Value));
        Assert.Equal(["probability", "predictedLabel"], predictions.Select(p => p.Name));
        Assert.Equal(churn.Evaluation.ConfusionMatrix!.TruePositives + churn.Evaluation.ConfusionMatrix.FalsePositives,
            predictions[1].Categorical!.Values.Single(v => v.Value == "true").Count);
    }

    [Fact]
    public void Report_SerialisesToCamelCaseJson()
    {
        var json = JsonSerializer.Serialize(churn.Evaluation, new JsonSerializerOptions(JsonSerializerDefaults.Web));

        Assert.Contains("\"metrics\":{\"accuracy\":", json, StringComparison.Ordinal);
        Assert.Contains("\"confusionMatrix\":{\"truePositives\":", json, StringComparison.Ordinal);
        Assert.Contains("\"profile\":{\"rows\":", json, StringComparison.Ordinal);
    }

    [Fact]
    public void Evaluate_Binary_EveryRowMetricHasAnIntervalAroundItsValue_LatencyAndSizeNone()
    {
        var report = churn.Evaluation;

        Assert.Equal(["accuracy", "auc", "brier", "ece", "f1", "logLoss", "prAuc", "precision", "recall"], report.Intervals.Keys);
        Assert.All(report.Intervals, i => Assert.InRange(report.Metrics[i.Key], i.Value.Low, i.Value.High));
        Assert.All(report.Intervals, i => Assert.True(i.Value.High > i.Value.Low, $"{i.Key}: {i.Value}"));
        var contract = report.Slices.Where(s => s.Feature == "contract").ToList();
        Assert.All(contract, s => Assert.InRange(s.Metrics[MetricNames.Recall], s.Intervals[MetricNames.Recall].Low, s.Intervals[MetricNames.Recall].High));
        // One-year contracts hold a small share of the rows and of the churners, so their AUC is much less certain than the
        // holdout's. (Month-to-month holds most churners: its recall interval is only about 5% wider, inside the bootstrap's noise.)
        var auc = report.Intervals[MetricNames.Auc];
        var yearly = contract.Single(s => s.Value == "One year").Intervals[MetricNames.Auc];
        Assert.True(yearly.High - yearly.Low > 1.5 * (auc.High - auc.Low), $"{yearly} vs {auc}");
    }

    [Fact]
    public async Task Evaluate_Again_GivesTheSameIntervals_AndTheBootstrapsCostIsMeasured()
    {
        var request = TrainingRepository.Evaluation(churn.Request, churn.Training.ModelPath);
        var ct = TestContext.Current.CancellationToken;
        var without = System.Diagnostics.Stopwatch.StartNew();
        var plain = await new ModelEvaluator { LatencyPredictions = 10, WarmupPredictions = 1, BootstrapResamples = 0 }.EvaluateAsync(request, cancellationToken: ct);
        without.Stop();
        var with = System.Diagnostics.Stopwatch.StartNew();
        var again = await new ModelEvaluator { LatencyPredictions = 10, WarmupPredictions = 1 }.EvaluateAsync(request, cancellationToken: ct);
        with.Stop();

        Assert.Empty(plain.Intervals);
        Assert.Equal(churn.Evaluation.Intervals, again.Intervals);
        Assert.Equal(churn.Evaluation.Slices.Select(s => s.Intervals), again.Slices.Select(s => s.Intervals));
        TestContext.Current.TestOutputHelper?.WriteLine(
            $"Evaluation of {again.HoldoutRows} holdout rows: {without.ElapsedMilliseconds} ms without intervals, {with.ElapsedMilliseconds} ms with 1,000 resamples (overall and {again.Slices.Count} slice values).");
    }

    [Fact]
    public void Intervals_ReachTheRunStoresMetricsAndTheRegistryTagsMetrics()
    {
        var report = churn.Evaluation;
        var monthly = report.Slices.Single(s => s.Feature == "contract" && s.Value == "Month-to-month");

        var recorded = Mlops.Pipeline.Stages.EvaluateStage.RunMetrics(report).ToList();
        var tagged = Mlops.Pipeline.Gates.MetricSets.ToRegistry(Mlops.Pipeline.Gates.MetricSets.From(report));

        Assert.Equal(report.Intervals[MetricNames.Auc], recorded.Single(m => m.Name == MetricNames.Auc && m.Slice.Length == 0).Interval);
        Assert.Equal(monthly.Intervals[MetricNames.Recall], recorded.Single(m => m.Name == MetricNames.Recall && m.Slice == "contract=Month-to-month").Interval);
        Assert.Null(recorded.Single(m => m.Name == MetricNames.P99LatencyMs).Interval);
        Assert.Equal(report.Intervals[MetricNames.Auc], tagged.Single(m => m.Name == MetricNames.Auc).Interval);
        Assert.Equal(monthly.Intervals[MetricNames.Recall], tagged.Single(m => m.Name == "recall[contract=Month-to-month]").Interval);
        Assert.Null(tagged.Single(m => m.Name == MetricNames.ModelSizeBytes).Interval);
    }
}
