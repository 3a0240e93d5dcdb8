namespace Mlops.Runtime.Monitoring.Windows;

/// <summary>
/// Request latencies in logarithmic buckets (each 5 % wider than the one before, from 10 µs to about
/// 100 s), so a quantile is read to within 5 % of the true value with a fixed 330 counters, however
/// many requests a window holds. Not thread-safe: its window's lock guards it.
/// </summary>
public sealed class LatencyHistogram
{
    private const double Smallest = 1e-5;
    private const double Growth = 1.05;
    private static readonly double s_logGrowth = Math.Log(Growth);
    private readonly long[] _counts = new long[330];

    /// <summary>Latencies recorded.</summary>
    public long Count { get; private set; }

    /// <summary>Records one latency.</summary>
    /// <param name="latency">The request's time.</param>
    public void Add(TimeSpan latency)
    {
        var seconds = Math.Max(latency.TotalSeconds, Smallest);
        var bucket = (int)Math.Min(_counts.Length - 1, Math.Floor(Math.Log(seconds / Smallest) / s_logGrowth));
        _counts[bucket]++;
        Count++;
    }

    /// <summary>Adds another histogram's counts (windows combined).</summary>
    /// <param name="other">The other histogram.</param>
    public void Add(LatencyHistogram other)
    {
        ArgumentNullException.ThrowIfNull(other);
        for (var i = 0; i < _counts.Length; i++)
        {
            _counts[i] += other._counts[i];
        }

        Count += other.Count;
    }

    /// <summary>The latency at quantile <paramref name="q"/> in milliseconds (the upper edge of its bucket: never below the truth); null with no latencies.</summary>
    /// <param name="q">Between 0 and 1, for example 0.99.</param>
    public double? QuantileMs(double q)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(q, 0);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(q, 1);
        if (Count == 0)
        {
            return null;
        }

        // The rank of the quantile, as Prometheus' histogram_quantile counts it: the smallest bucket holding q of the latencies.
        var rank = Math.Max(1, (long)Math.Ceiling(q * Count));
        long seen = 0;
        for (var i = 0; i < _counts.Length; i++)
        {
            seen += _counts[i];
            if (seen >= rank)
            {
                return Smallest * Math.Pow(Growth, i + 1) * 1000;
            }
        }

        return Smallest * Math.Pow(Growth, _counts.Length) * 1000;
    }

    /// <summary>A copy.</summary>
    public LatencyHistogram Copy()
    {
        var copy = new LatencyHistogram();
        copy.Add(this);
        return copy;
    }
}
