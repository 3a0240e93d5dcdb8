using Mlops.Runtime.Evaluation;

namespace Mlops.Pipeline.Tests.Evaluation;

/// <summary>
/// Brier and ECE against values worked out by hand (the arithmetic is in each test). Brier is
/// scikit-learn's <c>brier_score_loss</c> formula, mean((p - y)^2); ECE bins the positive class's
/// probability into 10 equal-width bins and weights |positive rate - mean probability| by bin size.
/// </summary>
public sealed class CalibrationMetricsTests
{
    private const double Tolerance = 1e-6;

    private static Dictionary<string, double> Binary(bool[] labels, float[] probabilities) =>
        TaskMetrics.Binary(labels, probabilities, probabilities, [.. probabilities.Select(p => p >= 0.5f)]).Metrics;

    [Fact]
    public void Brier_FourRows_IsTheMeanSquaredErrorOfTheProbability()
    {
        // (0.1^2 + 0.2^2 + 0.4^2 + 0.65^2) / 4 = (0.01 + 0.04 + 0.16 + 0.4225) / 4 = 0.158125
        var metrics = Binary([true, false, true, false], [0.9f, 0.2f, 0.6f, 0.65f]);

        Assert.Equal(0.158125, metrics[MetricNames.Brier], Tolerance);
    }

    [Fact]
    public void Ece_FourRows_WeighsEachBinsGapByItsRows()
    {
        // Bin [0.9, 1]: 0.9 positive, |1 - 0.9| = 0.1. Bin [0.2, 0.3): 0.2 negative, |0 - 0.2| = 0.2.
        // Bin [0.6, 0.7): 0.6 positive and 0.65 negative, |0.5 - 0.625| = 0.125.
        // ECE = 1/4 * 0.1 + 1/4 * 0.2 + 2/4 * 0.125 = 0.1375
        var metrics = Binary([true, false, true, false], [0.9f, 0.2f, 0.6f, 0.65f]);

        Assert.Equal(0.1375, metrics[MetricNames.Ece], Tolerance);
    }

    [Fact]
    public void Ece_ProbabilityOfOne_FallsInTheLastBin()
    {
        // Bin [0.9, 1]: 1.0 and 0.95, both positive: |1 - 0.975| = 0.025, weight 2/3.
        // Bin [0, 0.1): 0.0 negative: 0. ECE = 2/3 * 0.025
        var metrics = Binary([true, true, false], [1f, 0.95f, 0f]);

        Assert.Equal(2.0 / 3 * 0.025, metrics[MetricNames.Ece], Tolerance);
    }

    [Fact]
    public void BrierAndEce_CalibratedCoinFlips_AreAQuarterAndZero()
    {
        var metrics = Binary([true, false, true, false], [0.5f, 0.5f, 0.5f, 0.5f]);

        Assert.Equal(0.25, metrics[MetricNames.Brier], Tolerance);
        Assert.Equal(0, metrics[MetricNames.Ece], Tolerance);
    }

    [Fact]
    public void BrierAndEce_ConfidentlyWrong_AreOne()
    {
        var metrics = Binary([true, false], [0f, 1f]);

        Assert.Equal(1, metrics[MetricNames.Brier], Tolerance);
        Assert.Equal(1, metrics[MetricNames.Ece], Tolerance);
    }

    [Fact]
    public void BrierAndEce_NoProbabilities_AreAbsent()
    {
        float[] scores = [2f, -1f, 0.5f];

        var (metrics, _) = TaskMetrics.Binary([true, false, true], scores, null, [true, false, true]);

        Assert.DoesNotContain(MetricNames.Brier, metrics.Keys);
        Assert.DoesNotContain(MetricNames.Ece, metrics.Keys);
        Assert.Contains(MetricNames.Auc, metrics.Keys);
    }
}
