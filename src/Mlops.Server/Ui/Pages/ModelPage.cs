using System.Globalization;
using Mlops.Declarations.FeatureSets;
using Mlops.Runtime.Monitoring;
using Mlops.Runtime.Monitoring.Drift;
using Mlops.Runtime.Monitoring.Windows;
using Mlops.Server.Ui.Charts;
using Mlops.Server.Ui.Html;

namespace Mlops.Server.Ui.Pages;

/// <summary>
/// One served version of a model: drift per feature across the monitor's kept windows (a heat strip
/// and, for the open window, a table with the same figures), the windows' traffic, null rates per
/// feature, the prediction distribution against the reference, live metrics beside the training
/// ones, and categories never seen in the reference. A feature marked <c>sensitive</c> shows its
/// statistics, never its values.
/// </summary>
public static class ModelPage
{
    /// <summary>How many categories never seen in the reference are listed per feature.</summary>
    public const int UnseenShown = 5;

    /// <summary>The one metric given a 95 % interval: a share of independent labelled predictions, so the Wilson score interval fits.</summary>
    public const string IntervalMetric = "accuracy";

    private static readonly CultureInfo s_invariant = CultureInfo.InvariantCulture;

    /// <summary>Renders the page.</summary>
    /// <param name="input">The version's figures.</param>
    public static string Render(ModelPageInput input)
    {
        ArgumentNullException.ThrowIfNull(input);
        return UiLayout.Page($"{input.Model} v{input.Version} ({input.Role})", w => Body(w, input));
    }

    /// <summary>The page for a model the server does not serve: says which models it does.</summary>
    /// <param name="name">The model asked for.</param>
    /// <param name="served">The models served.</param>
    public static string NotServed(string name, IReadOnlyCollection<string> served)
    {
        ArgumentNullException.ThrowIfNull(served);
        return UiLayout.Page("Model not served", w =>
        {
            w.Open("p").Text("This server does not serve a model named ").Element("code", name).Text(". ")
                .Text(served.Count == 0 ? "It serves no model at all: check the environment file's models." : "It serves:").Close();
            if (served.Count > 0)
            {
                w.Open("ul", ("class", "served-models"));
                foreach (var model in served.Order(StringComparer.Ordinal))
                {
                    w.Open("li").Element("a", model, ("href", $"{UiLayout.Root}/models/{Uri.EscapeDataString(model)}")).Close();
                }

                w.Close();
            }
        });
    }

    private static void Body(HtmlWriter w, ModelPageInput input)
    {
        if (input.Description is { Length: > 0 } description)
        {
            w.Element("p", description, ("class", "description"));
        }

        w.Open("p", ("class", "versions")).Text("Served: ");
        foreach (var (served, i) in input.Served.Select((s, i) => (s, i)))
        {
            var current = served.Version == input.Version && served.Role == input.Role;
            w.Text(i == 0 ? "" : ", ").Element("a", $"v{served.Version} ({served.Role})",
                ("href", $"{UiLayout.Root}/models/{Uri.EscapeDataString(input.Model)}?version={served.Version.ToString(s_invariant)}&role={served.Role}"),
                ("aria-current", current ? "page" : null));
        }

        w.Close();
        var history = input.History;
        if (history is null)
        {
            w.Element("p", "The monitor has not watched this version yet (no evaluation since it was loaded, or monitoring is off: Mlops:Monitoring:Enabled).", ("class", "muted"));
            Metrics(w, input);
            return;
        }

        Windows(w, history);
        Drift(w, input, history);
        NullRates(w, input, history);
        Predictions(w, input, history.Open.Figures);
        Metrics(w, input);
        Unseen(w, input, history.Open.Figures);
    }

    private static void Windows(HtmlWriter w, VersionHistory history)
    {
        w.Element("h2", "Windows");
        Table(w, "windows", ["window", "start (UTC)", "end (UTC)", "rows", "requests", "p50 ms", "p99 ms", "failed", "drifted features"], numeric: 3, numericTo: 7);
        foreach (var window in history.Windows)
        {
            w.Open("tr", ("data-start", Iso(window.Start)), ("data-rows", window.Rows.ToString(s_invariant)), ("data-open", window.IsOpen ? "true" : "false"))
                .Element("td", window.IsOpen ? "open" : "closed")
                .Element("td", Time(window.Start)).Element("td", Time(window.End))
                .Element("td", window.Rows.ToString("N0", s_invariant), ("class", "num"))
                .Element("td", window.Requests.ToString("N0", s_invariant), ("class", "num"))
                .Element("td", Optional(window.P50LatencyMs), ("class", "num"))
                .Element("td", Optional(window.P99LatencyMs), ("class", "num"))
                .Element("td", window.ErrorRate is { } e ? Percent(e) : "–", ("class", "num"));
            var drifted = window.Drift.Where(d => d.Drifted).Select(d => d.Feature).ToList();
            w.Element("td", window.Drift.Count == 0 ? "not judged" : drifted.Count == 0 ? "none" : string.Join(", ", drifted), ("class", drifted.Count > 0 ? "drifted" : null))
                .Close();
        }

        w.Close().Close();
    }

    private static void Drift(HtmlWriter w, ModelPageInput input, VersionHistory history)
    {
        w.Element("h2", "Drift per feature and window");
        if (!history.HasReference)
        {
            w.Element("p", "This version's bundle has no reference sample (it was packaged before bundles kept one), so drift is not judged. Package the model again to watch it.", ("class", "muted"));
            return;
        }

        var columns = history.Windows.Select(x => ColumnLabel(history, x.Start)).ToList();
        var byWindow = history.Windows.Select(x => x.Drift.ToDictionary(d => d.Feature, StringComparer.Ordinal)).ToList();
        var rows = input.Features.Select(f => f.Name).ToList();
        HeatStrip.Write(w, "Drift of each feature (rows) in each window (columns, oldest first); red where drifted", rows, columns, (r, c) =>
        {
            var window = history.Windows[c];
            return byWindow[c].TryGetValue(rows[r], out var status)
                ? new HeatCell(StateOf(status), $"{rows[r]}, window from {Time(window.Start)}: {Describe(status)}")
                : new HeatCell(HeatState.None, $"{rows[r]}, window from {Time(window.Start)}: {(window.Rows == 0 ? "no rows" : "not compared")}");
        });
        w.Element("p", "Red: drifted; yellow: too few values to tell; green: compared and not drifted; grey: no rows. Hover a cell for its statistic.", ("class", "muted"));

        var open = history.Open;
        w.Element("h3", $"Open window, from {Time(open.Start)} to {Time(open.End)} UTC ({open.Rows.ToString("N0", s_invariant)} rows)");
        if (open.Drift.Count == 0)
        {
            w.Element("p", "No rows in the open window yet.", ("class", "muted"));
            return;
        }

        w.Open("p").Element("a", "Download the open window's drift report", ("class", "drift-report"),
                ("href", $"{UiLayout.Root}/models/{Uri.EscapeDataString(input.Model)}/drift-report?version={input.Version.ToString(s_invariant)}&role={Uri.EscapeDataString(input.Role)}"))
            .Text(" (one self-contained HTML file, as mlops report drift writes, to attach to a pull request or an incident).").Close();

        Table(w, "drift", ["feature", "state", "method", "statistic", "p-value", "threshold", "reference null rate", "window null rate"], numeric: 3);
        foreach (var status in open.Drift)
        {
            var state = HeatStrip.StateName(StateOf(status));
            w.Open("tr", ("data-feature", status.Feature))
                .Element("td", status.Feature)
                .Element("td", state, ("data-state", state), ("class", status.Drifted ? "drifted" : null))
                .Element("td", status.Method)
                .Element("td", Optional(status.Statistic), ("class", "num"))
                .Element("td", Optional(status.PValue), ("class", "num"))
                .Element("td", HtmlWriter.Number(status.Threshold), ("class", "num"))
                .Element("td", Percent(status.ReferenceNullRate), ("class", "num"))
                .Element("td", Percent(status.CurrentNullRate), ("class", "num"))
                .Close();
        }

        w.Close().Close();
    }

    private static void NullRates(HtmlWriter w, ModelPageInput input, VersionHistory history)
    {
        w.Element("h2", "Null rates per feature and window");
        var reference = (input.Reference ?? []).ToDictionary(r => r.Name, r => r.NullRate, StringComparer.Ordinal);
        w.Open("table", ("class", "null-rates")).Open("thead").Open("tr").Element("th", "feature", ("scope", "col")).Element("th", "reference", ("scope", "col"), ("class", "num"));
        foreach (var window in history.Windows)
        {
            w.Element("th", ColumnLabel(history, window.Start), ("scope", "col"), ("class", "num"));
        }

        w.Close().Close().Open("tbody");
        for (var f = 0; f < input.Features.Count; f++)
        {
            var name = input.Features[f].Name;
            w.Open("tr", ("data-feature", name)).Element("td", name)
                .Element("td", reference.TryGetValue(name, out var rate) ? Percent(rate) : "–", ("class", "num"));
            foreach (var window in history.Windows)
            {
                var column = Column(window.Figures.Features, name, f);
                w.Element("td", column is null || column.Rows == 0 ? "–" : Percent(column.NullRate), ("class", "num"));
            }

            w.Close();
        }

        w.Close().Close();
    }

    private static void Predictions(HtmlWriter w, ModelPageInput input, WindowFigures open)
    {
        w.Element("h2", "Predictions in the open window");
        if (open.Predictions.Count == 0 || open.Rows == 0)
        {
            w.Element("p", "No predictions in the open window yet.", ("class", "muted"));
            return;
        }

        var profiles = input.Profile?.Predictions ?? [];
        foreach (var column in open.Predictions)
        {
            if (column.Kind == DriftKind.Number)
            {
                var profile = profiles.FirstOrDefault(p => p.Name == column.Name)?.Numeric?.Histogram;
                var (bins, current, reference) = profile is null ? FixedBins(column) : ReferenceBins(column, profile);
                var sentence = profile is null
                    ? $"The bundle has no reference profile of {column.Name}, so only the open window's distribution is shown."
                    : $"{column.Name} in the reference's bins (cut at its deciles, so each holds about a tenth of the holdout's predictions) against the open window's.";
                Distribution(w, column.Name, sentence, bins, current, reference);
            }
            else
            {
                // The profile calls the label column predictedLabel, the windows predicted.
                var profile = profiles.FirstOrDefault(p => p.Name is "predictedLabel" or "predicted")?.Categorical;
                var total = Math.Max(1, column.Counts.Values.Sum());
                var present = profile is null ? 0 : Math.Max(1, profile.Values.Sum(v => v.Count) + profile.OtherCount);
                var classes = (profile?.Values.Select(v => v.Value) ?? []).Concat(column.Counts.Keys.Order(StringComparer.Ordinal)).Distinct(StringComparer.Ordinal).ToList();
                var current = classes.Select(c => (double)column.Counts.GetValueOrDefault(c) / total).ToList();
                var reference = profile is null ? null : classes.Select(c => (double)(profile.Values.FirstOrDefault(v => v.Value == c)?.Count ?? 0) / present).ToList();
                Distribution(w, column.Name, profile is null ? $"The bundle has no reference profile of the predicted classes, so only the open window's are shown." : "The predicted classes in the holdout (reference) and in the open window.", classes, current, reference);
            }
        }
    }

    private static void Distribution(HtmlWriter w, string name, string sentence, IReadOnlyList<string> bins, IReadOnlyList<double> current, IReadOnlyList<double>? reference)
    {
        w.Element("h3", name);
        w.Element("p", sentence + (reference is null ? "" : " Blue bars: the reference; gold bars: the open window."), ("class", "muted"));
        IReadOnlyList<(string, IReadOnlyList<double>)> series = reference is null ? [("window", current)] : [("reference", reference), ("window", current)];
        BarChart.Write(w, $"Distribution of {name}", bins, series);
        w.Open("table", ("class", "distribution"), ("data-column", name)).Open("thead").Open("tr").Element("th", "bin", ("scope", "col"));
        if (reference is not null)
        {
            w.Element("th", "reference %", ("scope", "col"), ("class", "num"));
        }

        w.Element("th", "window %", ("scope", "col"), ("class", "num")).Close().Close().Open("tbody");
        for (var b = 0; b < bins.Count; b++)
        {
            w.Open("tr", ("data-bin", bins[b])).Element("td", bins[b]);
            if (reference is not null)
            {
                w.Element("td", Percent(reference[b]), ("class", "num"));
            }

            w.Element("td", Percent(current[b]), ("class", "num")).Close();
        }

        w.Close().Close();
    }

    private static (List<string> Bins, List<double> Current, List<double> Reference) ReferenceBins(ColumnFigures column, Histogram histogram)
    {
        var edges = histogram.Edges;
        var bins = Enumerable.Range(0, edges.Count + 1)
            .Select(i => i < edges.Count ? "≤" + HtmlWriter.Number(edges[i], 2) : ">" + HtmlWriter.Number(edges[^1], 2))
            .ToList();
        var counts = new long[edges.Count + 1];
        foreach (var value in column.Sample)
        {
            counts[histogram.BinOf(value)]++;
        }

        var sampled = Math.Max(1, column.Sample.Count);
        var total = Math.Max(1, histogram.Counts.Sum());
        return (bins, [.. counts.Select(c => (double)c / sampled)], [.. histogram.Counts.Select(c => (double)c / total)]);
    }

    private static (List<string> Bins, List<double> Current, List<double>? Reference) FixedBins(ColumnFigures column)
    {
        // Probabilities in tenths; a score in ten equal parts of the window's range.
        var (low, high) = column.Name == "probability" || column.Sample.Count == 0 ? (0.0, 1.0) : (column.Sample.Min(), column.Sample.Max());
        var width = Math.Max(1e-12, (high - low) / 10);
        var counts = new long[10];
        foreach (var value in column.Sample)
        {
            counts[Math.Clamp((int)((value - low) / width), 0, 9)]++;
        }

        var sampled = Math.Max(1, column.Sample.Count);
        var bins = Enumerable.Range(0, 10).Select(i => "<" + HtmlWriter.Number(low + ((i + 1) * width), 2)).ToList();
        bins[^1] = "≤" + HtmlWriter.Number(high, 2);
        return (bins, [.. counts.Select(c => (double)c / sampled)], null);
    }

    private static void Metrics(HtmlWriter w, ModelPageInput input)
    {
        w.Element("h2", "Quality: live against training");
        var feedback = input.Live.TryGetValue("feedback", out var n) ? (long)n : 0;
        w.Element("p", $"Live metrics come from the labelled predictions (POST /feedback) of the open window: {feedback.ToString("N0", s_invariant)} so far. Training metrics are the holdout's, from the bundle.", ("class", "muted"), ("data-feedback", feedback.ToString(s_invariant)));
        var names = input.Training.Keys.Concat(input.Live.Keys.Where(k => !LiveMonitor.ServiceFigures.Contains(k))).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToList();
        Table(w, "metrics", ["metric", "training (holdout)", "live (window)", "live 95 % interval"], numeric: 1);
        foreach (var name in names)
        {
            var live = input.Live.TryGetValue(name, out var value) ? value : (double?)null;
            var interval = name == IntervalMetric && live is { } share && feedback > 0 ? Wilson(share, feedback) : ((double, double)?)null;
            w.Open("tr", ("data-metric", name)).Element("td", name)
                .Element("td", input.Training.TryGetValue(name, out var trained) ? HtmlWriter.Number(trained) : "–", ("class", "num"))
                .Element("td", Optional(live), ("class", "num"), ("data-value", live is { } v ? HtmlWriter.Number(v, 17) : null))
                .Element("td", interval is { } i ? $"{HtmlWriter.Number(i.Item1)} – {HtmlWriter.Number(i.Item2)}" : "–", ("class", "num"))
                .Close();
        }

        w.Close().Close();
        w.Element("p", "Only accuracy gets an interval (Wilson's, for a share of independent predictions); AUC, F1, precision and recall have none with a closed form this page could state without assumptions.", ("class", "muted"));
    }

    private static void Unseen(HtmlWriter w, ModelPageInput input, WindowFigures open)
    {
        var categories = input.Features.Select((f, i) => (Feature: f, Index: i)).Where(f => f.Feature.Type == FeatureType.Category).ToList();
        if (categories.Count == 0)
        {
            return;
        }

        w.Element("h2", "Categories never seen in the reference (open window)");
        var reference = (input.Reference ?? []).OfType<CategoryCounts>().ToDictionary(c => c.Name, StringComparer.Ordinal);
        Table(w, "unseen", ["feature", $"most frequent values not in the {(input.Reference is null ? "declared categories" : "reference")} (rows)", "share of the window's values"], numeric: 0);
        foreach (var (feature, index) in categories)
        {
            w.Open("tr", ("data-feature", feature.Name)).Element("td", feature.Name);
            if (feature.Sensitive != FeatureSensitivity.None)
            {
                w.Element("td", $"not shown: the feature is marked sensitive ({feature.Sensitive.ToString().ToLowerInvariant()})", ("class", "muted")).Element("td", "").Close();
                continue;
            }

            var column = Column(open.Features, feature.Name, index);
            var known = reference.TryGetValue(feature.Name, out var counts) ? counts.Counts.Keys.ToHashSet(StringComparer.Ordinal) : feature.Declared.ToHashSet(StringComparer.Ordinal);
            var unseen = (column?.Counts ?? new Dictionary<string, long>()).Where(c => !known.Contains(c.Key)).ToList();
            var top = unseen.OrderByDescending(c => c.Value).ThenBy(c => c.Key, StringComparer.Ordinal).Take(UnseenShown).ToList();
            w.Open("td");
            if (top.Count == 0)
            {
                w.Text("none");
            }

            foreach (var (value, count) in top)
            {
                w.Open("span", ("class", "unseen")).Element("code", value).Text($" ({count.ToString("N0", s_invariant)}) ").Close();
            }

            var present = column?.Counts.Values.Sum() ?? 0;
            w.Close().Element("td", present == 0 ? "–" : Percent((double)unseen.Sum(c => c.Value) / present), ("class", "num")).Close();
        }

        w.Close().Close();
    }

    /// <summary>The Wilson score interval of a share at 95 %.</summary>
    /// <param name="share">The observed share.</param>
    /// <param name="n">The number of trials.</param>
    public static (double Low, double High) Wilson(double share, long n)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(n);
        const double z = 1.959963984540054;
        var z2n = z * z / n;
        var centre = (share + (z2n / 2)) / (1 + z2n);
        var half = z * Math.Sqrt((share * (1 - share) / n) + (z2n / (4 * n))) / (1 + z2n);
        return (Math.Max(0, centre - half), Math.Min(1, centre + half));
    }

    private static void Table(HtmlWriter w, string css, IReadOnlyList<string> heads, int numeric, int numericTo = int.MaxValue)
    {
        w.Open("table", ("class", css)).Open("thead").Open("tr");
        for (var i = 0; i < heads.Count; i++)
        {
            w.Element("th", heads[i], ("scope", "col"), ("class", numeric > 0 && i >= numeric && i <= numericTo ? "num" : null));
        }

        w.Close().Close().Open("tbody");
    }

    private static ColumnFigures? Column(IReadOnlyList<ColumnFigures> columns, string name, int index) =>
        index < columns.Count && columns[index].Name == name ? columns[index] : columns.FirstOrDefault(c => c.Name == name);

    private static HeatState StateOf(FeatureDriftStatus status) =>
        status.Drifted ? HeatState.Drifted : status.Inconclusive ? HeatState.Inconclusive : HeatState.Ok;

    private static string Describe(FeatureDriftStatus status) =>
        $"{(status.Drifted ? "drifted" : status.Inconclusive ? "inconclusive" : "not drifted")}; {status.Method} {Optional(status.Statistic)}"
        + (status.PValue is { } p ? $", p-value {HtmlWriter.Number(p)}" : "")
        + $", threshold {HtmlWriter.Number(status.Threshold)}; null rate {Percent(status.ReferenceNullRate)} in the reference, {Percent(status.CurrentNullRate)} in the window";

    // A window's short name: its start's time of day, with the date when the windows span more than a day (so names stay unique).
    private static string ColumnLabel(VersionHistory history, DateTimeOffset start) =>
        start.UtcDateTime.ToString(history.Open.End - history.Windows[0].Start > TimeSpan.FromDays(1) ? "MM-dd HH:mm" : "HH:mm:ss", s_invariant);

    private static string Time(DateTimeOffset at) => at.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss", s_invariant);

    private static string Iso(DateTimeOffset at) => at.UtcDateTime.ToString("O", s_invariant);

    private static string Optional(double? value) => value is { } v ? HtmlWriter.Number(v) : "–";

    private static string Percent(double share) => (share * 100).ToString("0.##", s_invariant) + " %";
}
