using Mlops.Runtime.Features;
using Mlops.Runtime.Monitoring.Windows;
using Mlops.Runtime.Scoring;
using Mlops.Runtime.Tests.Serving;

namespace Mlops.Runtime.Tests.Monitoring.Windows;

public sealed class VersionWindowsTests
{
    private static readonly InputSchema s_schema = new(TestModels.Inputs, TestModels.FeatureSet);
    private static readonly DateTimeOffset s_hour = new(2026, 12, 2, 17, 0, 0, TimeSpan.Zero);

    private static FeatureBatch Rows(int count, Func<int, Dictionary<string, object?>> row)
    {
        var problems = new List<string>();
        var batch = s_schema.CheckRows([.. Enumerable.Range(0, count).Select(row)], problems);
        Assert.Empty(problems);
        return batch;
    }

    private static BatchPredictions Binary(int count, float probability) =>
        new([.. Enumerable.Repeat(probability, count)], [.. Enumerable.Repeat(probability, count)], [.. Enumerable.Repeat(probability >= 0.5f, count)], null, null, []);

    private static VersionWindows Windows(int sampleSize = 10_000) =>
        new(s_schema.Inputs, TimeSpan.FromHours(1), sampleSize, keep: 2);

    [Fact]
    public void Record_RowsInOneWindow_AreCountedByColumnWithTheirNullRates()
    {
        var windows = Windows();
        var batch = Rows(4, i => new() { ["tenure"] = (double)i, ["contract"] = i % 2 == 0 ? "One year" : "Two year", ["total_charges"] = i == 0 ? 10.0 : null });

        windows.Record(batch, Binary(4, 0.8f), s_hour.AddMinutes(5));
        var open = windows.Snapshot(s_hour.AddMinutes(6)).Open;

        Assert.Equal((s_hour, s_hour.AddHours(1), 4L), (open.Start, open.End, open.Rows));
        var tenure = open.Features.Single(f => f.Name == "tenure");
        Assert.Equal([0.0, 1, 2, 3], tenure.Sample.Order());
        Assert.Equal(0, tenure.NullRate);
        Assert.Equal(0.75, open.Features.Single(f => f.Name == "total_charges").NullRate);
        Assert.Equal(new Dictionary<string, long> { ["One year"] = 2, ["Two year"] = 2 }, open.Features.Single(f => f.Name == "contract").Counts);
        Assert.Equal(["probability", "predicted"], open.Predictions.Select(p => p.Name));
        Assert.Equal(new Dictionary<string, long> { ["true"] = 4 }, open.Predictions[1].Counts);
    }

    [Fact]
    public void Record_AfterTheWindowEnds_ClosesItAndKeepsOnlyTheLastFew()
    {
        var windows = Windows();
        for (var hour = 0; hour < 4; hour++)
        {
            windows.Record(Rows(hour + 1, _ => new() { ["tenure"] = 1.0, ["contract"] = "One year" }), Binary(hour + 1, 0.2f), s_hour.AddHours(hour).AddMinutes(59));
        }

        var history = windows.Snapshot(s_hour.AddHours(4).AddMinutes(1));

        Assert.Equal(0, history.Open.Rows);
        Assert.Equal(s_hour.AddHours(4), history.Open.Start);
        Assert.Equal([(s_hour.AddHours(2), 3L), (s_hour.AddHours(3), 4L)], history.Closed.Select(w => (w.Start, w.Rows)));
    }

    [Fact]
    public void Record_MoreNumbersThanTheSample_KeepsAUniformSampleOfTheSetSize_TheSameEachTime()
    {
        VersionWindows Fill()
        {
            var windows = Windows(sampleSize: 1_000);
            windows.Record(Rows(20_000, i => new() { ["tenure"] = (double)i, ["contract"] = "One year" }), Binary(20_000, 0.5f), s_hour);
            return windows;
        }

        var sample = Fill().Snapshot(s_hour).Open.Features.Single(f => f.Name == "tenure");

        Assert.Equal(1_000, sample.Sample.Count);
        Assert.Equal(20_000, sample.Present);
        Assert.Equal(sample.Sample, Fill().Snapshot(s_hour).Open.Features.Single(f => f.Name == "tenure").Sample);
        // Uniform over 0..19,999: the mean of 1,000 draws is within 5 standard errors of 9,999.5.
        Assert.InRange(sample.Sample.Average(), 9_999.5 - (5 * 5_773.5 / Math.Sqrt(1_000)), 9_999.5 + (5 * 5_773.5 / Math.Sqrt(1_000)));
        Assert.True(sample.Sample.Count(v => v >= 10_000) is > 400 and < 600, "the later half of the rows is sampled as often as the first");
    }

    [Fact]
    public void RecordRequest_CountsRequestsFailuresAndTheP99()
    {
        var windows = Windows();
        for (var i = 1; i <= 100; i++)
        {
            windows.RecordRequest(TimeSpan.FromMilliseconds(i), failed: i % 10 == 0, s_hour.AddSeconds(i));
        }

        var open = windows.Snapshot(s_hour.AddMinutes(5)).Open;

        Assert.Equal((100L, 10L, 0.1), (open.Requests, open.Failures, open.FailureRate));
        Assert.InRange(open.P99LatencyMs!.Value, 99, 99 * 1.05);
    }

    [Fact]
    public void ToValues_GivesDriftTheSampleAndKeepsTheNullRate()
    {
        var windows = Windows(sampleSize: 100);
        windows.Record(Rows(1_000, i => new() { ["tenure"] = (double)i, ["contract"] = "One year", ["total_charges"] = i % 4 == 0 ? null : 1.0 }), Binary(1_000, 0.5f), s_hour);
        var open = windows.Snapshot(s_hour).Open;

        var charges = (Mlops.Runtime.Monitoring.Drift.NumberValues)open.Features.Single(f => f.Name == "total_charges").ToValues();
        var contract = (Mlops.Runtime.Monitoring.Drift.CategoryCounts)open.Features.Single(f => f.Name == "contract").ToValues();

        Assert.Equal(100, charges.Sorted.Length);
        Assert.Equal(0.25, charges.NullRate, 2);
        Assert.Equal(1_000, contract.Counts["One year"]);
    }

    [Fact]
    public void Snapshot_BeforeAnyRow_IsAnEmptyOpenWindowAlignedToTheHour()
    {
        var open = Windows().Snapshot(s_hour.AddMinutes(30).AddSeconds(7)).Open;

        Assert.Equal((s_hour, 0L), (open.Start, open.Rows));
        Assert.Empty(open.Features);
    }
}

public sealed class LatencyHistogramTests
{
    [Theory]
    [InlineData(0.5)]
    [InlineData(0.99)]
    public void QuantileMs_IsWithinFivePercentAboveTheExactQuantile(double q)
    {
        var histogram = new LatencyHistogram();
        var latencies = Enumerable.Range(1, 10_000).Select(i => i * 0.01).ToArray(); // 0.01 to 100 ms
        foreach (var ms in latencies)
        {
            histogram.Add(TimeSpan.FromMilliseconds(ms));
        }

        var exact = latencies[(int)Math.Ceiling(q * latencies.Length) - 1];

        Assert.InRange(histogram.QuantileMs(q)!.Value, exact, exact * 1.05);
    }

    [Fact]
    public void QuantileMs_WithNoLatencies_IsNull() => Assert.Null(new LatencyHistogram().QuantileMs(0.99));
}

/// <summary>
/// What the window's bounded sample costs: over 200,000 rows, the live statistics from a 10,000-value
/// sample against the exact ones from every row (the figures docs/monitoring.md states).
/// </summary>
public sealed class WindowSampleErrorTests
{
    [Theory]
    [InlineData(0.0)]
    [InlineData(0.3)]
    public void LiveStatistics_FromTheSample_AreWithinOneHundredthOfTheExactOnes(double shift)
    {
        var random = new Random(5);
        double Normal() => Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble());
        var reference = Enumerable.Range(0, 10_000).Select(_ => 65 + (30 * Normal())).Order().ToArray();
        var column = new ColumnWindow("monthly_charges", Mlops.Runtime.Monitoring.Drift.DriftKind.Number, 10_000, seed: 42);
        var all = new double[200_000];
        for (var i = 0; i < all.Length; i++)
        {
            all[i] = (65 * (1 + shift)) + (30 * Normal());
            column.Add(all[i]);
        }

        var sample = ColumnFigures.Of(column).ToValues() as Mlops.Runtime.Monitoring.Drift.NumberValues;
        var exact = Mlops.Runtime.Monitoring.Drift.NumberValues.From("monthly_charges", all);

        Assert.Equal(10_000, sample!.Sorted.Length);
        var ks = (Live: Mlops.Runtime.Monitoring.Drift.DriftStatistics.KolmogorovSmirnov(reference, sample.Sorted).Statistic, Exact: Mlops.Runtime.Monitoring.Drift.DriftStatistics.KolmogorovSmirnov(reference, exact.Sorted).Statistic);
        var wasserstein = (Live: Mlops.Runtime.Monitoring.Drift.DriftStatistics.NormedWasserstein(reference, sample.Sorted), Exact: Mlops.Runtime.Monitoring.Drift.DriftStatistics.NormedWasserstein(reference, exact.Sorted));
        Assert.InRange(Math.Abs(ks.Live - ks.Exact), 0, 0.01);
        Assert.InRange(Math.Abs(wasserstein.Live - wasserstein.Exact), 0, 0.01);
    }
}
