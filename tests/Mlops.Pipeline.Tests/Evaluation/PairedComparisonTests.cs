using Mlops.Pipeline.Evaluation;
using Mlops.Runtime.Evaluation;

namespace Mlops.Pipeline.Tests.Evaluation;

public sealed class PairedComparisonTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    /// <summary>600 rows whose label follows a noisy score: a useful model, AUC about 0.8.</summary>
    private static (bool[] Labels, float[] Scores) Rows(int seed)
    {
        var random = new Random(seed);
        var scores = Enumerable.Range(0, 600).Select(_ => (float)random.NextDouble()).ToArray();
        var labels = scores.Select(s => random.NextDouble() < s).ToArray();
        return (labels, scores);
    }

    private static Func<int[], IReadOnlyDictionary<string, double>> Model(bool[] labels, float[] scores)
    {
        var ranked = new RankedBinaryPredictions(labels, scores, scores, [.. scores.Select(s => s >= 0.5f)]);
        return counts => ranked.Metrics(counts).Metrics;
    }

    [Fact]
    public void Compare_IdenticalModels_DifferenceIsZeroWithAZeroWidthInterval_NotDistinguishable()
    {
        var (labels, scores) = Rows(1);

        var comparison = PairedComparison.Compute(new HoldoutBootstrap(500, 42), labels.Length, Model(labels, scores), Model(labels, scores), Ct);

        var auc = comparison.Metrics[MetricNames.Auc];
        Assert.Equal(0, auc.Difference);
        Assert.Equal(new MetricInterval(0, 0), auc.Interval(0.95));
        Assert.Equal(PairedVerdict.NotDistinguishable, auc.Verdict(0.95));
        Assert.Equal(PairedVerdict.NotDistinguishable, comparison.Metrics[MetricNames.LogLoss].Verdict(0.95));
    }

    [Fact]
    public void Compare_ModelAgainstItsLabelFlippedCopy_TheCopyIsWorse_AndTheModelBetter()
    {
        var (labels, scores) = Rows(2);
        // The copy ranks every row backwards: as a model of the same labels it is far worse.
        var flipped = scores.Select(s => 1 - s).ToArray();

        var worse = PairedComparison.Compute(new HoldoutBootstrap(500, 42), labels.Length, Model(labels, flipped), Model(labels, scores), Ct);
        var better = PairedComparison.Compute(new HoldoutBootstrap(500, 42), labels.Length, Model(labels, scores), Model(labels, flipped), Ct);

        var auc = worse.Metrics[MetricNames.Auc];
        Assert.Equal(PairedVerdict.Worse, auc.Verdict(0.95));
        Assert.True(auc.Interval(0.95)!.High < -0.3, auc.Interval(0.95)!.ToString());
        Assert.Equal(auc.Candidate - auc.Champion, auc.Difference, 12);
        // A loss points the other way: the copy's larger log-loss is still a negative (worse) difference.
        Assert.Equal(PairedVerdict.Worse, worse.Metrics[MetricNames.LogLoss].Verdict(0.95));
        Assert.True(worse.Metrics[MetricNames.LogLoss].Difference < 0);
        Assert.Equal(PairedVerdict.Better, better.Metrics[MetricNames.Auc].Verdict(0.95));
    }

    [Fact]
    public void Compare_TwoNoisyCopies_AreNotDistinguishable_AndTheIntervalIsNarrowerThanUnpairedIntervalsSuggest()
    {
        var (labels, scores) = Rows(3);
        var random = new Random(9);
        var jittered = scores.Select(s => s + (float)((random.NextDouble() - 0.5) * 0.02)).ToArray();
        var bootstrap = new HoldoutBootstrap(1000, 42);

        var comparison = PairedComparison.Compute(bootstrap, labels.Length, Model(labels, jittered), Model(labels, scores), Ct);
        var alone = bootstrap.IntervalsOfCounts(labels.Length, Model(labels, scores), Ct)[MetricNames.Auc];

        var auc = comparison.Metrics[MetricNames.Auc];
        Assert.Equal(PairedVerdict.NotDistinguishable, auc.Verdict(0.95));
        // Pairing cancels the rows' shared noise: the difference's interval is a fraction of one model's own interval.
        Assert.True(auc.Interval(0.95)!.High - auc.Interval(0.95)!.Low < (alone.High - alone.Low) / 4, $"{auc.Interval(0.95)} vs {alone}");
    }

    [Fact]
    public void Compare_SameInputsTwice_GiveTheSameIntervals_AndAHigherConfidenceAWiderOne()
    {
        var (labels, scores) = Rows(4);
        var other = scores.Select((s, i) => i % 7 == 0 ? 0.5f : s).ToArray();

        var first = PairedComparison.Compute(new HoldoutBootstrap(500, 42), labels.Length, Model(labels, other), Model(labels, scores), Ct).Metrics[MetricNames.Auc];
        var second = PairedComparison.Compute(new HoldoutBootstrap(500, 42) { MaxThreads = 1 }, labels.Length, Model(labels, other), Model(labels, scores), Ct).Metrics[MetricNames.Auc];

        Assert.Equal(first.Interval(0.95), second.Interval(0.95));
        Assert.True(first.Interval(0.99)!.Low <= first.Interval(0.95)!.Low && first.Interval(0.99)!.High >= first.Interval(0.95)!.High);
        Assert.True(first.Interval(0.8)!.High - first.Interval(0.8)!.Low < first.Interval(0.95)!.High - first.Interval(0.95)!.Low);
    }
}
