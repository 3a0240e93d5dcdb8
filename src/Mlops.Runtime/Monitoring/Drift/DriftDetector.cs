namespace Mlops.Runtime.Monitoring.Drift;

/// <summary>
/// Compares current values with reference values feature by feature and judges the data set:
/// the one place the drift rules live (docs/monitoring.md), for <c>mlops drift</c> and for the
/// server's live windows alike. Inputs are column summaries (<see cref="NumberValues"/>,
/// <see cref="CategoryCounts"/>), so it knows nothing of files or requests.
/// </summary>
public static class DriftDetector
{
    /// <summary>Compares every reference feature with the current feature of the same name.</summary>
    /// <param name="reference">The reference's features, in the order to report them.</param>
    /// <param name="current">The current features; a reference feature without one here is inconclusive.</param>
    /// <param name="options">The method, thresholds and rules.</param>
    /// <exception cref="ArgumentException">The options have problems, or a feature is a number on one side and a category on the other.</exception>
    public static DriftReport Compare(IReadOnlyList<ColumnValues> reference, IReadOnlyList<ColumnValues> current, DriftOptions options)
    {
        ArgumentNullException.ThrowIfNull(reference);
        ArgumentNullException.ThrowIfNull(current);
        ArgumentNullException.ThrowIfNull(options);
        var problems = options.Problems();
        if (problems.Count > 0)
        {
            throw new ArgumentException("The drift options do not hold: " + string.Join(" ", problems), nameof(options));
        }

        var byName = new Dictionary<string, ColumnValues>(StringComparer.Ordinal);
        foreach (var column in current)
        {
            byName[column.Name] = column;
        }

        var results = new List<FeatureDrift>(reference.Count);
        foreach (var column in reference)
        {
            results.Add(WithNullRate(CompareFeature(column, byName.GetValueOrDefault(column.Name), options), byName.ContainsKey(column.Name), options));
        }

        var drifted = results.Count(r => r.Drifted);
        var share = results.Count == 0 ? 0 : (double)drifted / results.Count;
        return new DriftReport(results, drifted, results.Count(r => r.Inconclusive), share, options.DriftShare, results.Count > 0 && share >= options.DriftShare);
    }

    /// <summary>Compares one feature.</summary>
    /// <param name="reference">The reference's values.</param>
    /// <param name="current">The current values, or null when the current data lacks the feature.</param>
    /// <param name="options">The method, thresholds and rules.</param>
    /// <exception cref="ArgumentException">The two sides are of different kinds, or the feature's own method does not fit its kind.</exception>
    public static FeatureDrift CompareFeature(ColumnValues reference, ColumnValues? current, DriftOptions options)
    {
        ArgumentNullException.ThrowIfNull(reference);
        ArgumentNullException.ThrowIfNull(options);
        if (current is not null && current.Kind != reference.Kind)
        {
            throw new ArgumentException($"'{reference.Name}' is a {Word(reference.Kind)} in the reference but a {Word(current.Kind)} in the current data; summarise both sides with the same schema.", nameof(current));
        }

        var own = options.Features.GetValueOrDefault(reference.Name);
        if (own?.Method is { } ownMethod && !DriftMethods.Fits(ownMethod, reference.Kind))
        {
            throw new ArgumentException($"the method '{DriftMethods.Name(ownMethod)}' asked for '{reference.Name}' does not compare {(reference.Kind == DriftKind.Number ? "numbers" : "categories")}; use {string.Join(" or ", DriftMethods.Names.Where(n => DriftMethods.TryParse(n, out var m) && m != DriftMethod.Auto && DriftMethods.Fits(m, reference.Kind)))}.", nameof(options));
        }

        // A data-set method for the other kind (psi over a file with categories) leaves those to auto.
        var asked = own?.Method ?? (DriftMethods.Fits(options.Method, reference.Kind) ? options.Method : DriftMethod.Auto);
        var method = asked == DriftMethod.Auto ? DriftMethods.Choose(reference.Kind, reference.Present) : asked;
        var threshold = own?.Threshold ?? options.Threshold ?? DriftMethods.DefaultThreshold(method);
        var currentPresent = current?.Present ?? 0;
        double? unseen = null;
        if (reference is CategoryCounts referenceCounts && current is CategoryCounts currentCounts)
        {
            unseen = DriftStatistics.UnseenShare(currentCounts.Counts.Where(c => !referenceCounts.Counts.ContainsKey(c.Key)).Sum(c => c.Value), currentCounts.Present);
        }

        FeatureDrift Result(double? statistic, double? pValue, bool drifted, bool inconclusive, string? reason) => new(
            reference.Name, reference.Kind, method, statistic, pValue, threshold, drifted, reference.NullRate, current?.NullRate ?? 0,
            reference.Present, currentPresent, unseen, inconclusive, reason);

        if (current is null)
        {
            return Result(null, null, false, true, "the current data has no such feature");
        }

        if (reference.Present < options.MinimumValues || currentPresent < options.MinimumValues)
        {
            return Result(null, null, false, true,
                $"too few values to test: {reference.Present} in the reference and {currentPresent} in the current data, at least {options.MinimumValues} needed on each side");
        }

        return CompareValues(reference, current, method, threshold, options.AllStatistics, Result);
    }

    private static FeatureDrift CompareValues(ColumnValues reference, ColumnValues current, DriftMethod method, double threshold, bool all, Func<double?, double?, bool, bool, string?, FeatureDrift> make)
    {
        var result = Decide(reference, current, method, threshold, make);
        return all ? result with { Statistics = Every(reference, current) } : result;
    }

    private static Dictionary<string, double> Every(ColumnValues reference, ColumnValues current)
    {
        var statistics = new Dictionary<string, double>(StringComparer.Ordinal);
        void Add(string name, double value)
        {
            if (double.IsFinite(value))
            {
                statistics[name] = value;
            }
        }

        if (reference is NumberValues r && current is NumberValues c)
        {
            var ks = DriftStatistics.KolmogorovSmirnov(r.Sorted, c.Sorted);
            Add("ks", ks.Statistic);
            Add("ks.pValue", ks.PValue);
            Add("wasserstein", DriftStatistics.NormedWasserstein(r.Sorted, c.Sorted));
            Add("psi", DriftStatistics.Psi(r.Sorted, c.Sorted));
        }
        else if (reference is CategoryCounts rc && current is CategoryCounts cc)
        {
            var categories = rc.Counts.Keys.Order(StringComparer.Ordinal).ToArray();
            var chi = DriftStatistics.ChiSquare([.. categories.Select(k => rc.Counts[k])], [.. categories.Select(k => cc.Counts.GetValueOrDefault(k))]);
            Add("chisquare", chi.Statistic);
            Add("chisquare.pValue", chi.PValue);
            var union = rc.Counts.Keys.Union(cc.Counts.Keys).Order(StringComparer.Ordinal).ToArray();
            Add("jensenshannon", DriftStatistics.JensenShannon([.. union.Select(k => rc.Counts.GetValueOrDefault(k))], [.. union.Select(k => cc.Counts.GetValueOrDefault(k))]));
        }

        return statistics;
    }

    private static FeatureDrift Decide(ColumnValues reference, ColumnValues current, DriftMethod method, double threshold, Func<double?, double?, bool, bool, string?, FeatureDrift> make)
    {
        switch (reference, current)
        {
            case (NumberValues r, NumberValues c):
                switch (method)
                {
                    case DriftMethod.KolmogorovSmirnov:
                        var ks = DriftStatistics.KolmogorovSmirnov(r.Sorted, c.Sorted);
                        return make(ks.Statistic, ks.PValue, ks.PValue < threshold, false, null);
                    case DriftMethod.Wasserstein:
                        var distance = DriftStatistics.NormedWasserstein(r.Sorted, c.Sorted);
                        return make(distance, null, distance >= threshold, false, null);
                    default:
                        var psi = DriftStatistics.Psi(r.Sorted, c.Sorted);
                        return make(psi, null, psi >= threshold, false, null);
                }

            case (CategoryCounts r, CategoryCounts c):
                if (method == DriftMethod.ChiSquare)
                {
                    var categories = r.Counts.Keys.Order(StringComparer.Ordinal).ToArray();
                    var expected = categories.Select(k => r.Counts[k]).ToArray();
                    var observed = categories.Select(k => c.Counts.GetValueOrDefault(k)).ToArray();
                    var chi = DriftStatistics.ChiSquare(expected, observed);
                    return double.IsNaN(chi.Statistic)
                        ? make(null, 0, true, false, "no current value is one of the reference's categories")
                        : make(chi.Statistic, chi.PValue, chi.PValue < threshold, false, null);
                }

                var union = r.Counts.Keys.Union(c.Counts.Keys).Order(StringComparer.Ordinal).ToArray();
                var js = DriftStatistics.JensenShannon(
                    [.. union.Select(k => r.Counts.GetValueOrDefault(k))],
                    [.. union.Select(k => c.Counts.GetValueOrDefault(k))]);
                return make(js, null, js >= threshold, false, null);

            default:
                throw new ArgumentException($"'{reference.Name}' has values of an unknown kind.", nameof(reference));
        }
    }

    // The null-rate rule sits beside the distribution test: a feature the current data has, whose
    // missing share rose by the set amount, has drifted even when its test is inconclusive (all empty).
    private static FeatureDrift WithNullRate(FeatureDrift result, bool present, DriftOptions options) =>
        present && result.CurrentNullRate - result.ReferenceNullRate >= options.NullRateIncrease - 1e-12
            ? result with { Drifted = true, NullRateRose = true, Reason = result.Reason ?? $"the share of missing values rose from {result.ReferenceNullRate:0.###} to {result.CurrentNullRate:0.###}" }
            : result;

    private static string Word(DriftKind kind) => kind == DriftKind.Number ? "number" : "category";
}
