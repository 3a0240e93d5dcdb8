namespace Mlops.Runtime.Monitoring.Drift;

/// <summary>A drift test. Names as the environment file and <c>mlops drift --method</c> write them: <see cref="DriftMethods.Name"/>.</summary>
public enum DriftMethod
{
    /// <summary><c>auto</c>: as Evidently chooses (docs/monitoring.md): with at most 1,000 reference values KS or chi-square, else normed Wasserstein or Jensen-Shannon.</summary>
    Auto,

    /// <summary><c>ks</c>: two-sample Kolmogorov-Smirnov (numbers); drift when p &lt; threshold.</summary>
    KolmogorovSmirnov,

    /// <summary><c>wasserstein</c>: Wasserstein distance / reference standard deviation (numbers); drift when ≥ threshold.</summary>
    Wasserstein,

    /// <summary><c>psi</c>: population stability index over reference deciles (numbers); drift when ≥ threshold.</summary>
    Psi,

    /// <summary><c>chisquare</c>: Pearson's chi-square goodness of fit (categories); drift when p &lt; threshold.</summary>
    ChiSquare,

    /// <summary><c>jensenshannon</c>: Jensen-Shannon distance, base 2 (categories); drift when ≥ threshold.</summary>
    JensenShannon,
}

/// <summary>Names, defaults and kinds of the <see cref="DriftMethod"/>s, stated once.</summary>
public static class DriftMethods
{
    /// <summary>The most reference values with which <c>auto</c> still picks the tests with p-values.</summary>
    public const int AutoSmallReference = 1000;

    private static readonly (DriftMethod Method, string Name)[] s_names =
    [
        (DriftMethod.Auto, "auto"), (DriftMethod.KolmogorovSmirnov, "ks"), (DriftMethod.Wasserstein, "wasserstein"),
        (DriftMethod.Psi, "psi"), (DriftMethod.ChiSquare, "chisquare"), (DriftMethod.JensenShannon, "jensenshannon"),
    ];

    /// <summary>Every method's name, in order.</summary>
    public static IReadOnlyList<string> Names { get; } = [.. s_names.Select(n => n.Name)];

    /// <summary>A method's name as files and the CLI write it.</summary>
    /// <param name="method">The method.</param>
    public static string Name(DriftMethod method) => s_names.First(n => n.Method == method).Name;

    /// <summary>Reads a method's name (case-insensitive).</summary>
    /// <param name="name">The name.</param>
    /// <param name="method">The method.</param>
    /// <returns>Whether it is a method's name.</returns>
    public static bool TryParse(string? name, out DriftMethod method)
    {
        foreach (var (m, n) in s_names)
        {
            if (string.Equals(n, name, StringComparison.OrdinalIgnoreCase))
            {
                method = m;
                return true;
            }
        }

        method = DriftMethod.Auto;
        return false;
    }

    /// <summary>Whether the method answers with a p-value (drift below the threshold) rather than a distance (drift at or above it).</summary>
    /// <param name="method">The method.</param>
    public static bool HasPValue(DriftMethod method) => method is DriftMethod.KolmogorovSmirnov or DriftMethod.ChiSquare;

    /// <summary>The default threshold: 0.05 for p-values, 0.1 for distances and PSI.</summary>
    /// <param name="method">The method (not <see cref="DriftMethod.Auto"/>).</param>
    public static double DefaultThreshold(DriftMethod method) => HasPValue(method) ? 0.05 : 0.1;

    /// <summary>Whether the method compares features of the kind.</summary>
    /// <param name="method">The method.</param>
    /// <param name="kind">The kind.</param>
    public static bool Fits(DriftMethod method, DriftKind kind) => method switch
    {
        DriftMethod.Auto => true,
        DriftMethod.KolmogorovSmirnov or DriftMethod.Wasserstein or DriftMethod.Psi => kind == DriftKind.Number,
        _ => kind == DriftKind.Category,
    };

    /// <summary>What <c>auto</c> picks for a feature: as Evidently, by kind and the reference's size.</summary>
    /// <param name="kind">The feature's kind.</param>
    /// <param name="referenceValues">The reference's present values.</param>
    public static DriftMethod Choose(DriftKind kind, long referenceValues) => (kind, referenceValues <= AutoSmallReference) switch
    {
        (DriftKind.Number, true) => DriftMethod.KolmogorovSmirnov,
        (DriftKind.Number, false) => DriftMethod.Wasserstein,
        (_, true) => DriftMethod.ChiSquare,
        _ => DriftMethod.JensenShannon,
    };
}
