namespace Mlops.Runtime.Monitoring.Drift;

/// <summary>Whether a feature is compared as numbers or as categories.</summary>
public enum DriftKind
{
    /// <summary>Float and int features: compared by their values' distribution.</summary>
    Number,

    /// <summary>Category, bool and text features: compared by their values' frequencies.</summary>
    Category,
}

/// <summary>
/// One feature's values as the drift tests read them: a plain summary (no rows, no file), so that an
/// offline file, a prediction log and a live window are all compared by the same code.
/// </summary>
/// <param name="Name">The feature.</param>
/// <param name="Missing">Values that were missing (null, empty, NaN).</param>
public abstract record ColumnValues(string Name, long Missing)
{
    /// <summary>How the feature is compared.</summary>
    public abstract DriftKind Kind { get; }

    /// <summary>Values present (not missing).</summary>
    public abstract long Present { get; }

    /// <summary>Every value, missing ones included.</summary>
    public long Count => Present + Missing;

    /// <summary><see cref="Missing"/> / <see cref="Count"/>; 0 when there are no values.</summary>
    public double NullRate => Count == 0 ? 0 : (double)Missing / Count;
}

/// <summary>A number feature's present values, sorted ascending once, and how many were missing.</summary>
/// <param name="Name">The feature.</param>
/// <param name="Sorted">The present values, ascending, none NaN.</param>
/// <param name="Missing">Values that were missing.</param>
public sealed record NumberValues(string Name, double[] Sorted, long Missing) : ColumnValues(Name, Missing)
{
    /// <inheritdoc/>
    public override DriftKind Kind => DriftKind.Number;

    /// <inheritdoc/>
    public override long Present => Sorted.Length;

    /// <summary>Summarises values given in any order; NaN is missing.</summary>
    /// <param name="name">The feature.</param>
    /// <param name="values">The values.</param>
    public static NumberValues From(string name, ReadOnlySpan<double> values)
    {
        var present = new double[values.Length];
        var count = 0;
        foreach (var value in values)
        {
            if (!double.IsNaN(value))
            {
                present[count++] = value;
            }
        }

        Array.Resize(ref present, count);
        Array.Sort(present);
        return new NumberValues(name, present, values.Length - count);
    }

    /// <summary>
    /// Summarises float values given in any order (a row container's column; NaN is missing), with
    /// a radix sort of the floats' bits: a few passes over the values rather than n log n comparisons.
    /// </summary>
    /// <param name="name">The feature.</param>
    /// <param name="values">The values.</param>
    public static NumberValues FromFloats(string name, ReadOnlySpan<float> values)
    {
        var keys = new uint[values.Length];
        var count = 0;
        foreach (var value in values)
        {
            if (!float.IsNaN(value))
            {
                keys[count++] = SortKey(BitConverter.SingleToUInt32Bits(value));
            }
        }

        var sortedKeys = RadixSort(keys.AsSpan(0, count));
        var sorted = new double[count];
        for (var i = 0; i < count; i++)
        {
            sorted[i] = BitConverter.UInt32BitsToSingle(FromSortKey(sortedKeys[i]));
        }

        return new NumberValues(name, sorted, values.Length - count);
    }

    // Flipping the sign bit of positives and every bit of negatives orders the bits as the floats.
    private static uint SortKey(uint bits) => (bits & 0x8000_0000u) != 0 ? ~bits : bits | 0x8000_0000u;

    private static uint FromSortKey(uint key) => (key & 0x8000_0000u) != 0 ? key & 0x7FFF_FFFFu : ~key;

    /// <summary>Least significant digit first, 11 bits a pass (three passes for 32 bits).</summary>
    private static uint[] RadixSort(Span<uint> keys)
    {
        var source = keys.ToArray();
        var target = new uint[source.Length];
        var counts = new int[2048];
        for (var shift = 0; shift < 32; shift += 11)
        {
            Array.Clear(counts);
            foreach (var key in source)
            {
                counts[(int)((key >> shift) & 2047)]++;
            }

            var offset = 0;
            for (var b = 0; b < counts.Length; b++)
            {
                var c = counts[b];
                counts[b] = offset;
                offset += c;
            }

            foreach (var key in source)
            {
                target[counts[(int)((key >> shift) & 2047)]++] = key;
            }

            (source, target) = (target, source);
        }

        return source;
    }
}

/// <summary>A category feature's values by count, and how many were missing.</summary>
/// <param name="Name">The feature.</param>
/// <param name="Counts">Each present value and how often it occurs (counts above 0).</param>
/// <param name="Missing">Values that were missing.</param>
public sealed record CategoryCounts(string Name, IReadOnlyDictionary<string, long> Counts, long Missing) : ColumnValues(Name, Missing)
{
    /// <inheritdoc/>
    public override DriftKind Kind => DriftKind.Category;

    /// <inheritdoc/>
    public override long Present { get; } = Counts.Values.Sum();

    /// <summary>Counts values; null and empty are missing.</summary>
    /// <param name="name">The feature.</param>
    /// <param name="values">The values.</param>
    public static CategoryCounts From(string name, IEnumerable<string?> values)
    {
        ArgumentNullException.ThrowIfNull(values);
        var counts = new Dictionary<string, long>(StringComparer.Ordinal);
        long missing = 0;
        foreach (var value in values)
        {
            if (string.IsNullOrEmpty(value))
            {
                missing++;
            }
            else
            {
                counts[value] = counts.GetValueOrDefault(value) + 1;
            }
        }

        return new CategoryCounts(name, counts, missing);
    }
}
