using Mlops.Server.Ui.Catalog;
using Mlops.Server.Ui.Charts;
using Mlops.Server.Ui.Html;

namespace Mlops.Server.Ui.Runs;

/// <summary>
/// Runs side by side: the parameters, marked where they differ, and every metric with its delta against the first
/// run, coloured green where it moved in the metric's better direction and red where it moved in the worse one; a
/// line chart of one metric across the runs, with its figures in a table.
/// </summary>
public static class RunComparePage
{
    /// <summary>Renders the page.</summary>
    /// <param name="comparison">The runs compared.</param>
    /// <param name="metric">The metric to chart; null for the first overall holdout metric.</param>
    public static string Render(RunComparisonView comparison, string? metric)
    {
        ArgumentNullException.ThrowIfNull(comparison);
        return UiLayout.Page($"Comparing {comparison.Runs.Count} runs", w => Body(w, comparison, metric), "/runs");
    }

    private static void Body(HtmlWriter w, RunComparisonView comparison, string? chosen)
    {
        var runs = comparison.Runs;
        w.Element("p", $"Deltas are each run's value minus the first run's ({runs[0].Id}); green is better, red is worse, where the metric's direction is known.", ("class", "muted"));
        w.Element("h2", "Parameters");
        w.Open("div", ("class", "scroll")).Open("table", ("class", "compare-params"));
        Header(w, runs, "parameter");
        w.Open("tbody");
        foreach (var param in comparison.Params)
        {
            w.Open("tr", ("data-param", param.Name), ("data-differs", param.Differs ? "true" : "false"), ("class", param.Differs ? "warn" : null));
            w.Element("th", param.Differs ? param.Name + " ≠" : param.Name, ("scope", "row"));
            for (var i = 0; i < runs.Count; i++)
            {
                w.Element("td", param.Values[i] ?? "–", ("data-run", runs[i].Id));
            }

            w.Close();
        }

        w.Close().Close().Close();

        w.Element("h2", "Metrics");
        w.Open("div", ("class", "scroll")).Open("table", ("class", "compare-metrics"));
        Header(w, runs, "metric");
        w.Open("tbody");
        foreach (var compared in comparison.Metrics)
        {
            var metric = compared.Metric;
            w.Open("tr", ("data-metric", metric.Name), ("data-split", metric.Split), ("data-slice", metric.Slice));
            w.Element("th", metric.Label, ("scope", "row"));
            for (var i = 0; i < runs.Count; i++)
            {
                var value = compared.Values[i];
                var delta = compared.Deltas[i];
                w.Open("td", ("class", "num"), ("data-run", runs[i].Id), ("data-value", value is { } v ? HtmlWriter.Number(v, 17) : null),
                    ("data-delta", delta is { } dv ? HtmlWriter.Number(dv, 17) : null));
                w.Text(value is { } shown ? HtmlWriter.Number(shown) : "–");
                if (delta is { } d)
                {
                    w.Text(" ").Element("span", (d > 0 ? "+" : d < 0 ? "−" : "±") + HtmlWriter.Number(Math.Abs(d)), ("class", DeltaClass(d, metric.HigherIsBetter)));
                }

                w.Close();
            }

            w.Close();
        }

        w.Close().Close().Close();
        Chart(w, comparison, chosen);
    }

    private static void Header(HtmlWriter w, IReadOnlyList<RunView> runs, string first)
    {
        w.Open("thead").Open("tr").Element("th", first, ("scope", "col"));
        for (var i = 0; i < runs.Count; i++)
        {
            w.Open("th", ("scope", "col"), ("data-run", runs[i].Id)).Element("a", runs[i].Id, ("href", UiUrl.Run(runs[i].Id)));
            w.Text(i == 0 ? " (baseline)" : "").Close();
        }

        w.Close().Close();
    }

    private static string? DeltaClass(double delta, bool? higherIsBetter) =>
        delta == 0 || higherIsBetter is null ? null : (delta > 0) == higherIsBetter.Value ? "delta-up" : "delta-down";

    private static void Chart(HtmlWriter w, RunComparisonView comparison, string? chosen)
    {
        var overall = comparison.Metrics.Where(m => m.Metric.Slice.Length == 0 && m.Metric.Split == RunMetricView.Holdout).ToList();
        if (overall.Count == 0)
        {
            return;
        }

        var metric = overall.FirstOrDefault(m => m.Metric.Name == chosen) ?? overall[0];
        w.Element("h2", metric.Metric.Name + " across the compared runs");
        w.Open("form", ("class", "inline"), ("method", "get"), ("action", UiLayout.Root + "/runs/compare"));
        foreach (var run in comparison.Runs)
        {
            w.Empty("input", ("type", "hidden"), ("name", "run"), ("value", run.Id));
        }

        w.Element("label", "Metric", ("for", "metric")).Open("select", ("id", "metric"), ("name", "metric"));
        foreach (var m in overall)
        {
            w.Element("option", m.Metric.Name, ("value", m.Metric.Name), ("selected", m == metric ? "selected" : null));
        }

        w.Close().Element("button", "Chart", ("type", "submit")).Close();
        var points = comparison.Runs.Select((r, i) => new ChartPoint(r.Id, metric.Values[i])).ToList();
        w.Open("div", ("class", "chart"), ("data-metric", metric.Metric.Name));
        LineChart.Write(w, $"{metric.Metric.Name} of each compared run", [new ChartSeries(metric.Metric.Name, points)]);
        w.Open("table", ("class", "chart-figures")).Open("thead").Open("tr").Element("th", "run", ("scope", "col")).Element("th", metric.Metric.Name, ("scope", "col"), ("class", "num"))
            .Close().Close().Open("tbody");
        foreach (var point in points)
        {
            w.Open("tr").Element("td", point.Label).Element("td", point.Value is { } v ? HtmlWriter.Number(v) : "–", ("class", "num")).Close();
        }

        w.Close().Close().Close();
    }
}
