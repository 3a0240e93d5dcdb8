namespace Mlops.Pipeline.Evaluation;

/// <summary>
/// The 97.5% quantiles of Student's t distribution for 1 to 19 degrees of freedom: the factor of a 95% interval on the
/// mean of 2 to 20 fold metrics. Written as a table (values from SciPy's <c>scipy.stats.t.ppf(0.975, df)</c>, rounded to
/// ten digits) because no numerics package is referenced and the folds are limited to 20.
/// </summary>
internal static class StudentT
{
    private static readonly double[] Quantiles975 =
    [
        12.7062047364, 4.3026527299, 3.1824463053, 2.7764451052, 2.5705818366,
        2.4469118488, 2.3646242510, 2.3060041350, 2.2621571627, 2.2281388520,
        2.2009851601, 2.1788128297, 2.1603686565, 2.1447866879, 2.1314495456,
        2.1199052992, 2.1098155778, 2.1009220402, 2.0930240544,
    ];

    /// <summary>The largest degrees of freedom in the table.</summary>
    public const int MaximumDegreesOfFreedom = 19;

    /// <summary>t(0.975, <paramref name="degreesOfFreedom"/>).</summary>
    /// <exception cref="ArgumentOutOfRangeException">Outside 1 to <see cref="MaximumDegreesOfFreedom"/>.</exception>
    public static double Quantile975(int degreesOfFreedom)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(degreesOfFreedom, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(degreesOfFreedom, MaximumDegreesOfFreedom);
        return Quantiles975[degreesOfFreedom - 1];
    }
}
