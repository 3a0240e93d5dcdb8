using Mlops.Pipeline.Evaluation;
using Mlops.Runtime.Evaluation;

namespace Mlops.Pipeline.Tests.Evaluation;

public sealed class HoldoutBootstrapTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    /// <summary>Accuracy of the rows drawn: the share of them the model got right.</summary>
    private static Func<int[], IReadOnlyDictionary<string, double>> AccuracyOf(bool[] correct) =>
        draw => new Dictionary<string, double> { [MetricNames.Accuracy] = draw.Count(i => correct[i]) / (double)draw.Length };

    private static bool[] Correct(int rows, double p) => [.. Enumerable.Range(0, rows).Select(i => i < p * rows)];

    [Fact]
    public void Intervals_SameRowsAndSeed_GiveTheSameIntervalTwice_AndAnotherSeedAnother()
    {
        var correct = Correct(500, 0.8);
        var rows = Enumerable.Range(0, 500).ToArray();

        var first = new HoldoutBootstrap(1000, 42).Intervals(rows, AccuracyOf(correct), Ct);
        var second = new HoldoutBootstrap(1000, 42).Intervals(rows, AccuracyOf(correct), Ct);
        var other = new HoldoutBootstrap(1000, 7).Intervals(rows, AccuracyOf(correct), Ct);

        Assert.Equal(first[MetricNames.Accuracy], second[MetricNames.Accuracy]);
        Assert.NotEqual(first[MetricNames.Accuracy], other[MetricNames.Accuracy]);
    }

    [Fact]
    public void Intervals_OneThreadOrMany_GiveTheSameInterval()
    {
        var correct = Correct(400, 0.7);
        var rows = Enumerable.Range(0, 400).ToArray();

        var parallel = new HoldoutBootstrap(1000, 42).Intervals(rows, AccuracyOf(correct), Ct);
        var serial = new HoldoutBootstrap(1000, 42) { MaxThreads = 1 }.Intervals(rows, AccuracyOf(correct), Ct);

        Assert.Equal(serial[MetricNames.Accuracy], parallel[MetricNames.Accuracy]);
    }

    [Theory]
    [InlineData(1400, 0.8)]
    [InlineData(1000, 0.5)]
    [InlineData(600, 0.9)]
    public void Intervals_Accuracy_IsCloseToTheNormalApproximation(int n, double p)
    {
        var interval = new HoldoutBootstrap(1000, 42).Intervals(Enumerable.Range(0, n).ToArray(), AccuracyOf(Correct(n, p)), Ct)[MetricNames.Accuracy];

        // Wald: p ± 1.96 sqrt(p(1-p)/n); 1,000 resamples estimate the 2.5% and 97.5% points to within a few percent.
        var halfWidth = 1.959964 * Math.Sqrt(p * (1 - p) / n);
        Assert.InRange(interval.High - interval.Low, 2 * halfWidth * 0.88, 2 * halfWidth * 1.12);
        Assert.InRange((interval.Low + interval.High) / 2, p - (halfWidth / 4), p + (halfWidth / 4));
    }

    [Fact]
    public void Intervals_ConstantPredictionModel_AccuracyIsThePositiveShareInterval_AucHasNoSpread()
    {
        // A model answering "no churn" to every row: its accuracy is the share of negatives, 0.7, and nothing else varies.
        var labels = Enumerable.Range(0, 1000).Select(i => i % 10 < 3).ToArray();
        var rows = Enumerable.Range(0, labels.Length).ToArray();
        IReadOnlyDictionary<string, double> Metrics(int[] draw) => TaskMetrics.Binary(
            [.. draw.Select(i => labels[i])], [.. draw.Select(_ => 0f)], [.. draw.Select(_ => 0.1f)], [.. draw.Select(_ => false)]).Metrics;

        var intervals = new HoldoutBootstrap(1000, 42).Intervals(rows, Metrics, Ct);

        var accuracy = intervals[MetricNames.Accuracy];
        Assert.InRange(accuracy.Low, 0.66, 0.69);
        Assert.InRange(accuracy.High, 0.71, 0.74);
        Assert.Equal(new MetricInterval(0.5, 0.5), intervals[MetricNames.Auc]);
        Assert.Equal(0.7, Metrics(rows)[MetricNames.Accuracy], 12);
    }

    [Fact]
    public void Intervals_NoResamplesOrNoRows_ComputesNone()
    {
        Assert.Empty(new HoldoutBootstrap(0, 42).Intervals([0, 1, 2], AccuracyOf([true, false, true]), Ct));
        Assert.Empty(new HoldoutBootstrap(1000, 42).Intervals([], AccuracyOf([]), Ct));
    }

    [Fact]
    public void Intervals_MetricUndefinedOnSomeResamples_UsesTheOthers_AndUndefinedOnAll_GetsNone()
    {
        var rows = Enumerable.Range(0, 3).ToArray();
        IReadOnlyDictionary<string, double> Metrics(int[] draw) => new Dictionary<string, double>
        {
            ["sometimes"] = draw.Distinct().Count() == 1 ? double.NaN : draw.Average(),
            ["never"] = double.NaN,
        };

        var intervals = new HoldoutBootstrap(200, 42).Intervals(rows, Metrics, Ct);

        Assert.True(intervals.ContainsKey("sometimes"));
        Assert.False(intervals.ContainsKey("never"));
    }

    [Fact]
    public void Percentile_OneToHundredOne_IsTheCentral95PercentWithInterpolation()
    {
        var interval = MetricInterval.Percentile(Enumerable.Range(1, 101).Select(i => (double)i).Reverse());

        Assert.NotNull(interval);
        Assert.Equal(3.5, interval.Low, 9);
        Assert.Equal(98.5, interval.High, 9);
        Assert.Null(MetricInterval.Percentile([double.NaN]));
        Assert.Equal("[0.8181, 0.8665]", new MetricInterval(0.818051, 0.866549).ToString());
    }
}
