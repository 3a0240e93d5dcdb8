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
        // Accuracy of 500 rows moves in steps of 0.002, so two seeds can share an interval: compare the resampled values.
        double[] Values(int seed) => [.. new HoldoutBootstrap(1000, seed).Samples(rows.Length, counts => AccuracyOf(correct)([.. rows.Where(i => counts[i] > 0).SelectMany(i => Enumerable.Repeat(i, counts[i]))]), Ct).Select(s => s[MetricNames.Accuracy])];

        Assert.Equal(first[MetricNames.Accuracy], second[MetricNames.Accuracy]);
        Assert.Equal(Values(42), Values(42));
        Assert.NotEqual(Values(42), Values(7));
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
    public void RankedMetrics_OfResampleCounts_EqualTaskMetricsOfTheExpandedRows_WithTies()
    {
        // Scores on a coarse grid (many ties within and across classes), a few rows with equal probabilities.
        var random = new Random(3);
        var labels = Enumerable.Range(0, 300).Select(_ => random.NextDouble() < 0.3).ToArray();
        var scores = labels.Select(l => (float)Math.Round((l ? 0.6 : 0.4) + (random.NextDouble() - 0.5), 1)).ToArray();
        var probabilities = scores.Select(s => Math.Clamp(s, 0f, 1f)).ToArray();
        var predicted = scores.Select(s => s >= 0.5f).ToArray();
        var ranked = new RankedBinaryPredictions(labels, scores, probabilities, predicted);
        var bootstrap = new HoldoutBootstrap(50, 42);
        Assert.True(scores.Distinct().Count() < 20);

        for (var b = 0; b < bootstrap.Resamples; b++)
        {
            var counts = bootstrap.Counts(b, labels.Length);
            Assert.Equal(labels.Length, counts.Sum());
            Assert.Contains(counts, c => c > 1);
            var draw = Enumerable.Range(0, counts.Length).SelectMany(i => Enumerable.Repeat(i, counts[i])).ToArray();
            var (expected, expectedConfusion) = TaskMetrics.Binary(
                [.. draw.Select(i => labels[i])], [.. draw.Select(i => scores[i])], [.. draw.Select(i => probabilities[i])], [.. draw.Select(i => predicted[i])]);

            var (actual, confusion) = ranked.Metrics(counts);

            Assert.Equal(expected[MetricNames.Auc], actual[MetricNames.Auc]); // exact: the rank sums are exact in either grouping
            Assert.Equal(expected[MetricNames.PrAuc], actual[MetricNames.PrAuc]);
            Assert.Equal(expectedConfusion, confusion);
            Assert.Equal(expected.Keys.Order(), actual.Keys.Order());
            foreach (var (name, value) in expected)
            {
                Assert.Equal(value, actual[name], 12);
            }
        }
    }

    [Fact]
    public void RankedMetrics_UnitCounts_EqualTheUnweightedMetrics()
    {
        bool[] labels = [true, false, true, false, true, false];
        float[] scores = [0.9f, 0.9f, 0.4f, 0.3f, 0.3f, 0.1f];
        var ranked = new RankedBinaryPredictions(labels, scores, null, [.. scores.Select(s => s >= 0.5f)]);

        var unweighted = ranked.Metrics().Metrics;

        Assert.Equal(unweighted, ranked.Metrics(Enumerable.Repeat(1, labels.Length).ToArray()).Metrics);
        // Ascending: 0.1 (rank 1), 0.3 x2 (2.5 each), 0.4 (4), 0.9 x2 (5.5 each); positives at 5.5, 4 and 2.5:
        // U = 12 - 3 * 4 / 2 = 6 of 9 pairs.
        Assert.Equal(6.0 / 9, unweighted[MetricNames.Auc], 12);
    }

    [Fact]
    public void Counts_AreTheSameWhateverElseRan_AndDifferBetweenResamples()
    {
        var bootstrap = new HoldoutBootstrap(10, 42);

        var fifth = bootstrap.Counts(5, 100);
        _ = bootstrap.Counts(6, 100);

        Assert.Equal(fifth, new HoldoutBootstrap(10, 42).Counts(5, 100));
        Assert.NotEqual(fifth, bootstrap.Counts(6, 100));
        Assert.NotEqual(fifth, new HoldoutBootstrap(10, 43).Counts(5, 100));
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
