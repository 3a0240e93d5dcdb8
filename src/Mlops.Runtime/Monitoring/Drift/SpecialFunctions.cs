namespace Mlops.Runtime.Monitoring.Drift;

/// <summary>
/// The distribution functions the drift tests' p-values need, in double precision: the log-gamma
/// function, the regularized upper incomplete gamma function (the chi-square survival function) and
/// the survival function of the two-sided one-sample Kolmogorov-Smirnov statistic for n samples.
/// Written from the published algorithms (named at each method) so that the p-values agree with
/// SciPy's to far better than 1e-6; tests hold them to SciPy's values (docs/monitoring.md).
/// </summary>
internal static class SpecialFunctions
{
    private const double LogSqrtTwoPi = 0.91893853320467274178032973640562;
    private const double Epsilon = 1e-16;

    // Bernoulli numbers' terms of Stirling's series: B(2k) / (2k (2k - 1)), k = 1..8.
    private static readonly double[] s_stirling =
    [
        1.0 / 12, -1.0 / 360, 1.0 / 1260, -1.0 / 1680, 1.0 / 1188, -691.0 / 360360, 1.0 / 156, -3617.0 / 122400,
    ];

    /// <summary>ln Γ(x) for x &gt; 0: Stirling's series from 15 up (its error there is below 1e-20), the recurrence Γ(x+1) = xΓ(x) below.</summary>
    public static double LogGamma(double x)
    {
        if (!(x > 0))
        {
            return double.NaN;
        }

        var shift = 0.0;
        while (x < 15)
        {
            // One logarithm of a product rather than one per step; the product stays far from overflow.
            var product = 1.0;
            var steps = 0;
            while (x < 15 && steps < 8)
            {
                product *= x;
                x += 1;
                steps++;
            }

            shift += Math.Log(product);
        }

        var inverse = 1 / x;
        var inverseSquared = inverse * inverse;
        var series = 0.0;
        for (var k = s_stirling.Length - 1; k >= 0; k--)
        {
            series = (series * inverseSquared) + s_stirling[k];
        }

        return ((x - 0.5) * Math.Log(x)) - x + LogSqrtTwoPi + (series * inverse) - shift;
    }

    /// <summary>
    /// Q(a, x) = Γ(a, x) / Γ(a), the regularized upper incomplete gamma function, for a &gt; 0, x ≥ 0:
    /// the power series of P = 1 - Q below x = a + 1, Legendre's continued fraction (modified Lentz) above.
    /// </summary>
    public static double UpperRegularizedGamma(double a, double x)
    {
        if (double.IsNaN(a) || double.IsNaN(x) || a <= 0 || x < 0)
        {
            return double.NaN;
        }

        if (x == 0)
        {
            return 1;
        }

        if (double.IsPositiveInfinity(x))
        {
            return 0;
        }

        var logPrefix = (a * Math.Log(x)) - x - LogGamma(a);
        if (x < a + 1)
        {
            // P(a, x) = x^a e^-x / Γ(a+1) * Σ x^n / ((a+1)...(a+n)).
            var term = 1 / a;
            var sum = term;
            for (var n = 1; n < 100_000; n++)
            {
                term *= x / (a + n);
                sum += term;
                if (Math.Abs(term) < Math.Abs(sum) * Epsilon)
                {
                    break;
                }
            }

            return Math.Clamp(1 - (sum * Math.Exp(logPrefix)), 0, 1);
        }

        // Q(a, x) = x^a e^-x / Γ(a) * 1 / (x + 1 - a - 1(1-a) / (x + 3 - a - 2(2-a) / (x + 5 - a - ...))).
        const double tiny = 1e-300;
        var b = x + 1 - a;
        var c = 1 / tiny;
        var d = 1 / b;
        var h = d;
        for (var i = 1; i < 100_000; i++)
        {
            var an = -i * (i - a);
            b += 2;
            d = (an * d) + b;
            if (Math.Abs(d) < tiny)
            {
                d = tiny;
            }

            c = b + (an / c);
            if (Math.Abs(c) < tiny)
            {
                c = tiny;
            }

            d = 1 / d;
            var delta = d * c;
            h *= delta;
            if (Math.Abs(delta - 1) < Epsilon)
            {
                break;
            }
        }

        return Math.Clamp(Math.Exp(logPrefix) * h, 0, 1);
    }

    /// <summary>The chi-square distribution's survival function: Pr(X ≥ x) with <paramref name="degreesOfFreedom"/> degrees of freedom.</summary>
    public static double ChiSquareSurvival(double x, int degreesOfFreedom) =>
        x <= 0 ? 1 : UpperRegularizedGamma(degreesOfFreedom / 2.0, x / 2);

    /// <summary>
    /// Pr(D_n ≥ x) for the two-sided one-sample Kolmogorov-Smirnov statistic D_n of n samples, by the
    /// regions Simard and L'Ecuyer (2011) give each method (the choice SciPy's <c>kstwo</c> makes):
    /// Ruben and Gambino's closed forms at the ends, twice the exact one-sided Smirnov probability
    /// (Birnbaum and Tingey) in the upper tail, the Durbin matrix (Marsaglia, Tsang and Wang 2003)
    /// where it is exact and cheap, and Pelz and Good's expansion for large n.
    /// </summary>
    public static double KolmogorovSurvival(int n, double x)
    {
        if (n <= 0 || double.IsNaN(x))
        {
            return double.NaN;
        }

        if (x >= 1)
        {
            return 0;
        }

        if (x <= 0)
        {
            return 1;
        }

        var t = n * x;
        if (t <= 1)
        {
            if (t <= 0.5)
            {
                return 1;
            }

            // Pr(D_n < x) = n! / n^n (2t - 1)^n.
            var cdf = Math.Exp(LogGamma(n + 1) - (n * Math.Log(n)) + (n * Math.Log((2 * t) - 1)));
            return Math.Clamp(1 - cdf, 0, 1);
        }

        if (t >= n - 1)
        {
            return Math.Clamp(2 * Math.Pow(1 - x, n), 0, 1);
        }

        if (x >= 0.5)
        {
            return Math.Clamp(2 * SmirnovSurvival(n, x), 0, 1);
        }

        var nxSquared = t * x;
        if (n <= 140)
        {
            // The Durbin matrix is exact; here its order 2⌈nx⌉ - 1 stays below 60.
            return nxSquared <= 4 ? Math.Clamp(1 - DurbinCdf(n, x), 0, 1) : Math.Clamp(2 * SmirnovSurvival(n, x), 0, 1);
        }

        if (nxSquared >= 370)
        {
            return 0;
        }

        if (nxSquared >= 2.2)
        {
            return Math.Clamp(2 * SmirnovSurvival(n, x), 0, 1);
        }

        var cdfLarge = n <= 100_000 && n * Math.Pow(x, 1.5) <= 1.4 ? DurbinCdf(n, x) : PelzGoodCdf(n, x);
        return Math.Clamp(1 - cdfLarge, 0, 1);
    }

    /// <summary>
    /// Pr(D+_n ≥ e), the one-sided Smirnov statistic, exactly by Birnbaum and Tingey's sum
    /// e Σ_{v=0}^{⌊n(1-e)⌋} C(n, v) (e + v/n)^(v-1) (1 - e - v/n)^(n-v), every term in logarithms.
    /// </summary>
    public static double SmirnovSurvival(int n, double e)
    {
        if (e <= 0)
        {
            return 1;
        }

        if (e >= 1)
        {
            return 0;
        }

        var last = (int)Math.Floor(n * (1 - e));
        var logFactorialN = LogGamma(n + 1);
        var sum = 0.0;
        for (var v = 0; v <= last; v++)
        {
            var at = e + ((double)v / n);
            var rest = 1 - at;
            if (rest <= 0)
            {
                continue; // 0^(n-v) with n > v
            }

            var logTerm = logFactorialN - LogGamma(v + 1) - LogGamma(n - v + 1) + ((v - 1) * Math.Log(at)) + ((n - v) * Math.Log(rest));
            if (logTerm > -745)
            {
                sum += Math.Exp(logTerm);
            }
        }

        return sum * e;
    }

    /// <summary>
    /// Pr(D_n &lt; d) by Durbin's matrix: with k = ⌈nd⌉ and h = k - nd, the (k,k) entry of H^n times
    /// n!/n^n, H of order 2k - 1 (Marsaglia, Tsang and Wang 2003). Powers are rescaled by 2^±128 to
    /// stay in range.
    /// </summary>
    public static double DurbinCdf(int n, double d)
    {
        var k = (int)Math.Ceiling(n * d);
        var h = k - (n * d);
        var m = (2 * k) - 1;
        var matrix = new double[m * m];
        for (var i = 0; i < m; i++)
        {
            var factorial = 1.0; // 1 / (i - j + 1)! for j from i + 1 down
            for (var j = i + 1; j >= 0; j--)
            {
                if (j < m)
                {
                    matrix[(i * m) + j] = factorial;
                }

                factorial /= i - j + 2;
            }
        }

        // First column and last row lose h^i / i!; the corner regains (2h - 1)^m / m! when 2h > 1.
        var power = 1.0;
        var inverseFactorial = 1.0;
        for (var i = 0; i < m; i++)
        {
            power *= h;
            inverseFactorial /= i + 1;
            matrix[i * m] -= power * inverseFactorial;
            matrix[((m - 1) * m) + (m - 1 - i)] -= power * inverseFactorial;
        }

        if ((2 * h) - 1 > 0)
        {
            matrix[(m - 1) * m] += Math.Pow((2 * h) - 1, m) * inverseFactorial;
        }

        var (result, exponent) = MatrixPower(matrix, m, n, k - 1);
        var p = result;
        for (var i = 1; i <= n; i++)
        {
            p = p * i / n;
            if (Math.Abs(p) < 1e-140)
            {
                p *= Math.ScaleB(1.0, 128);
                exponent -= 128;
            }
        }

        return Math.ScaleB(p, exponent);
    }

    /// <summary>Entry (<paramref name="at"/>, <paramref name="at"/>) of a square matrix to the n-th power, as a mantissa and a power of two.</summary>
    private static (double Value, int Exponent) MatrixPower(double[] matrix, int m, int n, int at)
    {
        var result = new double[m * m];
        for (var i = 0; i < m; i++)
        {
            result[(i * m) + i] = 1;
        }

        var scratch = new double[m * m];
        var square = (double[])matrix.Clone();
        int resultExponent = 0, squareExponent = 0;
        var remaining = n;
        var big = Math.ScaleB(1.0, 128);
        while (remaining > 0)
        {
            if ((remaining & 1) == 1)
            {
                Multiply(result, square, scratch, m);
                (result, scratch) = (scratch, result);
                resultExponent += squareExponent;
                if (Math.Abs(result[(at * m) + at]) > big)
                {
                    for (var i = 0; i < result.Length; i++)
                    {
                        result[i] /= big;
                    }

                    resultExponent += 128;
                }
            }

            remaining >>= 1;
            if (remaining == 0)
            {
                break;
            }

            Multiply(square, square, scratch, m);
            (square, scratch) = (scratch, square);
            squareExponent *= 2;
            if (Math.Abs(square[(at * m) + at]) > big)
            {
                for (var i = 0; i < square.Length; i++)
                {
                    square[i] /= big;
                }

                squareExponent += 128;
            }
        }

        return (result[(at * m) + at], resultExponent);
    }

    private static void Multiply(double[] a, double[] b, double[] product, int m)
    {
        Array.Clear(product);
        for (var i = 0; i < m; i++)
        {
            for (var k = 0; k < m; k++)
            {
                var aik = a[(i * m) + k];
                if (aik == 0)
                {
                    continue;
                }

                for (var j = 0; j < m; j++)
                {
                    product[(i * m) + j] += aik * b[(k * m) + j];
                }
            }
        }
    }

    /// <summary>
    /// Pr(D_n ≤ x) by Pelz and Good (1976): Li-Chien and Korolyuk's K0 + K1/√n + K2/n + K3/n^1.5 in z = x√n,
    /// each term written with Jacobi theta functions, which converge fast for small z.
    /// </summary>
    public static double PelzGoodCdf(int n, double x)
    {
        if (x <= 0)
        {
            return 0;
        }

        if (x >= 1)
        {
            return 1;
        }

        var z = Math.Sqrt(n) * x;
        var z2 = z * z;
        var z4 = z2 * z2;
        var z6 = z4 * z2;
        var logQ = -Math.PI * Math.PI / 8 / z2;
        if (logQ < -708)
        {
            return 0;
        }

        var pi2 = Math.PI * Math.PI;
        var pi4 = pi2 * pi2;
        var pi6 = pi4 * pi2;
        var sqrtTwoPi = Math.Sqrt(2 * Math.PI);
        var terms = (int)Math.Ceiling(16 * z / Math.PI);
        double k0 = 0, k1 = 0, k2 = 0, k3 = 0;
        for (var k = 1; k <= terms; k++)
        {
            var odd = (2.0 * k) - 1;
            var odd2 = odd * odd;
            var weight = Math.Exp(logQ * odd2);
            k0 += weight;
            k1 += weight * (-z2 + (pi2 / 4 * odd2));
            k2 += weight * ((6 * z6) + (2 * z4) + ((2 * z4) - (5 * z2)) * pi2 / 4 * odd2 + (pi4 * (1 - (2 * z2)) / 16 * odd2 * odd2));
            k3 += weight * ((-30 * z6) - (90 * z6 * z2) + (pi2 * ((135 * z4) - (96 * z6)) / 4 * odd2)
                + (pi4 * ((-60 * z2) + (212 * z4)) / 16 * odd2 * odd2) + (pi6 * (5 - (30 * z2)) / 64 * odd2 * odd2 * odd2));
        }

        k0 *= sqrtTwoPi / z;
        k1 *= sqrtTwoPi / (6 * z4);
        k2 *= sqrtTwoPi / (72 * z6 * z);
        k3 *= sqrtTwoPi / (6480 * z6 * z4);

        double extra2 = 0, extra3 = 0;
        var logQ2 = -pi2 / 2 / z2;
        for (var k = 1; k <= terms; k++)
        {
            var k2Squared = (double)k * k;
            var weight = Math.Exp(logQ2 * k2Squared);
            extra2 += k2Squared * weight;
            extra3 += ((3 * z2) - (pi2 * k2Squared)) * k2Squared * weight;
        }

        k2 += extra2 * pi2 * sqrtTwoPi / (-36 * z2 * z);
        k3 += extra3 * pi2 * sqrtTwoPi / (216 * z6);
        var rootN = Math.Sqrt(n);
        return k0 + (k1 / rootN) + (k2 / n) + (k3 / (n * rootN));
    }
}
