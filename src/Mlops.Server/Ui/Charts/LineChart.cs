using Mlops.Server.Ui.Html;

namespace Mlops.Server.Ui.Charts;

/// <summary>A point of a <see cref="LineChart"/>: its label on the x axis and its value (null: a gap).</summary>
/// <param name="Label">The x label (a run id, a window's time).</param>
/// <param name="Value">The value.</param>
public readonly record struct ChartPoint(string Label, double? Value);

/// <summary>A named series of points.</summary>
/// <param name="Name">The series' name (legend).</param>
/// <param name="Points">Its points, in x order; every series of one chart has the same labels.</param>
public sealed record ChartSeries(string Name, IReadOnlyList<ChartPoint> Points);

/// <summary>
/// One or two series of values over labelled points, as SVG: a line per series and a circle per
/// point carrying <c>data-series</c>, <c>data-label</c> and <c>data-value</c> (the chart's data, for
/// tests and scripts) and a <c>title</c> on hover. Pages write the figures as a table beside it.
/// </summary>
public static class LineChart
{
    private const double Width = 640;
    private const double Height = 200;
    private const double Left = 56;
    private const double Bottom = 28;
    private const double Top = 12;

    /// <summary>Writes the chart.</summary>
    /// <param name="w">The page.</param>
    /// <param name="label">The chart's accessible name.</param>
    /// <param name="series">The series.</param>
    public static void Write(HtmlWriter w, string label, IReadOnlyList<ChartSeries> series)
    {
        ArgumentNullException.ThrowIfNull(w);
        ArgumentNullException.ThrowIfNull(series);
        var values = series.SelectMany(s => s.Points).Where(p => p.Value is { } v && double.IsFinite(v)).Select(p => p.Value!.Value).ToList();
        var count = series.Count == 0 ? 0 : series.Max(s => s.Points.Count);
        var (min, max) = values.Count == 0 ? (0d, 1d) : (values.Min(), values.Max());
        if (max - min < 1e-12)
        {
            (min, max) = (min - 0.5, max + 0.5);
        }

        w.Open("svg", ("xmlns", "http://www.w3.org/2000/svg"), ("class", "line-chart"), ("role", "img"), ("aria-label", label),
            ("viewBox", $"0 0 {Width} {Height}"), ("width", HtmlWriter.Coordinate(Width)), ("height", HtmlWriter.Coordinate(Height)));
        w.Empty("line", ("class", "axis"), ("x1", HtmlWriter.Coordinate(Left)), ("y1", HtmlWriter.Coordinate(Height - Bottom)), ("x2", HtmlWriter.Coordinate(Width)), ("y2", HtmlWriter.Coordinate(Height - Bottom)));
        w.Empty("line", ("class", "axis"), ("x1", HtmlWriter.Coordinate(Left)), ("y1", HtmlWriter.Coordinate(Top)), ("x2", HtmlWriter.Coordinate(Left)), ("y2", HtmlWriter.Coordinate(Height - Bottom)));
        w.Element("text", HtmlWriter.Number(max), ("x", "2"), ("y", HtmlWriter.Coordinate(Top + 8)));
        w.Element("text", HtmlWriter.Number(min), ("x", "2"), ("y", HtmlWriter.Coordinate(Height - Bottom)));
        for (var s = 0; s < series.Count; s++)
        {
            var points = series[s].Points;
            var path = new List<string>();
            for (var i = 0; i < points.Count; i++)
            {
                if (points[i].Value is not { } v || !double.IsFinite(v))
                {
                    continue;
                }

                var x = X(i, count);
                var y = Top + ((max - v) / (max - min) * (Height - Bottom - Top));
                path.Add(HtmlWriter.Coordinate(x) + "," + HtmlWriter.Coordinate(y));
            }

            if (path.Count > 1)
            {
                w.Empty("polyline", ("class", "line series-" + (s % 2)), ("points", string.Join(' ', path)));
            }

            for (var i = 0; i < points.Count; i++)
            {
                if (points[i].Value is not { } v || !double.IsFinite(v))
                {
                    continue;
                }

                var y = Top + ((max - v) / (max - min) * (Height - Bottom - Top));
                w.Open("circle", ("class", "point series-" + (s % 2)), ("cx", HtmlWriter.Coordinate(X(i, count))), ("cy", HtmlWriter.Coordinate(y)), ("r", "3.5"),
                        ("data-series", series[s].Name), ("data-label", points[i].Label), ("data-value", HtmlWriter.Number(v, 17)))
                    .Element("title", $"{series[s].Name} at {points[i].Label}: {HtmlWriter.Number(v)}")
                    .Close();
            }
        }

        for (var i = 0; i < count; i++)
        {
            if (count <= 12 || i % (count / 12 + 1) == 0)
            {
                var labelText = series.Select(s => i < s.Points.Count ? s.Points[i].Label : null).FirstOrDefault(l => l is not null) ?? "";
                w.Element("text", Shorten(labelText), ("x", HtmlWriter.Coordinate(X(i, count) - 14)), ("y", HtmlWriter.Coordinate(Height - 10)));
            }
        }

        w.Close();
    }

    private static double X(int index, int count) =>
        count <= 1 ? Left + ((Width - Left) / 2) : Left + 10 + (index * (Width - Left - 30) / (count - 1));

    private static string Shorten(string text) => text.Length <= 10 ? text : text[..9] + "…";
}
