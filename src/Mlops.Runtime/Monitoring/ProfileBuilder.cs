namespace Mlops.Runtime.Monitoring;

/// <summary>Computes <see cref="FeatureProfile"/>s; drift checks use the same code on live windows.</summary>
public static class ProfileBuilder
{
    /// <summary>The most distinct text values a profile lists; the rest are counted in <see cref="CategoricalSummary.OtherCount"/>.</summary>
    public const int MaximumValues = 100;

    private static readonly double[] s_deciles = [0, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1];

    /// <summary>Profiles a number column; <see cref="double.NaN"/> is missing.</summary>
    public static FeatureProfile Numeric(string name, IEnumerable<double> values)
    {
        ArgumentNullException.ThrowIfNull(values);
        var all = values.ToList();
        var present = all.Where(v => !double.IsNaN(v)).ToArray();
        Array.Sort(present);
        var missing = all.Count - present.Length;
        NumericSummary? summary = null;
        if (present.Length > 0)
        {
            var mean = present.Average();
            var variance = present.Sum(v => (v - mean) * (v - mean)) / present.Length;
            var quantiles = s_deciles.Select(q => Quantile(present, q)).ToArray();
            var edges = quantiles.Skip(1).Take(9).Distinct().ToArray();
            var histogram = new Histogram(edges, new long[edges.Length + 1]);
            var counts = (long[])histogram.Counts;
            foreach (var value in present)
            {
                counts[histogram.BinOf(value)]++;
            }

            summary = new NumericSummary(present[0], present[^1], mean, Math.Sqrt(variance), quantiles, histogram);
        }

        return new FeatureProfile(name, all.Count, missing, Rate(missing, all.Count), summary, null);
    }

    /// <summary>Profiles a category, bool or text column; null and empty are missing.</summary>
    /// <param name="name">The column.</param>
    /// <param name="values">The values.</param>
    /// <param name="declared">The declared values in order (categories, bools), or null to list the most frequent values (text).</param>
    public static FeatureProfile Categorical(string name, IEnumerable<string?> values, IReadOnlyList<string>? declared)
    {
        ArgumentNullException.ThrowIfNull(values);
        var counts = new Dictionary<string, long>(StringComparer.Ordinal);
        long total = 0, missing = 0;
        foreach (var value in values)
        {
            total++;
            if (string.IsNullOrEmpty(value))
            {
                missing++;
                continue;
            }

            counts[value] = counts.GetValueOrDefault(value) + 1;
        }

        var present = total - missing;
        var listed = declared is not null
            ? declared.Select(v => (Value: v, Count: counts.GetValueOrDefault(v))).ToList()
            : counts.OrderByDescending(p => p.Value).ThenBy(p => p.Key, StringComparer.Ordinal).Take(MaximumValues)
                .Select(p => (Value: p.Key, Count: p.Value)).ToList();
        var other = present - listed.Sum(v => v.Count);
        var summary = new CategoricalSummary(
            [.. listed.Select(v => new CategoryCount(v.Value, v.Count, Rate(v.Count, present)))],
            other);
        return new FeatureProfile(name, total, missing, Rate(missing, total), null, summary);
    }

    /// <summary>The q-quantile of sorted values, interpolating linearly between order statistics (NumPy's default).</summary>
    public static double Quantile(IReadOnlyList<double> sorted, double q)
    {
        ArgumentNullException.ThrowIfNull(sorted);
        if (sorted.Count == 0)
        {
            return double.NaN;
        }

        var position = q * (sorted.Count - 1);
        var lower = (int)Math.Floor(position);
        var upper = Math.Min(lower + 1, sorted.Count - 1);
        return sorted[lower] + ((position - lower) * (sorted[upper] - sorted[lower]));
    }

    private static double Rate(long part, long whole) => whole == 0 ? 0 : (double)part / whole;
}
