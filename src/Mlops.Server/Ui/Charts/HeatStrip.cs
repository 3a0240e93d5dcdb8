using Mlops.Server.Ui.Html;

namespace Mlops.Server.Ui.Charts;

/// <summary>A cell's state in a <see cref="HeatStrip"/>.</summary>
public enum HeatState
{
    /// <summary>No data for this cell.</summary>
    None,

    /// <summary>Compared, and not drifted.</summary>
    Ok,

    /// <summary>Too few values to tell.</summary>
    Inconclusive,

    /// <summary>Drifted: drawn red.</summary>
    Drifted,
}

/// <summary>One cell: its state and the text shown on hover (the statistic and its threshold).</summary>
/// <param name="State">The state.</param>
/// <param name="Title">The hover text.</param>
public readonly record struct HeatCell(HeatState State, string Title);

/// <summary>
/// Rows (features) by columns (windows) of coloured cells, as SVG: red where drifted. Each cell carries
/// <c>data-row</c>, <c>data-column</c> and <c>data-state</c> so tests and scripts read the chart's data,
/// and a <c>title</c> so a person reads the statistic on hover. Pages write a table with the same
/// figures beside it (the text equivalent).
/// </summary>
public static class HeatStrip
{
    private const double Cell = 22;
    private const double Gap = 2;
    private const double LabelWidth = 150;
    private const double HeaderHeight = 18;

    /// <summary>Writes the chart.</summary>
    /// <param name="w">The page.</param>
    /// <param name="label">The chart's accessible name.</param>
    /// <param name="rows">Row labels.</param>
    /// <param name="columns">Column labels (short: a window's start time).</param>
    /// <param name="cell">The cell at a row and column.</param>
    public static void Write(HtmlWriter w, string label, IReadOnlyList<string> rows, IReadOnlyList<string> columns, Func<int, int, HeatCell> cell)
    {
        ArgumentNullException.ThrowIfNull(w);
        ArgumentNullException.ThrowIfNull(rows);
        ArgumentNullException.ThrowIfNull(columns);
        ArgumentNullException.ThrowIfNull(cell);
        var width = LabelWidth + (columns.Count * (Cell + Gap)) + 10;
        var height = HeaderHeight + (rows.Count * (Cell + Gap)) + 4;
        w.Open("svg", ("xmlns", "http://www.w3.org/2000/svg"), ("class", "heat-strip"), ("role", "img"), ("aria-label", label),
            ("viewBox", $"0 0 {HtmlWriter.Coordinate(width)} {HtmlWriter.Coordinate(height)}"), ("width", HtmlWriter.Coordinate(width)), ("height", HtmlWriter.Coordinate(height)));
        for (var c = 0; c < columns.Count; c++)
        {
            // Every fourth column label, so the times do not overlap; the last one too when it has room.
            if (c % 4 == 0 || (c == columns.Count - 1 && c % 4 >= 3))
            {
                w.Element("text", columns[c], ("x", HtmlWriter.Coordinate(LabelWidth + (c * (Cell + Gap)))), ("y", "12"));
            }
        }

        for (var r = 0; r < rows.Count; r++)
        {
            var y = HeaderHeight + (r * (Cell + Gap));
            w.Element("text", rows[r], ("x", "0"), ("y", HtmlWriter.Coordinate(y + 15)));
            for (var c = 0; c < columns.Count; c++)
            {
                var value = cell(r, c);
                var state = StateName(value.State);
                w.Open("rect", ("class", "cell cell-" + state), ("x", HtmlWriter.Coordinate(LabelWidth + (c * (Cell + Gap)))), ("y", HtmlWriter.Coordinate(y)),
                        ("width", HtmlWriter.Coordinate(Cell)), ("height", HtmlWriter.Coordinate(Cell)),
                        ("data-row", rows[r]), ("data-column", columns[c]), ("data-state", state))
                    .Element("title", value.Title)
                    .Close();
            }
        }

        w.Close();
    }

    /// <summary>The word a state is written as (CSS class and <c>data-state</c>).</summary>
    /// <param name="state">The state.</param>
    public static string StateName(HeatState state) => state switch
    {
        HeatState.Drifted => "drifted",
        HeatState.Ok => "ok",
        HeatState.Inconclusive => "inconclusive",
        _ => "none",
    };
}
