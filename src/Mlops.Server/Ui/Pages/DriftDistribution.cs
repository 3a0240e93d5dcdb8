using Mlops.Runtime.Monitoring.Drift;
using Mlops.Server.Ui.Html;

namespace Mlops.Server.Ui.Pages;

/// <summary>
/// One feature's reference and current values as shares per bin, for a chart and its table. Shares
/// are of present values (missing ones are the null rates beside them), so the two sides compare
/// whatever their sizes.
/// </summary>
/// <param name="Bins">Each bin's label: a category, or a number range.</param>
/// <param name="ReferenceCounts">Reference values per bin.</param>
/// <param name="CurrentCounts">Current values per bin.</param>
public sealed record DriftDistribution(IReadOnlyList<string> Bins, IReadOnlyList<long> ReferenceCounts, IReadOnlyList<long> CurrentCounts)
{
    /// <summary>Each bin's label under a chart's bar: a range's lower edge (a histogram's axis), which fits where the range would not.</summary>
    public IReadOnlyList<string> ChartLabels { get; init; } = Bins;

    /// <summary>The bins numbers are cut into: equal widths over the reference's range.</summary>
    public const int NumberBins = 10;

    /// <summary>The categories shown by name (the most frequent on either side); the rest are one bin, <see cref="Other"/>.</summary>
    public const int ShownCategories = 8;

    /// <summary>The label of the bin of every category not shown by name.</summary>
    public const string Other = "(other)";

    /// <summary>The reference's share per bin.</summary>
    public IReadOnlyList<double> ReferenceShares => Shares(ReferenceCounts);

    /// <summary>The current data's share per bin.</summary>
    public IReadOnlyList<double> CurrentShares => Shares(CurrentCounts);

    /// <summary>Bins both sides of one feature.</summary>
    /// <param name="reference">The reference's values.</param>
    /// <param name="current">The current values of the same feature (and kind).</param>
    public static DriftDistribution For(ColumnValues reference, ColumnValues current)
    {
        ArgumentNullException.ThrowIfNull(reference);
        ArgumentNullException.ThrowIfNull(current);
        return (reference, current) switch
        {
            (NumberValues r, NumberValues c) => Numbers(r.Sorted, c.Sorted),
            (CategoryCounts r, CategoryCounts c) => Categories(r.Counts, c.Counts),
            _ => throw new ArgumentException($"Feature '{reference.Name}' is a {reference.Kind} in the reference but a {current.Kind} in the current data.", nameof(current)),
        };
    }

    /// <summary>
    /// Ten equal-width bins over the reference's range, so the reference's own shape shows (deciles
    /// would flatten it to 10 % a bin, and collapse on repeated values). A current value outside
    /// that range goes to a bin "below" or "above" it, shown only when a value falls there.
    /// </summary>
    private static DriftDistribution Numbers(double[] reference, double[] current)
    {
        if (reference.Length == 0)
        {
            // Nothing to cut at: one bin holding every current value.
            return new DriftDistribution(["all values"], [0], [current.Length]);
        }

        var low = reference[0];
        var high = reference[^1];
        var width = (high - low) / NumberBins;
        if (width <= 0 || !double.IsFinite(width))
        {
            var label = "= " + HtmlWriter.Number(low);
            var same = current.Count(v => v == low);
            var below = current.Count(v => v < low);
            var bins = new List<string> { label };
            var referenceCounts = new List<long> { reference.Length };
            var currentCounts = new List<long> { same };
            AddOutside(bins, referenceCounts, currentCounts, below, current.Length - same - below, low, high);
            return new DriftDistribution(bins, referenceCounts, currentCounts);
        }

        var edges = Enumerable.Range(0, NumberBins + 1).Select(i => i == NumberBins ? high : low + (i * width)).ToArray();
        var labels = new List<string>(NumberBins + 2);
        for (var i = 0; i < NumberBins; i++)
        {
            labels.Add($"{HtmlWriter.Number(edges[i])}–{HtmlWriter.Number(edges[i + 1])}");
        }

        var (referenceIn, _, _) = Count(reference, low, high, width);
        var (currentIn, under, over) = Count(current, low, high, width);
        var r = referenceIn.ToList();
        var c = currentIn.ToList();
        var axis = edges.Take(NumberBins).Select(e => HtmlWriter.Number(e, 3)).ToList();
        AddOutside(axis, [], [], under, over, low, high);
        AddOutside(labels, r, c, under, over, low, high);
        return new DriftDistribution(labels, r, c) { ChartLabels = axis };
    }

    private static (long[] Bins, long Below, long Above) Count(double[] values, double low, double high, double width)
    {
        var bins = new long[NumberBins];
        long below = 0, above = 0;
        foreach (var v in values)
        {
            if (v < low)
            {
                below++;
            }
            else if (v > high)
            {
                above++;
            }
            else
            {
                // The top edge belongs to the last bin, as in numpy.histogram.
                bins[Math.Min(NumberBins - 1, (int)((v - low) / width))]++;
            }
        }

        return (bins, below, above);
    }

    private static void AddOutside(List<string> bins, List<long> reference, List<long> current, long below, long above, double low, double high)
    {
        if (below > 0)
        {
            bins.Insert(0, "< " + HtmlWriter.Number(low));
            reference.Insert(0, 0);
            current.Insert(0, below);
        }

        if (above > 0)
        {
            bins.Add("> " + HtmlWriter.Number(high));
            reference.Add(0);
            current.Add(above);
        }
    }

    private static DriftDistribution Categories(IReadOnlyDictionary<string, long> reference, IReadOnlyDictionary<string, long> current)
    {
        double referenceTotal = Math.Max(1, reference.Values.Sum());
        double currentTotal = Math.Max(1, current.Values.Sum());

        // Ranked by the larger of its two shares: a category that is new in the current data and
        // frequent there is shown by name, which is where drift in categories usually is.
        var ranked = reference.Keys.Union(current.Keys, StringComparer.Ordinal)
            .Select(name => (Name: name, Share: Math.Max(reference.GetValueOrDefault(name) / referenceTotal, current.GetValueOrDefault(name) / currentTotal)))
            .OrderByDescending(c => c.Share).ThenBy(c => c.Name, StringComparer.Ordinal)
            .Select(c => c.Name)
            .ToList();
        var shown = ranked.Take(ShownCategories).ToList();
        var rest = ranked.Skip(ShownCategories).ToList();
        var bins = new List<string>(shown);
        var r = shown.Select(n => reference.GetValueOrDefault(n)).ToList();
        var c = shown.Select(n => current.GetValueOrDefault(n)).ToList();
        if (rest.Count > 0)
        {
            bins.Add(Other);
            r.Add(rest.Sum(n => reference.GetValueOrDefault(n)));
            c.Add(rest.Sum(n => current.GetValueOrDefault(n)));
        }

        return new DriftDistribution(bins, r, c);
    }

    private static double[] Shares(IReadOnlyList<long> counts)
    {
        double total = counts.Sum();
        return [.. counts.Select(n => total == 0 ? 0 : n / total)];
    }
}
