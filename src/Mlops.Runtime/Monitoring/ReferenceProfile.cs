namespace Mlops.Runtime.Monitoring;

/// <summary>
/// What the data looked like when the model was evaluated: the baseline drift checks compare live
/// traffic with. Written by evaluation (on the holdout rows, with the model's predictions for them) and
/// stored in the model's bundle; serialises with System.Text.Json (camelCase names).
/// </summary>
/// <param name="Rows">The rows profiled.</param>
/// <param name="Features">One profile per feature, in declared order.</param>
/// <param name="Predictions">
/// Profiles of the model's output: binary <c>probability</c> (or <c>score</c> when uncalibrated) and
/// <c>predictedLabel</c>; multiclass <c>predictedLabel</c>; regression <c>score</c>.
/// </param>
public sealed record ReferenceProfile(int Rows, IReadOnlyList<FeatureProfile> Features, IReadOnlyList<FeatureProfile> Predictions)
{
    private static readonly System.Text.Json.JsonSerializerOptions s_json = new(System.Text.Json.JsonSerializerDefaults.Web);

    /// <summary>
    /// Reads a bundle's profile (<see cref="Mlops.Runtime.Bundles.Bundle.ProfileEntry"/>); null when the bundle has
    /// none or it cannot be read: the profile only informs pages, so a damaged one must not keep the model from serving.
    /// </summary>
    /// <param name="bundle">The bundle.</param>
    public static ReferenceProfile? TryRead(Mlops.Runtime.Bundles.Bundle bundle)
    {
        ArgumentNullException.ThrowIfNull(bundle);
        if (!bundle.EntryNames.Contains(Mlops.Runtime.Bundles.Bundle.ProfileEntry, StringComparer.Ordinal))
        {
            return null;
        }

        try
        {
            return System.Text.Json.JsonSerializer.Deserialize<ReferenceProfile>(bundle.Entry(Mlops.Runtime.Bundles.Bundle.ProfileEntry), s_json);
        }
        catch (System.Text.Json.JsonException)
        {
            return null;
        }
    }
}

/// <summary>The profile of one column. Exactly one of <see cref="Numeric"/> and <see cref="Categorical"/> is set.</summary>
/// <param name="Name">The feature or output name.</param>
/// <param name="Count">Rows seen, missing ones included.</param>
/// <param name="Missing">Rows where the value is missing.</param>
/// <param name="NullRate"><see cref="Missing"/> / <see cref="Count"/>; 0 when there are no rows.</param>
/// <param name="Numeric">For numbers: summary statistics and the histogram.</param>
/// <param name="Categorical">For categories, bools and text: value frequencies.</param>
public sealed record FeatureProfile(
    string Name,
    long Count,
    long Missing,
    double NullRate,
    NumericSummary? Numeric,
    CategoricalSummary? Categorical);

/// <summary>Statistics of the present (non-missing) values of a number column.</summary>
/// <param name="Min">The smallest value.</param>
/// <param name="Max">The largest value.</param>
/// <param name="Mean">The mean.</param>
/// <param name="StdDev">The population standard deviation.</param>
/// <param name="Quantiles">The 0th, 10th, ..., 100th percentiles (11 values; linear interpolation between order statistics).</param>
/// <param name="Histogram">Counts in bins cut at the inner deciles.</param>
public sealed record NumericSummary(
    double Min,
    double Max,
    double Mean,
    double StdDev,
    IReadOnlyList<double> Quantiles,
    Histogram Histogram);

/// <summary>
/// Counts of values in bins with fixed edges. With edges e0 &lt; e1 &lt; ... &lt; e(k-1) there are k+1
/// bins: bin 0 holds v &lt;= e0, bin i holds e(i-1) &lt; v &lt;= e(i), bin k holds v &gt; e(k-1). The outer
/// bins are open, so live values beyond the reference's range still land in a bin; the edges are the
/// distinct inner deciles of the reference (quantile bins, as PSI uses).
/// </summary>
/// <param name="Edges">The bin edges, ascending, distinct.</param>
/// <param name="Counts">Values per bin; one more than <see cref="Edges"/>.</param>
public sealed record Histogram(IReadOnlyList<double> Edges, IReadOnlyList<long> Counts)
{
    /// <summary>The bin a value falls in: the number of edges strictly below it.</summary>
    public int BinOf(double value)
    {
        int low = 0, high = Edges.Count;
        while (low < high)
        {
            var middle = (low + high) / 2;
            if (Edges[middle] < value)
            {
                low = middle + 1;
            }
            else
            {
                high = middle;
            }
        }

        return low;
    }
}

/// <summary>Frequencies of the values of a category, bool or text column.</summary>
/// <param name="Values">
/// Per value: declared categories in declared order (zero counts included, so a category absent from
/// the reference is still listed); bools as <c>false</c>, <c>true</c>; text by descending count, at most
/// <see cref="ProfileBuilder.MaximumValues"/>.
/// </param>
/// <param name="OtherCount">Present values not listed: undeclared categories, or rarer text values.</param>
public sealed record CategoricalSummary(IReadOnlyList<CategoryCount> Values, long OtherCount);

/// <summary>How often one value occurs.</summary>
/// <param name="Value">The value as written.</param>
/// <param name="Count">Rows with it.</param>
/// <param name="Frequency">Count / rows with a present value; 0 when none.</param>
public sealed record CategoryCount(string Value, long Count, double Frequency);
