using Microsoft.Extensions.Time.Testing;
using Mlops.Declarations.Environments;
using Mlops.Runtime.Bundles;
using Mlops.Runtime.Features;
using Mlops.Runtime.Monitoring;
using Mlops.Runtime.Monitoring.Drift;
using Mlops.Runtime.Scoring;
using Mlops.Runtime.Serving;
using Mlops.Runtime.Tests.Serving;

namespace Mlops.Runtime.Tests.Monitoring;

public sealed class LiveMonitorTests
{
    private static readonly InputSchema s_schema = new(TestModels.Inputs, TestModels.FeatureSet);
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 12, 2, 17, 0, 0, TimeSpan.Zero));

    // The reference: tenure spread over 0..59, contracts in equal parts, total_charges always present.
    private static readonly IReadOnlyList<ColumnValues> s_reference =
    [
        NumberValues.From("tenure", [.. Enumerable.Range(0, 3_000).Select(i => (double)(i % 60))]),
        new CategoryCounts("contract", new Dictionary<string, long> { ["Month-to-month"] = 1_000, ["One year"] = 1_000, ["Two year"] = 1_000 }, 0),
        NumberValues.From("total_charges", [.. Enumerable.Range(0, 3_000).Select(i => 100.0 + (i % 50))]),
    ];

    private static LoadedModel Model(int version) =>
        new("churn", version, "sha256:" + new string((char)('0' + version), 64), Bundle.Read(TestModels.Bundle(version)).Manifest, null!, s_schema) { Reference = s_reference };

    private static FeatureBatch Rows(int count, Func<int, Dictionary<string, object?>> row)
    {
        var problems = new List<string>();
        var batch = s_schema.CheckRows([.. Enumerable.Range(0, count).Select(row)], problems);
        Assert.Empty(problems);
        return batch;
    }

    private static BatchPredictions Predictions(int count) =>
        new([.. Enumerable.Repeat(0.3f, count)], [.. Enumerable.Repeat(0.3f, count)], [.. Enumerable.Repeat(false, count)], null, null, []);

    private static ServingSnapshot Serving(LoadedModel primary, LoadedModel? canary = null) =>
        new("staging", "c1", new Dictionary<string, ServedModel> { ["churn"] = new("churn", true, primary, canary is null ? null : new CanaryRoute(canary, 50), null, null, "customer_id", "c1") }, []);

    private LiveMonitor Monitor(double driftShare = 0.5) =>
        new(new MonitoringSpec(TimeSpan.FromHours(1), new DriftSpec("auto", 0.1, driftShare), []), _time);

    [Fact]
    public void Evaluate_RowsLikeTheReference_ShowNoDrift()
    {
        var monitor = Monitor();
        var primary = Model(1);
        var contracts = new[] { "Month-to-month", "One year", "Two year" };
        monitor.Record(primary, "primary", Rows(600, i => new() { ["tenure"] = (double)(i % 60), ["contract"] = contracts[i % 3], ["total_charges"] = 100.0 + (i % 50) }), Predictions(600), _time.GetUtcNow());

        var version = monitor.Evaluate(Serving(primary)).Models.Single().Versions.Single();

        Assert.False(version.Drifted);
        Assert.All(version.Drift, f => Assert.False(f.Drifted, $"{f.Feature}: {f.Method} {f.Statistic}"));
        Assert.Equal(600, version.Figures["rows"]);
        Assert.Equal(0, version.Figures["driftedShare"]);
        Assert.Equal(0.8, version.Training["auc"]);
    }

    [Fact]
    public void Evaluate_ShiftedRows_NameTheDriftedFeaturesInTheOpenWindow()
    {
        var monitor = Monitor();
        var primary = Model(1);
        monitor.Record(primary, "primary", Rows(600, i => new() { ["tenure"] = (double)(i % 60) + 40, ["contract"] = "Month-to-month", ["total_charges"] = i % 3 == 0 ? null : 100.0 + (i % 50) }), Predictions(600), _time.GetUtcNow());
        _time.Advance(TimeSpan.FromMinutes(10));

        var version = monitor.Evaluate(Serving(primary)).Models.Single().Versions.Single();

        Assert.True(version.Drifted);
        // total_charges: its present values are the reference's, but a third of them arrive empty.
        Assert.Equal(["contract", "tenure", "total_charges"], version.Drift.Where(f => f.Drifted).Select(f => f.Feature).Order());
        var charges = version.Drift.Single(f => f.Feature == "total_charges");
        Assert.Equal(0.0, charges.ReferenceNullRate);
        Assert.Equal(1.0 / 3, charges.CurrentNullRate, 6);
        Assert.Equal(_time.GetUtcNow().AddMinutes(-10), version.WindowStart);
    }

    [Fact]
    public void Evaluate_PrimaryAndCanary_AreWatchedApart_AndAVersionNoLongerServedIsForgotten()
    {
        var monitor = Monitor();
        var (primary, canary) = (Model(1), Model(2));
        monitor.RecordRequest(primary, "primary", TimeSpan.FromMilliseconds(2), failed: false, _time.GetUtcNow());
        monitor.RecordRequest(canary, "canary", TimeSpan.FromMilliseconds(9), failed: true, _time.GetUtcNow());

        var both = monitor.Evaluate(Serving(primary, canary)).Models.Single().Versions;
        monitor.Evaluate(Serving(primary));
        var again = monitor.Evaluate(Serving(primary, canary)).Models.Single().Versions;

        Assert.Equal([("primary", 1, 0.0), ("canary", 2, 1.0)], both.Select(v => (v.Role, v.Version, v.Figures["errorRate"])));
        Assert.Equal(0, again.Single(v => v.Role == "canary").Figures["requests"]);
        Assert.Equal(1, again.Single(v => v.Role == "primary").Figures["requests"]);
    }

    [Fact]
    public void Evaluate_BundleWithoutAReferenceSample_ReportsFiguresButNoDrift()
    {
        var monitor = Monitor();
        var primary = Model(1) with { Reference = null };
        monitor.Record(primary, "primary", Rows(50, i => new() { ["tenure"] = 1.0, ["contract"] = "One year" }), Predictions(50), _time.GetUtcNow());

        var version = monitor.Evaluate(Serving(primary)).Models.Single().Versions.Single();

        Assert.Empty(version.Drift);
        Assert.False(version.Figures.ContainsKey("driftedShare"));
        Assert.Equal(50, version.Figures["rows"]);
    }

    [Fact]
    public void History_CleanThenShiftedWindow_JudgesDriftPerWindow_OldestFirst()
    {
        var monitor = Monitor();
        var primary = Model(1);
        var contracts = new[] { "Month-to-month", "One year", "Two year" };
        monitor.Record(primary, "primary", Rows(600, i => new() { ["tenure"] = (double)(i % 60), ["contract"] = contracts[i % 3], ["total_charges"] = 100.0 + (i % 50) }), Predictions(600), _time.GetUtcNow());
        monitor.RecordRequest(primary, "primary", TimeSpan.FromMilliseconds(3), failed: false, _time.GetUtcNow());
        _time.Advance(TimeSpan.FromHours(1));
        monitor.Record(primary, "primary", Rows(300, i => new() { ["tenure"] = (double)(i % 60) + 40, ["contract"] = "Month-to-month", ["total_charges"] = i % 3 == 0 ? null : 100.0 + (i % 50) }), Predictions(300), _time.GetUtcNow());
        monitor.RecordRequest(primary, "primary", TimeSpan.FromMilliseconds(5), failed: true, _time.GetUtcNow());
        _time.Advance(TimeSpan.FromMinutes(10));

        var history = monitor.History("churn", 1, "primary")!;

        Assert.Equal([(600L, false, false), (300L, true, true)], history.Windows.Select(w => (w.Rows, w.IsOpen, w.Drifted)));
        Assert.Equal(history.Windows[0].End, history.Windows[1].Start);
        Assert.All(history.Windows[0].Drift, f => Assert.False(f.Drifted, f.Feature));
        Assert.Equal(["contract", "tenure", "total_charges"], history.Open.Drift.Where(f => f.Drifted).Select(f => f.Feature).Order());
        Assert.Equal(1.0 / 3, history.Open.Drift.Single(f => f.Feature == "total_charges").CurrentNullRate, 6);
        Assert.Equal((1L, 1.0), (history.Open.Requests, history.Open.ErrorRate));
        Assert.Equal(["probability", "predicted"], history.Open.Figures.Predictions.Select(p => p.Name));
        Assert.True(history.HasReference);
    }

    [Fact]
    public void History_ClosedWindow_IsJudgedOnce_TheOpenOneEachTime()
    {
        var monitor = Monitor();
        var primary = Model(1);
        monitor.Record(primary, "primary", Rows(100, i => new() { ["tenure"] = (double)(i % 60), ["contract"] = "One year", ["total_charges"] = 100.0 }), Predictions(100), _time.GetUtcNow());
        _time.Advance(TimeSpan.FromHours(1));
        monitor.Record(primary, "primary", Rows(100, i => new() { ["tenure"] = (double)(i % 60), ["contract"] = "One year", ["total_charges"] = 100.0 }), Predictions(100), _time.GetUtcNow());

        var first = monitor.History("churn", 1, "primary")!;
        var second = monitor.History("churn", 1, "primary")!;

        Assert.Same(first.Windows[0], second.Windows[0]);
        Assert.NotSame(first.Open, second.Open);
    }

    [Fact]
    public void History_KeepsTheOpenWindowAnd24ClosedOnes()
    {
        var monitor = Monitor();
        var primary = Model(1);
        for (var hour = 0; hour < 30; hour++)
        {
            monitor.Record(primary, "primary", Rows(40 + hour, i => new() { ["tenure"] = (double)i, ["contract"] = "One year", ["total_charges"] = 100.0 }), Predictions(40 + hour), _time.GetUtcNow());
            _time.Advance(TimeSpan.FromHours(1));
        }

        var history = monitor.History("churn", 1, "primary")!;
        monitor.History("churn", 1, "primary");

        Assert.Equal(25, history.Windows.Count);
        Assert.Equal([.. Enumerable.Range(6, 24).Select(h => 40L + h), 0L], history.Windows.Select(w => w.Rows));
        Assert.Empty(history.Open.Drift);
    }

    [Fact]
    public void History_VersionNotWatched_IsNull()
    {
        var monitor = Monitor();

        Assert.Null(monitor.History("churn", 1, "primary"));
    }
}
