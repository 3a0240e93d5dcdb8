namespace Mlops.Runtime.Monitoring.Drift;

/// <summary>A test's statistic and its p-value.</summary>
/// <param name="Statistic">The statistic.</param>
/// <param name="PValue">The probability of a statistic at least this large when both samples come from one distribution.</param>
public readonly record struct DriftTestResult(double Statistic, double PValue);

/// <summary>
/// The drift statistics, each defined as SciPy (or NumPy) computes it, so a figure here can be
/// checked with another tool (docs/monitoring.md gives the formulas; tests hold them to SciPy's
/// values). Numbers come as present values sorted ascending, categories as counts; nothing here
/// allocates in proportion to the data.
/// </summary>
public static class DriftStatistics
{
    /// <summary>The inner deciles PSI cuts its bins at: 0.1, ..., 0.9 (as NumPy writes <c>arange(1, 10) / 10</c>).</summary>
    public const int PsiBins = 10;

    /// <summary>The least proportion of a PSI bin (an empty bin would make the logarithm infinite).</summary>
    public const double PsiFloor = 1e-4;

    /// <summary>What divides the Wasserstein distance when the reference's standard deviation is 0 (as Evidently floors it).</summary>
    public const double ConstantReferenceScale = 1e-3;

    /// <summary>
    /// The two-sample Kolmogorov-Smirnov test, two-sided, as SciPy's <c>ks_2samp(a, b, method="asymp")</c>:
    /// D = max |F_a(x) - F_b(x)| over every value, the empirical distribution functions counting
    /// values ≤ x; the p-value is the survival function of the one-sample statistic for
    /// round(mn / (m + n)) samples at D (SciPy's <c>kstwo.sf</c>).
    /// </summary>
    /// <param name="a">The first sample, sorted ascending.</param>
    /// <param name="b">The second sample, sorted ascending.</param>
    public static DriftTestResult KolmogorovSmirnov(ReadOnlySpan<double> a, ReadOnlySpan<double> b)
    {
        if (a.IsEmpty || b.IsEmpty)
        {
            return new DriftTestResult(double.NaN, double.NaN);
        }

        double n1 = a.Length, n2 = b.Length;
        int i = 0, j = 0;
        double highest = 0, lowest = 0;
        while (i < a.Length || j < b.Length)
        {
            var x = i < a.Length && (j >= b.Length || a[i] <= b[j]) ? a[i] : b[j];
            while (i < a.Length && a[i] <= x)
            {
                i++;
            }

            while (j < b.Length && b[j] <= x)
            {
                j++;
            }

            var difference = (i / n1) - (j / n2);
            highest = Math.Max(highest, difference);
            lowest = Math.Min(lowest, difference);
        }

        var d = Math.Max(highest, Math.Clamp(-lowest, 0, 1));
        var (m, n) = n1 >= n2 ? (n1, n2) : (n2, n1);
        var samples = Math.Round(m * n / (m + n), MidpointRounding.ToEven);
        return new DriftTestResult(d, samples < 1 ? double.NaN : SpecialFunctions.KolmogorovSurvival((int)samples, d));
    }

    /// <summary>
    /// The first Wasserstein (earth mover's) distance between two samples, as SciPy's
    /// <c>wasserstein_distance(u, v)</c>: the area between their empirical distribution functions.
    /// </summary>
    /// <param name="u">The first sample, sorted ascending.</param>
    /// <param name="v">The second sample, sorted ascending.</param>
    public static double Wasserstein(ReadOnlySpan<double> u, ReadOnlySpan<double> v)
    {
        if (u.IsEmpty || v.IsEmpty)
        {
            return double.NaN;
        }

        double nu = u.Length, nv = v.Length;
        int i = 0, j = 0;
        var at = Math.Min(u[0], v[0]);
        double sum = 0, compensation = 0;
        while (true)
        {
            while (i < u.Length && u[i] <= at)
            {
                i++;
            }

            while (j < v.Length && v[j] <= at)
            {
                j++;
            }

            if (i == u.Length && j == v.Length)
            {
                break;
            }

            var next = Math.Min(i < u.Length ? u[i] : double.PositiveInfinity, j < v.Length ? v[j] : double.PositiveInfinity);
            var term = Math.Abs((i / nu) - (j / nv)) * (next - at);

            // Neumaier's compensated sum: a million terms add up as accurately as NumPy's pairwise sum.
            var total = sum + term;
            compensation += Math.Abs(sum) >= Math.Abs(term) ? (sum - total) + term : (term - total) + sum;
            sum = total;
            at = next;
        }

        return sum + compensation;
    }

    /// <summary>
    /// The Wasserstein distance divided by the reference's population standard deviation (ddof 0),
    /// so that it reads in reference standard deviations whatever the feature's unit. A constant
    /// reference (standard deviation 0) is divided by <see cref="ConstantReferenceScale"/> instead.
    /// </summary>
    /// <param name="reference">The reference sample, sorted ascending.</param>
    /// <param name="current">The current sample, sorted ascending.</param>
    public static double NormedWasserstein(ReadOnlySpan<double> reference, ReadOnlySpan<double> current)
    {
        var deviation = StandardDeviation(reference);
        return Wasserstein(reference, current) / (deviation > 0 ? deviation : ConstantReferenceScale);
    }

    /// <summary>The population standard deviation (ddof 0), by two passes as NumPy's <c>std</c>.</summary>
    /// <param name="values">The values.</param>
    public static double StandardDeviation(ReadOnlySpan<double> values)
    {
        if (values.IsEmpty)
        {
            return double.NaN;
        }

        var mean = 0.0;
        foreach (var value in values)
        {
            mean += value;
        }

        mean /= values.Length;
        var squares = 0.0;
        foreach (var value in values)
        {
            squares += (value - mean) * (value - mean);
        }

        return Math.Sqrt(squares / values.Length);
    }

    /// <summary>
    /// The population stability index over <see cref="PsiBins"/> bins cut at the reference's inner
    /// deciles (NumPy's default linear quantiles); a value equal to an edge falls in the lower bin
    /// (NumPy's <c>searchsorted(edges, x, side="left")</c>); each bin's proportion is floored at
    /// <see cref="PsiFloor"/>; PSI = Σ (c - r) ln(c / r).
    /// </summary>
    /// <param name="reference">The reference sample, sorted ascending.</param>
    /// <param name="current">The current sample, sorted ascending.</param>
    public static double Psi(ReadOnlySpan<double> reference, ReadOnlySpan<double> current)
    {
        if (reference.IsEmpty || current.IsEmpty)
        {
            return double.NaN;
        }

        Span<double> edges = stackalloc double[PsiBins - 1];
        for (var k = 1; k < PsiBins; k++)
        {
            edges[k - 1] = Quantile(reference, k / 10.0);
        }

        var psi = 0.0;
        int referenceBelow = 0, currentBelow = 0;
        for (var bin = 0; bin < PsiBins; bin++)
        {
            // Values ≤ the bin's upper edge are in it or below; the last bin takes the rest.
            var referenceUpTo = bin < PsiBins - 1 ? UpperBound(reference, edges[bin]) : reference.Length;
            var currentUpTo = bin < PsiBins - 1 ? UpperBound(current, edges[bin]) : current.Length;
            var r = Math.Max((double)(referenceUpTo - referenceBelow) / reference.Length, PsiFloor);
            var c = Math.Max((double)(currentUpTo - currentBelow) / current.Length, PsiFloor);
            psi += (c - r) * Math.Log(c / r);
            referenceBelow = referenceUpTo;
            currentBelow = currentUpTo;
        }

        return psi;
    }

    /// <summary>
    /// The q-quantile of sorted values exactly as NumPy's default (<c>method="linear"</c>): index
    /// (n - 1)q, and between its neighbours a + (b - a)t, or b - (b - a)(1 - t) when t ≥ 0.5.
    /// </summary>
    /// <param name="sorted">The values, ascending.</param>
    /// <param name="q">The quantile, 0 to 1.</param>
    public static double Quantile(ReadOnlySpan<double> sorted, double q)
    {
        if (sorted.IsEmpty)
        {
            return double.NaN;
        }

        var index = (sorted.Length - 1) * q;
        var below = Math.Floor(index);
        var lower = (int)Math.Min(below, sorted.Length - 1);
        var upper = Math.Min(lower + 1, sorted.Length - 1);
        var t = index - below;
        double a = sorted[lower], b = sorted[upper];
        var span = b - a;
        return t >= 0.5 ? b - (span * (1 - t)) : a + (span * t);
    }

    /// <summary>
    /// Pearson's chi-square goodness of fit of current counts against the reference's proportions, as
    /// SciPy's <c>chisquare(f_obs, f_exp)</c> with f_exp = reference share × current total over the
    /// reference's categories: χ² = Σ (o - e)² / e, p from the chi-square distribution with k - 1
    /// degrees of freedom. Categories the reference lacks are left out (see <see cref="UnseenShare"/>).
    /// One reference category leaves no freedom: χ² = 0 and p = 1. Without a current value in the
    /// reference's categories the test is undefined: NaN.
    /// </summary>
    /// <param name="reference">The reference's count per category (categories with count 0 are skipped).</param>
    /// <param name="current">The current count of the same categories, in the same order.</param>
    public static DriftTestResult ChiSquare(ReadOnlySpan<long> reference, ReadOnlySpan<long> current)
    {
        if (reference.Length != current.Length)
        {
            throw new ArgumentException($"The reference has {reference.Length} categories, the current counts {current.Length}; give the current count of each reference category.", nameof(current));
        }

        long referenceTotal = 0, currentTotal = 0;
        var categories = 0;
        for (var i = 0; i < reference.Length; i++)
        {
            if (reference[i] > 0)
            {
                referenceTotal += reference[i];
                currentTotal += current[i];
                categories++;
            }
        }

        if (currentTotal == 0 || categories == 0)
        {
            return new DriftTestResult(double.NaN, double.NaN);
        }

        if (categories == 1)
        {
            return new DriftTestResult(0, 1);
        }

        var statistic = 0.0;
        for (var i = 0; i < reference.Length; i++)
        {
            if (reference[i] > 0)
            {
                var expected = (double)reference[i] / referenceTotal * currentTotal;
                var difference = current[i] - expected;
                statistic += difference * difference / expected;
            }
        }

        return new DriftTestResult(statistic, SpecialFunctions.ChiSquareSurvival(statistic, categories - 1));
    }

    /// <summary>
    /// The Jensen-Shannon distance in base 2 between two frequency vectors, as SciPy's
    /// <c>jensenshannon(p, q, base=2)</c>: each normalised to sum 1, m = (p + q) / 2, and
    /// √((KL(p‖m) + KL(q‖m)) / 2) with logarithms base 2; 0 for equal distributions, 1 for disjoint ones.
    /// </summary>
    /// <param name="p">The first counts (the reference's, over the union of categories).</param>
    /// <param name="q">The second counts, in the same order.</param>
    public static double JensenShannon(ReadOnlySpan<long> p, ReadOnlySpan<long> q)
    {
        if (p.Length != q.Length)
        {
            throw new ArgumentException($"The vectors have {p.Length} and {q.Length} entries; give both over the same categories.", nameof(q));
        }

        double pTotal = 0, qTotal = 0;
        for (var i = 0; i < p.Length; i++)
        {
            pTotal += p[i];
            qTotal += q[i];
        }

        if (pTotal == 0 || qTotal == 0)
        {
            return double.NaN;
        }

        var sum = 0.0;
        for (var i = 0; i < p.Length; i++)
        {
            var pi = p[i] / pTotal;
            var qi = q[i] / qTotal;
            var mi = (pi + qi) / 2;
            sum += RelativeEntropy(pi, mi) + RelativeEntropy(qi, mi);
        }

        return Math.Sqrt(Math.Max(0, sum / Math.Log(2) / 2));
    }

    /// <summary>The share of current present values whose category the reference never had.</summary>
    /// <param name="unseen">Current values in categories the reference lacks.</param>
    /// <param name="present">Current present values.</param>
    public static double UnseenShare(long unseen, long present) => present == 0 ? 0 : (double)unseen / present;

    private static double RelativeEntropy(double x, double y) => x > 0 ? x * Math.Log(x / y) : 0;

    /// <summary>How many sorted values are ≤ <paramref name="value"/>.</summary>
    private static int UpperBound(ReadOnlySpan<double> sorted, double value)
    {
        int low = 0, high = sorted.Length;
        while (low < high)
        {
            var middle = low + ((high - low) / 2);
            if (sorted[middle] <= value)
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
