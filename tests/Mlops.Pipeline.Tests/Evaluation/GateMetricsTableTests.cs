using Mlops.Declarations.Models;
using Mlops.Pipeline.Evaluation;
using Mlops.Runtime.Evaluation;

namespace Mlops.Pipeline.Tests.Evaluation;

/// <summary>
/// Validation refuses gates on metrics outside <see cref="GateMetrics"/> (MLOPS0212); these tests hold
/// the evaluator to that table, so a metric added to one is added to the other.
/// </summary>
public sealed class GateMetricsTableTests
{
    [Fact]
    public void Binary_EvaluatorMeasuresExactlyTheDeclaredMetrics()
    {
        bool[] labels = [true, false, true, false, true, false];
        float[] scores = [2f, -1f, 0.5f, 0.7f, 1.5f, -2f];
        float[] probabilities = [0.9f, 0.2f, 0.6f, 0.65f, 0.8f, 0.1f];

        var (metrics, _) = TaskMetrics.Binary(labels, scores, probabilities, [.. scores.Select(s => s > 0)]);

        Assert.Equal(Sorted(GateMetrics.ForTask(ModelTask.BinaryClassification)), Sorted(metrics.Keys));
    }

    [Fact]
    public void Multiclass_EvaluatorMeasuresExactlyTheDeclaredMetrics()
    {
        int[] labels = [0, 1, 2, 1];
        float[][] scores = [[0.7f, 0.2f, 0.1f], [0.1f, 0.8f, 0.1f], [0.2f, 0.2f, 0.6f], [0.5f, 0.4f, 0.1f]];

        var (metrics, _) = TaskMetrics.Multiclass(["a", "b", "c"], labels, scores, [0, 1, 2, 0]);

        Assert.Equal(Sorted(GateMetrics.ForTask(ModelTask.MulticlassClassification)), Sorted(metrics.Keys));
    }

    [Fact]
    public void Regression_EvaluatorMeasuresExactlyTheDeclaredMetrics()
    {
        var metrics = TaskMetrics.Regression([1f, 2f, 3f, 4f], [1.1f, 1.9f, 3.2f, 3.7f]);

        Assert.Equal(Sorted(GateMetrics.ForTask(ModelTask.Regression)), Sorted(metrics.Keys));
    }

    [Fact]
    public void ModelWideMetrics_AreTheEvaluatorsLatencyAndSizeNames()
    {
        Assert.Equal([MetricNames.P50LatencyMs, MetricNames.P99LatencyMs, MetricNames.ModelSizeBytes], GateMetrics.ModelWide);
    }

    private static List<string> Sorted(IEnumerable<string> names) => [.. names.Order(StringComparer.Ordinal)];
}
