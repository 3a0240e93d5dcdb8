namespace Mlops.Runtime.Monitoring.Drift;

/// <summary>How one feature compares with its reference.</summary>
/// <param name="Name">The feature.</param>
/// <param name="Kind">Compared as numbers or as categories.</param>
/// <param name="Method">The test used (what <c>auto</c> chose, when it was asked for).</param>
/// <param name="Statistic">The statistic (the distance for distance methods); null when inconclusive or undefined.</param>
/// <param name="PValue">The p-value, for KS and chi-square; null otherwise.</param>
/// <param name="Threshold">The threshold applied: drift when p &lt; it, or when the distance is ≥ it.</param>
/// <param name="Drifted">Whether the feature drifted: its test says so, or its share of missing values rose (<see cref="NullRateRose"/>); a test that is inconclusive alone never drifts.</param>
/// <param name="ReferenceNullRate">The reference's share of missing values.</param>
/// <param name="CurrentNullRate">The current data's share of missing values.</param>
/// <param name="ReferenceValues">Present values in the reference.</param>
/// <param name="CurrentValues">Present values in the current data.</param>
/// <param name="UnseenShare">Categories: the share of current present values the reference never had; null for numbers.</param>
/// <param name="Inconclusive">Whether there were too few values to test.</param>
/// <param name="Reason">Why the test is inconclusive or its statistic undefined; null otherwise.</param>
public sealed record FeatureDrift(
    string Name,
    DriftKind Kind,
    DriftMethod Method,
    double? Statistic,
    double? PValue,
    double Threshold,
    bool Drifted,
    double ReferenceNullRate,
    double CurrentNullRate,
    long ReferenceValues,
    long CurrentValues,
    double? UnseenShare,
    bool Inconclusive,
    string? Reason)
{
    /// <summary>Whether the share of missing values rose by at least <see cref="DriftOptions.NullRateIncrease"/>; such a feature has <see cref="Drifted"/> set too.</summary>
    public bool NullRateRose { get; init; }

    /// <summary>
    /// With <see cref="DriftOptions.AllStatistics"/>: every statistic of the feature's kind by name
    /// (<c>ks</c>, <c>ks.pValue</c>, <c>wasserstein</c>, <c>psi</c>; <c>chisquare</c>, <c>chisquare.pValue</c>,
    /// <c>jensenshannon</c>), an undefined one left out; null otherwise, and when inconclusive.
    /// </summary>
    public IReadOnlyDictionary<string, double>? Statistics { get; init; }

    /// <summary>The figure compared with the threshold: the p-value for KS and chi-square, else the statistic.</summary>
    public double? Score => DriftMethods.HasPValue(Method) ? PValue : Statistic;
}

/// <summary>The data set's verdict and every feature's result, in the reference's order.</summary>
/// <param name="Features">Per feature.</param>
/// <param name="DriftedFeatures">Features that drifted.</param>
/// <param name="InconclusiveFeatures">Features with too few values (counted as not drifted).</param>
/// <param name="DriftedShare">Drifted features / all features compared.</param>
/// <param name="DriftShare">The share at which the data set has drifted.</param>
/// <param name="Drifted">Whether <see cref="DriftedShare"/> reached <see cref="DriftShare"/>.</param>
public sealed record DriftReport(
    IReadOnlyList<FeatureDrift> Features,
    int DriftedFeatures,
    int InconclusiveFeatures,
    double DriftedShare,
    double DriftShare,
    bool Drifted);
