using Mlops.Runtime.Monitoring.Drift;

namespace Mlops.Runtime.Tests.Monitoring.Drift;

public sealed class DriftDetectorTests
{
    private static readonly DriftOptions s_defaults = new();

    [Fact]
    public void Auto_SmallReference_UsesKsAndChiSquareWithPValueThreshold()
    {
        var report = DriftDetector.Compare([Numbers("x", 500, 0), Categories("c", ("a", 300), ("b", 200))], [Numbers("x", 500, 0), Categories("c", ("a", 300), ("b", 200))], s_defaults);

        Assert.Equal(DriftMethod.KolmogorovSmirnov, report.Features[0].Method);
        Assert.Equal(DriftMethod.ChiSquare, report.Features[1].Method);
        Assert.All(report.Features, f => Assert.Equal(0.05, f.Threshold));
        Assert.All(report.Features, f => Assert.False(f.Drifted));
        Assert.False(report.Drifted);
    }

    [Fact]
    public void Auto_LargeReference_UsesNormedWassersteinAndJensenShannonWithDistanceThreshold()
    {
        var report = DriftDetector.Compare([Numbers("x", 1001, 0), Categories("c", ("a", 601), ("b", 400))], [Numbers("x", 800, 5), Categories("c", ("a", 100), ("b", 400))], s_defaults);

        Assert.Equal(DriftMethod.Wasserstein, report.Features[0].Method);
        Assert.Equal(DriftMethod.JensenShannon, report.Features[1].Method);
        Assert.All(report.Features, f => Assert.Equal(0.1, f.Threshold));
        Assert.All(report.Features, f => Assert.True(f.Drifted));
        Assert.All(report.Features, f => Assert.Null(f.PValue));
        Assert.True(report.Drifted);
        Assert.Equal(1, report.DriftedShare);
    }

    [Fact]
    public void Threshold_OverriddenPerFeature_DecidesThatFeature()
    {
        var options = new DriftOptions { Features = new Dictionary<string, FeatureDriftOptions> { ["x"] = new(Threshold: 100) } };

        var result = DriftDetector.Compare([Numbers("x", 2000, 0)], [Numbers("x", 2000, 5)], options).Features[0];

        Assert.Equal(100, result.Threshold);
        Assert.False(result.Drifted);
    }

    [Fact]
    public void Method_OverriddenPerFeature_UsesIt()
    {
        var options = new DriftOptions { Method = DriftMethod.Wasserstein, Features = new Dictionary<string, FeatureDriftOptions> { ["x"] = new(DriftMethod.Psi) } };

        var report = DriftDetector.Compare([Numbers("x", 200, 0), Numbers("y", 200, 0)], [Numbers("x", 200, 0), Numbers("y", 200, 0)], options);

        Assert.Equal(DriftMethod.Psi, report.Features[0].Method);
        Assert.Equal(DriftMethod.Wasserstein, report.Features[1].Method);
    }

    [Fact]
    public void Method_ForTheOtherKind_LeavesThoseFeaturesToAuto()
    {
        var report = DriftDetector.Compare([Categories("c", ("a", 30), ("b", 30))], [Categories("c", ("a", 30), ("b", 30))], new DriftOptions { Method = DriftMethod.KolmogorovSmirnov });

        Assert.Equal(DriftMethod.ChiSquare, report.Features[0].Method);
    }

    [Fact]
    public void Method_OwnForTheWrongKind_IsRefusedWithTheMethodsThatFit()
    {
        var options = new DriftOptions { Features = new Dictionary<string, FeatureDriftOptions> { ["c"] = new(DriftMethod.Psi) } };

        var error = Assert.Throws<ArgumentException>(() => DriftDetector.Compare([Categories("c", ("a", 30))], [Categories("c", ("a", 30))], options));

        Assert.Contains("'psi' asked for 'c' does not compare categories; use chisquare or jensenshannon", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(29, 500)]
    [InlineData(500, 29)]
    public void TooFewValues_IsInconclusiveNotDrifted(int referenceValues, int currentValues)
    {
        var result = DriftDetector.Compare([Numbers("x", referenceValues, 0)], [Numbers("x", currentValues, 100)], s_defaults);

        Assert.True(result.Features[0].Inconclusive);
        Assert.False(result.Features[0].Drifted);
        Assert.Null(result.Features[0].Statistic);
        Assert.Contains("at least 30 needed", result.Features[0].Reason, StringComparison.Ordinal);
        Assert.False(result.Drifted);
        Assert.Equal(1, result.InconclusiveFeatures);
    }

    [Fact]
    public void MissingValues_CountAgainstTheMinimumAndShowAsNullRates()
    {
        var current = new NumberValues("x", [.. Enumerable.Range(0, 20).Select(i => (double)i)], 80);

        var result = DriftDetector.Compare([Numbers("x", 100, 0)], [current], s_defaults).Features[0];

        Assert.True(result.Inconclusive);
        Assert.Equal(0.8, result.CurrentNullRate);
        Assert.Equal(0, result.ReferenceNullRate);
    }

    [Fact]
    public void CurrentWithoutTheFeature_IsInconclusive()
    {
        var result = DriftDetector.Compare([Numbers("x", 100, 0)], [], s_defaults).Features[0];

        Assert.True(result.Inconclusive);
        Assert.Equal("the current data has no such feature", result.Reason);
    }

    [Theory]
    [InlineData(DriftMethod.KolmogorovSmirnov)]
    [InlineData(DriftMethod.Wasserstein)]
    [InlineData(DriftMethod.Psi)]
    public void ConstantReference_HasAFiniteAnswer_NoDriftWhenUnchanged(DriftMethod method)
    {
        var constant = new NumberValues("x", [.. Enumerable.Repeat(7.0, 2000)], 0);
        var options = new DriftOptions { Method = method };

        var same = DriftDetector.Compare([constant], [constant], options).Features[0];
        var changed = DriftDetector.Compare([constant], [new NumberValues("x", [.. Enumerable.Repeat(7.0, 900).Concat(Enumerable.Repeat(8.0, 100))], 0)], options).Features[0];

        Assert.True(double.IsFinite(same.Statistic!.Value));
        Assert.False(same.Drifted);
        Assert.True(double.IsFinite(changed.Statistic!.Value));
        Assert.True(changed.Drifted);
    }

    [Fact]
    public void ConstantReference_Wasserstein_IsDividedByTheDocumentedScale()
    {
        var constant = new NumberValues("x", [.. Enumerable.Repeat(7.0, 2000)], 0);
        var current = new NumberValues("x", [.. Enumerable.Repeat(7.0, 900).Concat(Enumerable.Repeat(8.0, 100))], 0);

        var result = DriftDetector.Compare([constant], [current], s_defaults).Features[0];

        Assert.Equal(0.1 / DriftStatistics.ConstantReferenceScale, result.Statistic!.Value, 9);
    }

    [Fact]
    public void OneReferenceCategory_ChiSquareHasNoFreedom_UnseenShareShowsTheNewValues()
    {
        var result = DriftDetector.Compare([Categories("c", ("only", 100))], [Categories("c", ("only", 60), ("new", 40))], s_defaults).Features[0];

        Assert.Equal(DriftMethod.ChiSquare, result.Method);
        Assert.Equal(0, result.Statistic);
        Assert.Equal(1, result.PValue);
        Assert.Equal(0.4, result.UnseenShare);
        Assert.False(result.Drifted);
    }

    [Fact]
    public void OnlyUnseenCategories_ChiSquareDrifts()
    {
        var result = DriftDetector.Compare([Categories("c", ("a", 50), ("b", 50))], [Categories("c", ("z", 50))], s_defaults).Features[0];

        Assert.True(result.Drifted);
        Assert.Equal(0, result.PValue);
        Assert.Null(result.Statistic);
        Assert.Equal(1, result.UnseenShare);
        Assert.Equal("no current value is one of the reference's categories", result.Reason);
    }

    [Theory]
    [InlineData(0.5, 2, true)]
    [InlineData(0.5, 1, false)]
    [InlineData(0.25, 1, true)]
    public void DataSet_DriftsWhenTheDriftedShareReachesDriftShare(double driftShare, int shifted, bool drifted)
    {
        var reference = Enumerable.Range(0, 4).Select(i => (ColumnValues)Numbers($"x{i}", 2000, 0)).ToList();
        var current = Enumerable.Range(0, 4).Select(i => (ColumnValues)Numbers($"x{i}", 2000, i < shifted ? 3 : 0)).ToList();

        var report = DriftDetector.Compare(reference, current, new DriftOptions { DriftShare = driftShare });

        Assert.Equal(shifted, report.DriftedFeatures);
        Assert.Equal(shifted / 4.0, report.DriftedShare);
        Assert.Equal(drifted, report.Drifted);
    }

    [Fact]
    public void Options_WithProblems_AreRefusedAllAtOnce()
    {
        var options = new DriftOptions { DriftShare = 0, MinimumValues = 0, Threshold = -1 };

        var error = Assert.Throws<ArgumentException>(() => DriftDetector.Compare([], [], options));

        Assert.Contains("driftShare is 0", error.Message, StringComparison.Ordinal);
        Assert.Contains("the least values for a test is 0", error.Message, StringComparison.Ordinal);
        Assert.Contains("threshold is -1", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void KindsDiffer_IsRefused()
    {
        var error = Assert.Throws<ArgumentException>(() => DriftDetector.Compare([Numbers("x", 100, 0)], [Categories("x", ("a", 100))], s_defaults));

        Assert.Contains("'x' is a number in the reference but a category in the current data", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("auto", DriftMethod.Auto)]
    [InlineData("KS", DriftMethod.KolmogorovSmirnov)]
    [InlineData("jensenshannon", DriftMethod.JensenShannon)]
    public void MethodNames_ParseCaseInsensitively(string name, DriftMethod expected)
    {
        Assert.True(DriftMethods.TryParse(name, out var method));
        Assert.Equal(expected, method);
        Assert.False(DriftMethods.TryParse("kl", out _));
    }

    /// <summary>Evenly spread values from <paramref name="shift"/> over a width of 10.</summary>
    [Fact]
    public void NullRate_RisingByTheSetShare_IsDrift_EvenWhenThePresentValuesLookTheSame()
    {
        var report = DriftDetector.Compare([Numbers("x", 1_500, 0)], [Numbers("x", 1_000, 0) with { Missing = 500 }], s_defaults);

        var x = report.Features.Single();
        Assert.True(x.Drifted);
        Assert.True(x.NullRateRose);
        Assert.True(x.Statistic < 0.1, "the present values are alike");
        Assert.Equal("the share of missing values rose from 0 to 0.333", x.Reason);
        Assert.True(report.Drifted);
    }

    [Theory]
    [InlineData(0.09, false)]
    [InlineData(0.10, true)]
    public void NullRate_RiseBelowTheSetShare_IsNotDrift(double missingShare, bool drifted)
    {
        var missing = (int)Math.Round(1_000 * missingShare);

        var x = DriftDetector.Compare([Numbers("x", 1_500, 0)], [Numbers("x", 1_000 - missing, 0) with { Missing = missing }], s_defaults).Features.Single();

        Assert.Equal((drifted, drifted), (x.Drifted, x.NullRateRose));
    }

    [Fact]
    public void NullRate_EveryValueMissing_IsDriftNotJustInconclusive()
    {
        var x = DriftDetector.Compare([Categories("c", ("a", 600), ("b", 500))], [new CategoryCounts("c", new Dictionary<string, long>(), 400)], s_defaults).Features.Single();

        Assert.True(x.Inconclusive);
        Assert.True(x.Drifted);
        Assert.Equal(1, x.CurrentNullRate);
    }

    private static NumberValues Numbers(string name, int count, double shift) =>
        new(name, [.. Enumerable.Range(0, count).Select(i => shift + (10.0 * i / count))], 0);

    private static CategoryCounts Categories(string name, params (string Value, long Count)[] counts) =>
        new(name, counts.ToDictionary(c => c.Value, c => c.Count, StringComparer.Ordinal), 0);
}
