using Mlops.Runtime.Monitoring.Drift;

namespace Mlops.Runtime.Tests.Monitoring.Drift;

/// <summary>Holds the drift statistics to SciPy's values (drift-vectors.json, made by make_vectors.py).</summary>
public sealed class DriftStatisticsTests
{
    public static TheoryData<string> NumberCases => DriftVectors.CaseNames("numbers");

    public static TheoryData<string> CategoryCases => DriftVectors.CaseNames("categories");

    [Theory]
    [MemberData(nameof(NumberCases))]
    public void KolmogorovSmirnov_MatchesScipyKs2sampAsymp(string name)
    {
        var (reference, current, expected) = Numbers(name);

        var result = DriftStatistics.KolmogorovSmirnov(reference, current);

        DriftVectors.StatisticClose(expected.GetProperty("ksStatistic").GetDouble(), result.Statistic);
        DriftVectors.PValueClose(expected.GetProperty("ksPValue").GetDouble(), result.PValue);
    }

    [Theory]
    [MemberData(nameof(NumberCases))]
    public void Wasserstein_MatchesScipyWassersteinDistance(string name)
    {
        var (reference, current, expected) = Numbers(name);

        DriftVectors.StatisticClose(expected.GetProperty("wasserstein").GetDouble(), DriftStatistics.Wasserstein(reference, current));
        DriftVectors.StatisticClose(expected.GetProperty("std").GetDouble(), DriftStatistics.StandardDeviation(reference));
        if (expected.GetProperty("normedWasserstein").ValueKind == System.Text.Json.JsonValueKind.Number)
        {
            DriftVectors.StatisticClose(expected.GetProperty("normedWasserstein").GetDouble(), DriftStatistics.NormedWasserstein(reference, current));
        }
    }

    [Theory]
    [MemberData(nameof(NumberCases))]
    public void Psi_MatchesNumpyDecileBins(string name)
    {
        var (reference, current, expected) = Numbers(name);

        var deciles = DriftVectors.Numbers(expected.GetProperty("deciles"));
        for (var k = 1; k < 10; k++)
        {
            Assert.Equal(deciles[k - 1], DriftStatistics.Quantile(reference, k / 10.0));
        }

        DriftVectors.StatisticClose(expected.GetProperty("psi").GetDouble(), DriftStatistics.Psi(reference, current));
    }

    [Theory]
    [MemberData(nameof(CategoryCases))]
    public void ChiSquare_MatchesScipyChisquareOverTheReferenceCategories(string name)
    {
        var expected = DriftVectors.Case("categories", name);
        var reference = DriftVectors.Counts(expected.GetProperty("reference"));
        var current = DriftVectors.Counts(expected.GetProperty("current"));
        var categories = reference.Keys.Order(StringComparer.Ordinal).ToArray();

        var result = DriftStatistics.ChiSquare([.. categories.Select(k => reference[k])], [.. categories.Select(k => current.GetValueOrDefault(k))]);

        if (expected.TryGetProperty("chiStatistic", out var statistic))
        {
            DriftVectors.StatisticClose(statistic.GetDouble(), result.Statistic);
            DriftVectors.PValueClose(expected.GetProperty("chiPValue").GetDouble(), result.PValue);
        }
        else if (categories.Length == 1)
        {
            Assert.Equal(new DriftTestResult(0, 1), result); // no degrees of freedom
        }
        else
        {
            Assert.True(double.IsNaN(result.Statistic)); // no current value in the reference's categories
        }
    }

    [Theory]
    [MemberData(nameof(CategoryCases))]
    public void JensenShannon_MatchesScipyBase2OverTheUnion(string name)
    {
        var expected = DriftVectors.Case("categories", name);
        var reference = DriftVectors.Counts(expected.GetProperty("reference"));
        var current = DriftVectors.Counts(expected.GetProperty("current"));
        var union = reference.Keys.Union(current.Keys).Order(StringComparer.Ordinal).ToArray();

        var distance = DriftStatistics.JensenShannon([.. union.Select(k => reference.GetValueOrDefault(k))], [.. union.Select(k => current.GetValueOrDefault(k))]);

        DriftVectors.StatisticClose(expected.GetProperty("jensenShannon").GetDouble(), distance);
        var unseen = current.Where(c => !reference.ContainsKey(c.Key)).Sum(c => c.Value);
        DriftVectors.StatisticClose(expected.GetProperty("unseenShare").GetDouble(), DriftStatistics.UnseenShare(unseen, current.Values.Sum()));
    }

    [Fact]
    public void KolmogorovSurvival_MatchesScipyKstwoSfInEveryRegion()
    {
        var failures = new List<string>();
        foreach (var point in DriftVectors.Root.GetProperty("kolmogorov").EnumerateArray())
        {
            var n = point.GetProperty("n").GetInt32();
            var x = point.GetProperty("x").GetDouble();
            var expected = point.GetProperty("sf").GetDouble();
            var actual = SpecialFunctions.KolmogorovSurvival(n, x);
            if (!(Math.Abs(expected - actual) <= Math.Max(1e-6 * Math.Abs(expected), 1e-12)))
            {
                failures.Add($"n={n} x={x:R}: expected {expected:R}, got {actual:R}");
            }
        }

        Assert.True(failures.Count == 0, string.Join("\n", failures));
    }

    [Fact]
    public void ChiSquareSurvival_MatchesScipyChi2Sf()
    {
        var failures = new List<string>();
        foreach (var point in DriftVectors.Root.GetProperty("chiSquare").EnumerateArray())
        {
            var x = point.GetProperty("x").GetDouble();
            var df = point.GetProperty("df").GetInt32();
            var expected = point.GetProperty("sf").GetDouble();
            var actual = SpecialFunctions.ChiSquareSurvival(x, df);
            if (!(Math.Abs(expected - actual) <= Math.Max(1e-9 * Math.Abs(expected), 1e-300)))
            {
                failures.Add($"x={x:R} df={df}: expected {expected:R}, got {actual:R}");
            }
        }

        Assert.True(failures.Count == 0, string.Join("\n", failures));
    }

    [Theory]
    [InlineData(new float[] { 3, -1, float.NaN, 0, -0.5f, 2, float.NaN, 1e30f, -1e-30f }, new double[] { -1, -0.5, -1e-30f, 0, 2, 3, 1e30f }, 2)]
    [InlineData(new float[] { float.NaN }, new double[0], 1)]
    public void FromFloats_SortsPresentValuesAndCountsMissingOnes(float[] values, double[] sorted, long missing)
    {
        var column = NumberValues.FromFloats("x", values);

        Assert.Equal(sorted, column.Sorted);
        Assert.Equal(missing, column.Missing);
    }

    private static (double[] Reference, double[] Current, System.Text.Json.JsonElement Expected) Numbers(string name)
    {
        var expected = DriftVectors.Case("numbers", name);
        return (NumberValues.From("reference", DriftVectors.Numbers(expected.GetProperty("reference"))).Sorted,
            NumberValues.From("current", DriftVectors.Numbers(expected.GetProperty("current"))).Sorted, expected);
    }
}
