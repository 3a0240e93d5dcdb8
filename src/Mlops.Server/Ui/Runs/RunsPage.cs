using Mlops.Server.Ui.Catalog;
using Mlops.Server.Ui.Charts;
using Mlops.Server.Ui.Html;

namespace Mlops.Server.Ui.Runs;

/// <summary>What the runs page was asked for: <c>/ui/runs?model=M&amp;filter=F&amp;sort=KEY&amp;dir=asc|desc&amp;metric=NAME</c>.</summary>
/// <param name="Model">Only this model's runs; null for every model.</param>
/// <param name="Filter">The filter as typed (<see cref="RunFilter"/>).</param>
/// <param name="Sort">The column key to sort by; null for the start time.</param>
/// <param name="Descending">Whether the sort is descending.</param>
/// <param name="Metric">The metric to chart; null for the first metric column.</param>
public sealed record RunsQuery(string? Model, string? Filter, string? Sort, bool Descending, string? Metric)
{
    /// <summary>The default: newest first, nothing filtered.</summary>
    public static RunsQuery Default { get; } = new(null, null, null, true, null);
}

/// <summary>
/// MLflow's experiment table for the runs of a model: one row per run, its parameters and overall holdout metrics as
/// columns, sortable by a link on each header, filtered by a GET form, with a checkbox per run for the compare
/// page, and a line chart of one metric across the listed runs (oldest to newest) with its figures in a table.
/// </summary>
public static class RunsPage
{
    /// <summary>The metrics the chart shows unless another is chosen, in order of preference: each task's usual headline.</summary>
    public static IReadOnlyList<string> HeadlineMetrics { get; } = ["auc", "microAccuracy", "rSquared", "accuracy"];

    /// <summary>Renders the page.</summary>
    /// <param name="query">What was asked for.</param>
    /// <param name="runs">The runs read from the catalog (every model's when <see cref="RunsQuery.Model"/> is null).</param>
    /// <param name="source">Where they were read from, for the footnote.</param>
    public static string Render(RunsQuery query, IReadOnlyList<RunView> runs, string source)
    {
        ArgumentNullException.ThrowIfNull(query);
        ArgumentNullException.ThrowIfNull(runs);
        var title = query.Model is null ? "Runs" : "Runs of " + query.Model;
        return UiLayout.Page(title, w => Body(w, query, runs, source), "/runs");
    }

    private static void Body(HtmlWriter w, RunsQuery query, IReadOnlyList<RunView> all, string source)
    {
        var models = all.Select(r => r.Model).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToList();
        if (models.Count > 1 || query.Model is not null)
        {
            w.Open("p", ("class", "models")).Text("Models: ");
            w.Element("a", "all", ("href", UiUrl.To("/runs")), ("aria-current", query.Model is null ? "page" : null));
            foreach (var model in models)
            {
                w.Text(" · ").Element("a", model, ("href", UiUrl.To("/runs", ("model", model))), ("aria-current", model == query.Model ? "page" : null));
            }

            w.Close();
        }

        var filter = RunFilter.Parse(query.Filter);
        FilterForm(w, query);
        foreach (var error in filter.Errors)
        {
            w.Element("p", "Filter not applied: " + error, ("class", "bad"), ("data-filter-error", ""));
        }

        foreach (var name in filter.UnknownNames(all))
        {
            w.Element("p", $"No run has a parameter or metric '{name}'; see the column headers for the names.", ("class", "warn"));
        }

        var columns = RunColumn.For(all);
        if (query.Model is null && models.Count > 1)
        {
            columns = [columns[0], new RunColumn("model", "model", RunColumnKind.Attribute, "model"), .. columns.Skip(1)];
        }

        var sort = columns.FirstOrDefault(c => c.Key == query.Sort) ?? columns.First(c => c.Key == "started");
        var descending = query.Sort is null || sort.Key != query.Sort ? true : query.Descending;
        var runs = Sorted(all.Where(filter.Matches), sort, descending);
        w.Element("p", $"{runs.Count} of {all.Count} run(s), sorted by {sort.Label} {(descending ? "descending" : "ascending")}, from {source}.", ("class", "muted"), ("data-count", runs.Count.ToString(System.Globalization.CultureInfo.InvariantCulture)));
        if (all.Count == 0)
        {
            w.Element("p", query.Model is null
                ? "No runs are recorded yet. Train a model (mlops train) and its run shows here."
                : $"No runs of model '{query.Model}' are recorded yet. Train it (mlops train {query.Model}) and its run shows here.");
            return;
        }

        w.Open("form", ("method", "get"), ("action", UiLayout.Root + "/runs/compare"));
        w.Open("div", ("class", "scroll")).Open("table", ("class", "runs")).Open("thead").Open("tr");
        w.Element("th", "compare", ("scope", "col"));
        foreach (var column in columns)
        {
            var active = column.Key == sort.Key;
            var next = active && !descending ? "desc" : active ? "asc" : column.Kind == RunColumnKind.Metric ? "desc" : "asc";
            w.Open("th", ("scope", "col"), ("class", column.Kind == RunColumnKind.Attribute && column.Name is "id" or "status" or "model" ? null : "num"),
                ("data-column", column.Key), ("aria-sort", active ? (descending ? "descending" : "ascending") : null));
            w.Element("a", column.Label + (active ? (descending ? " ▼" : " ▲") : ""),
                ("href", UiUrl.To("/runs", ("model", query.Model), ("filter", query.Filter), ("sort", column.Key), ("dir", next), ("metric", query.Metric))));
            w.Close();
        }

        w.Close().Close().Open("tbody");
        foreach (var run in runs)
        {
            w.Open("tr", ("data-run", run.Id), ("data-status", run.Status));
            w.Open("td").Empty("input", ("type", "checkbox"), ("name", "run"), ("value", run.Id), ("aria-label", "compare " + run.Id)).Close();
            foreach (var column in columns)
            {
                var (text, number) = column.Key == "model" ? (run.Model, null) : column.Value(run);
                if (column.Key == "id")
                {
                    w.Open("td", ("data-column", column.Key)).Element("a", run.Id, ("href", UiUrl.Run(run.Id))).Close();
                    continue;
                }

                w.Element("td", text ?? "", ("data-column", column.Key), ("data-value", number is { } n ? HtmlWriter.Number(n, 17) : text),
                    ("class", column.Key == "status" ? StatusClass(run.Status) : column.Key is "started" or "duration" ? "num nowrap" : number is null ? null : "num"));
            }

            w.Close();
        }

        w.Close().Close().Close();
        w.Element("button", "Compare selected runs", ("type", "submit"));
        w.Close();
        Chart(w, query, columns, runs);
    }

    private static void FilterForm(HtmlWriter w, RunsQuery query)
    {
        w.Open("form", ("class", "inline filter"), ("method", "get"), ("action", UiLayout.Root + "/runs"));
        Hidden(w, "model", query.Model);
        Hidden(w, "sort", query.Sort);
        Hidden(w, "dir", query.Sort is null ? null : query.Descending ? "desc" : "asc");
        Hidden(w, "metric", query.Metric);
        w.Element("label", "Filter", ("for", "filter"));
        w.Empty("input", ("type", "search"), ("id", "filter"), ("name", "filter"), ("value", query.Filter ?? ""), ("size", "48"),
            ("placeholder", "trainer=lightgbm auc>0.8 status!=failed"));
        w.Element("button", "Apply", ("type", "submit"));
        w.Element("a", "clear", ("href", UiUrl.To("/runs", ("model", query.Model), ("sort", query.Sort), ("dir", query.Sort is null ? null : query.Descending ? "desc" : "asc"))));
        w.Element("span", "NAME=VALUE, != > >= < <=, ~ (contains), or a word; all must hold.", ("class", "muted"));
        w.Close();
    }

    private static void Hidden(HtmlWriter w, string name, string? value)
    {
        if (!string.IsNullOrEmpty(value))
        {
            w.Empty("input", ("type", "hidden"), ("name", name), ("value", value));
        }
    }

    private static void Chart(HtmlWriter w, RunsQuery query, IReadOnlyList<RunColumn> columns, IReadOnlyList<RunView> runs)
    {
        var metrics = columns.Where(c => c.Kind == RunColumnKind.Metric).ToList();
        if (metrics.Count == 0 || runs.Count == 0)
        {
            return;
        }

        var metric = metrics.FirstOrDefault(m => m.Name == query.Metric)
            ?? HeadlineMetrics.Select(name => metrics.FirstOrDefault(m => m.Name == name)).FirstOrDefault(m => m is not null)
            ?? metrics[0];
        w.Element("h2", $"{metric.Name} across these runs (oldest to newest)");
        w.Open("form", ("class", "inline"), ("method", "get"), ("action", UiLayout.Root + "/runs"));
        Hidden(w, "model", query.Model);
        Hidden(w, "filter", query.Filter);
        Hidden(w, "sort", query.Sort);
        Hidden(w, "dir", query.Sort is null ? null : query.Descending ? "desc" : "asc");
        w.Element("label", "Metric", ("for", "metric"));
        w.Open("select", ("id", "metric"), ("name", "metric"));
        foreach (var m in metrics)
        {
            w.Element("option", m.Name, ("value", m.Name), ("selected", m == metric ? "selected" : null));
        }

        w.Close().Element("button", "Chart", ("type", "submit")).Close();
        var ordered = runs.OrderBy(r => r.StartedAt).ThenBy(r => r.Id, StringComparer.Ordinal).ToList();
        var points = ordered.Select(r => new ChartPoint(r.Id, r.HoldoutMetric(metric.Name)?.Value)).ToList();
        w.Open("div", ("class", "chart"), ("data-metric", metric.Name));
        LineChart.Write(w, $"{metric.Name} of each run, oldest to newest", [new ChartSeries(metric.Name, points)]);
        w.Open("details").Element("summary", "The chart's figures");
        w.Open("table", ("class", "chart-figures")).Open("thead").Open("tr").Element("th", "run", ("scope", "col")).Element("th", metric.Name, ("scope", "col"), ("class", "num")).Close().Close().Open("tbody");
        foreach (var point in points)
        {
            w.Open("tr").Element("td", point.Label).Element("td", point.Value is { } v ? HtmlWriter.Number(v) : "", ("class", "num")).Close();
        }

        w.Close().Close().Close().Close();
    }

    /// <summary>Sorts runs by a column; runs without a value come last either way, and ties keep the newest first.</summary>
    private static List<RunView> Sorted(IEnumerable<RunView> runs, RunColumn column, bool descending)
    {
        var keyed = runs.Select(r => (Run: r, Value: column.Key == "model" ? (r.Model, (double?)null) : column.Value(r))).ToList();
        keyed.Sort((x, y) =>
        {
            var (xt, xn) = x.Value;
            var (yt, yn) = y.Value;
            if (xt is null || yt is null)
            {
                return xt is null && yt is null ? 0 : xt is null ? 1 : -1;
            }

            var order = xn is { } a && yn is { } b ? a.CompareTo(b) : string.Compare(xt, yt, StringComparison.OrdinalIgnoreCase);
            order = descending ? -order : order;
            return order != 0 ? order : string.CompareOrdinal(y.Run.Id, x.Run.Id);
        });
        return [.. keyed.Select(k => k.Run)];
    }

    internal static string StatusClass(string status) => status switch
    {
        "succeeded" => "ok",
        "running" => "warn",
        _ => "bad",
    };
}
