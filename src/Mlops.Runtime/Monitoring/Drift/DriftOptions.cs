namespace Mlops.Runtime.Monitoring.Drift;

/// <summary>How drift is judged: the method, thresholds (overridable per feature), the data set's rule and the least data a test needs.</summary>
public sealed record DriftOptions
{
    /// <summary>The least present values on each side for a conclusive test.</summary>
    public const int DefaultMinimumValues = 30;

    /// <summary>The method for every feature without its own.</summary>
    /// <value>The default value is <see cref="DriftMethod.Auto"/>.</value>
    public DriftMethod Method { get; init; } = DriftMethod.Auto;

    /// <summary>The threshold for every feature without its own; null takes the chosen method's default (<see cref="DriftMethods.DefaultThreshold"/>).</summary>
    /// <value>The default value is null.</value>
    public double? Threshold { get; init; }

    /// <summary>The share of features that must drift for the data set to have drifted.</summary>
    /// <value>The default value is 0.5.</value>
    public double DriftShare { get; init; } = 0.5;

    /// <summary>
    /// The least present values, in the reference and in the current data, for a feature's test to
    /// be conclusive; with fewer it is inconclusive, which is not drift.
    /// </summary>
    /// <value>The default value is 30.</value>
    public int MinimumValues { get; init; } = DefaultMinimumValues;

    /// <summary>
    /// A feature whose share of missing values rose by at least this much over the reference's has
    /// drifted, whatever its distribution test says: a column that starts arriving empty is the
    /// commonest silent failure, and its present values may still look like the reference's.
    /// </summary>
    /// <value>The default value is 0.1 (ten points of the share of rows).</value>
    public double NullRateIncrease { get; init; } = 0.1;

    /// <summary>
    /// Whether to compute, beside the deciding test, every statistic of the feature's kind (numbers: KS
    /// with its p-value, normed Wasserstein, PSI; categories: chi-square with its p-value, Jensen-Shannon),
    /// for comparing with other tools (<see cref="FeatureDrift.Statistics"/>).
    /// </summary>
    /// <value>The default value is false.</value>
    public bool AllStatistics { get; init; }

    /// <summary>Per feature (by name), a method or threshold that replaces the data set's.</summary>
    /// <value>The default value is empty.</value>
    public IReadOnlyDictionary<string, FeatureDriftOptions> Features { get; init; } = new Dictionary<string, FeatureDriftOptions>(StringComparer.Ordinal);

    /// <summary>Every problem with these options, in one list (empty when they hold).</summary>
    public IReadOnlyList<string> Problems()
    {
        var problems = new List<string>();
        if (!(DriftShare is > 0 and <= 1))
        {
            problems.Add($"driftShare is {DriftShare}; give a share above 0 and at most 1.");
        }

        if (MinimumValues < 1)
        {
            problems.Add($"the least values for a test is {MinimumValues}; give at least 1.");
        }

        if (!(NullRateIncrease is > 0 and <= 1))
        {
            problems.Add($"the null-rate increase is {NullRateIncrease}; give a share above 0 and at most 1.");
        }

        if (Threshold is { } threshold && !(threshold > 0 && double.IsFinite(threshold)))
        {
            problems.Add($"threshold is {threshold}; give a positive number.");
        }

        foreach (var (name, feature) in Features)
        {
            if (feature.Threshold is { } own && !(own > 0 && double.IsFinite(own)))
            {
                problems.Add($"the threshold of '{name}' is {own}; give a positive number.");
            }
        }

        return problems;
    }
}

/// <summary>One feature's own method or threshold.</summary>
/// <param name="Method">The method, or null for the data set's.</param>
/// <param name="Threshold">The threshold, or null for the data set's (or the method's default).</param>
public sealed record FeatureDriftOptions(DriftMethod? Method = null, double? Threshold = null);
