using Mlops.Server.Ui.Html;

namespace Mlops.Server.Ui.Charts;

/// <summary>
/// Shares per bin or category for one or two series side by side (the current data against the
/// reference), as SVG: each bar carries <c>data-series</c>, <c>data-bin</c> and <c>data-value</c> and a
/// hover <c>title</c>. Pages write the shares as a table beside it.
/// </summary>
public static class BarChart
{
    private const double Height = 160;
    private const double Bottom = 34;
    private const double Top = 8;
    private const double Left = 8;

    /// <summary>Writes the chart.</summary>
    /// <param name="w">The page.</param>
    /// <param name="label">The chart's accessible name.</param>
    /// <param name="bins">The bins' labels.</param>
    /// <param name="series">Each series' name and its share per bin (0 to 1), one value per bin.</param>
    public static void Write(HtmlWriter w, string label, IReadOnlyList<string> bins, IReadOnlyList<(string Name, IReadOnlyList<double> Shares)> series)
    {
        ArgumentNullException.ThrowIfNull(w);
        ArgumentNullException.ThrowIfNull(bins);
        ArgumentNullException.ThrowIfNull(series);
        var barWidth = series.Count <= 1 ? 18.0 : 10.0;
        // Wide enough for the bin's label (at most 8 characters are written) not to run into the next.
        var longest = Math.Min(8, bins.Select(b => b.Length).DefaultIfEmpty(0).Max());
        var group = Math.Max((barWidth * Math.Max(1, series.Count)) + 8, (longest * 6.5) + 6);
        var width = Left + (bins.Count * group) + 8;
        var max = Math.Max(1e-9, series.SelectMany(s => s.Shares).DefaultIfEmpty(0).Max());
        // No xmlns: inline SVG in HTML needs none, and the drift report file holds no address at all.
        w.Open("svg", ("class", "bar-chart"), ("role", "img"), ("aria-label", label),
            ("viewBox", $"0 0 {HtmlWriter.Coordinate(width)} {Height}"), ("width", HtmlWriter.Coordinate(width)), ("height", HtmlWriter.Coordinate(Height)));
        for (var b = 0; b < bins.Count; b++)
        {
            for (var s = 0; s < series.Count; s++)
            {
                var share = b < series[s].Shares.Count ? series[s].Shares[b] : 0;
                var h = share / max * (Height - Bottom - Top);
                var x = Left + (b * group) + (s * barWidth);
                w.Open("rect", ("class", "bar series-" + (s % 2)), ("x", HtmlWriter.Coordinate(x)), ("y", HtmlWriter.Coordinate(Height - Bottom - h)),
                        ("width", HtmlWriter.Coordinate(barWidth - 1)), ("height", HtmlWriter.Coordinate(h)),
                        ("data-series", series[s].Name), ("data-bin", bins[b]), ("data-value", HtmlWriter.Number(share, 17)))
                    .Element("title", $"{series[s].Name}, {bins[b]}: {HtmlWriter.Number(share * 100, 3)} %")
                    .Close();
            }

            w.Element("text", bins[b].Length <= 8 ? bins[b] : bins[b][..7] + "…", ("x", HtmlWriter.Coordinate(Left + (b * group))), ("y", HtmlWriter.Coordinate(Height - Bottom + 14)));
        }

        w.Close();
    }
}
