using System.Globalization;
using Mlops.Runtime.Monitoring.Drift;
using Mlops.Server.Ui.Charts;
using Mlops.Server.Ui.Html;

namespace Mlops.Server.Ui.Pages;

/// <summary>What a drift report compared, for its heading.</summary>
/// <param name="Reference">The reference as the user named it (a file, or a version's reference sample).</param>
/// <param name="Current">The current data as the user named it (a file, a log folder, a served version's window).</param>
/// <param name="Schema">Where the features' kinds came from.</param>
/// <param name="ReferenceRows">Rows in the reference.</param>
/// <param name="CurrentRows">Rows in the current data.</param>
public sealed record DriftReportSubject(string Reference, string Current, string Schema, long ReferenceRows, long CurrentRows);

/// <summary>
/// A drift report in the manner of Evidently's: the data set's verdict, a table of every feature's
/// test (drifted rows marked), then each feature's reference and current distributions as a bar chart
/// followed by its figures. <c>mlops report drift</c> writes it as one self-contained file
/// (<see cref="UiStyleSheet.Inline"/>); the server can render it for a served version's window.
/// </summary>
public static class DriftReportPage
{
    /// <summary>Renders the report.</summary>
    /// <param name="report">The detector's report.</param>
    /// <param name="reference">The reference's values per feature (as compared).</param>
    /// <param name="current">The current values per feature, in the same order.</param>
    /// <param name="subject">What was compared.</param>
    /// <param name="style">Where the style sheet comes from; a file from disk needs <see cref="UiStyleSheet.Inline"/>.</param>
    public static string Render(DriftReport report, IReadOnlyList<ColumnValues> reference, IReadOnlyList<ColumnValues> current, DriftReportSubject subject, UiStyleSheet style = UiStyleSheet.Inline)
    {
        ArgumentNullException.ThrowIfNull(report);
        ArgumentNullException.ThrowIfNull(reference);
        ArgumentNullException.ThrowIfNull(current);
        ArgumentNullException.ThrowIfNull(subject);
        return UiLayout.Page("Drift report", w => Body(w, report, reference, current, subject), style: style);
    }

    private static void Body(HtmlWriter w, DriftReport report, IReadOnlyList<ColumnValues> reference, IReadOnlyList<ColumnValues> current, DriftReportSubject subject)
    {
        w.Open("p", ("class", "muted"))
            .Text("Current data ").Element("code", subject.Current).Text($" ({Count(subject.CurrentRows)} rows) against the reference ")
            .Element("code", subject.Reference).Text($" ({Count(subject.ReferenceRows)} rows); the features' kinds: {subject.Schema}.")
            .Close();

        var inconclusive = report.InconclusiveFeatures > 0 ? $", {report.InconclusiveFeatures} inconclusive (counted as not drifted)" : "";
        w.Element("p",
            string.Create(CultureInfo.InvariantCulture, $"{(report.Drifted ? "Data set drifted" : "No data set drift")}: {report.DriftedFeatures} of {report.Features.Count} features drifted (share {HtmlWriter.Number(report.DriftedShare)} {(report.Drifted ? "≥" : "<")} driftShare {HtmlWriter.Number(report.DriftShare)}){inconclusive}."),
            ("class", "verdict badge " + (report.Drifted ? "bad" : "ok")),
            ("data-drifted", report.Drifted ? "true" : "false"),
            ("data-drifted-share", Exact(report.DriftedShare)),
            ("data-drift-share", Exact(report.DriftShare)));

        w.Element("h2", "Features");
        w.Open("table", ("class", "features")).Open("thead").Open("tr");
        foreach (var (head, numeric) in new[] { ("feature", false), ("kind", false), ("method", false), ("statistic", true), ("p-value", true), ("threshold", true), ("drifted", false), ("null rate, reference", true), ("null rate, current", true), ("unseen share", true) })
        {
            w.Element("th", head, ("scope", "col"), ("class", numeric ? "num" : null));
        }

        w.Close().Close().Open("tbody");
        foreach (var feature in report.Features)
        {
            w.Open("tr", ("data-feature", feature.Name), ("data-drifted", feature.Drifted ? "true" : "false"), ("class", feature.Drifted ? "drifted" : null));
            w.Open("th", ("scope", "row")).Element("a", feature.Name, ("href", "#" + Anchor(feature.Name))).Close();
            w.Element("td", Kind(feature.Kind), ("data-field", "kind"));
            w.Element("td", DriftMethods.Name(feature.Method), ("data-field", "method"));
            Figure(w, "statistic", feature.Statistic);
            Figure(w, "pValue", feature.PValue);
            Figure(w, "threshold", feature.Threshold);
            var verdict = feature.Inconclusive ? "inconclusive" : feature.Drifted ? (feature.NullRateRose ? "DRIFT (missing values rose)" : "DRIFT") : "no";
            w.Element("td", feature.Reason is null ? verdict : $"{verdict} ({feature.Reason})", ("data-field", "drifted"), ("class", feature.Inconclusive ? "warn" : null));
            Figure(w, "referenceNullRate", feature.ReferenceNullRate, percent: true);
            Figure(w, "currentNullRate", feature.CurrentNullRate, percent: true);
            Figure(w, "unseenShare", feature.UnseenShare, percent: true);
            w.Close();
        }

        w.Close().Close();
        w.Element("p", "Drift when the p-value is below the threshold (ks, chisquare) or the distance reaches it (wasserstein, psi, jensenshannon), or when the share of missing values rose; docs/monitoring.md defines each.", ("class", "muted"));

        w.Element("h2", "Distributions");
        w.Element("p", $"Shares of present values: numbers in {DriftDistribution.NumberBins} equal-width bins over the reference's range (current values outside it in a bin below or above), categories by name for the {DriftDistribution.ShownCategories} most frequent on either side and {DriftDistribution.Other} for the rest. Reference bars first (blue), current second (amber).", ("class", "muted"));
        for (var i = 0; i < report.Features.Count && i < reference.Count && i < current.Count; i++)
        {
            Distribution(w, report.Features[i], DriftDistribution.For(reference[i], current[i]));
        }
    }

    private static void Distribution(HtmlWriter w, FeatureDrift feature, DriftDistribution distribution)
    {
        w.Open("section", ("class", "feature"), ("id", Anchor(feature.Name)), ("data-feature", feature.Name));
        w.Open("h3").Text(feature.Name + " ");
        w.Element("span", feature.Drifted ? "drifted" : feature.Inconclusive ? "inconclusive" : "no drift", ("class", "badge " + (feature.Drifted ? "bad" : feature.Inconclusive ? "warn" : "ok")));
        w.Close();
        var referenceShares = distribution.ReferenceShares;
        var currentShares = distribution.CurrentShares;
        BarChart.Write(w, $"{feature.Name}: share of values per {(feature.Kind == DriftKind.Number ? "bin" : "category")}, reference and current", distribution.ChartLabels,
            [("reference", referenceShares), ("current", currentShares)]);
        w.Open("table", ("class", "figures")).Open("thead").Open("tr");
        foreach (var (head, numeric) in new[] { (feature.Kind == DriftKind.Number ? "bin" : "category", false), ("reference share", true), ("current share", true), ("reference count", true), ("current count", true) })
        {
            w.Element("th", head, ("scope", "col"), ("class", numeric ? "num" : null));
        }

        w.Close().Close().Open("tbody");
        for (var b = 0; b < distribution.Bins.Count; b++)
        {
            w.Open("tr", ("data-bin", distribution.Bins[b]))
                .Element("th", distribution.Bins[b], ("scope", "row"))
                .Element("td", Percent(referenceShares[b]), ("class", "num"), ("data-value", Exact(referenceShares[b])))
                .Element("td", Percent(currentShares[b]), ("class", "num"), ("data-value", Exact(currentShares[b])))
                .Element("td", Count(distribution.ReferenceCounts[b]), ("class", "num"))
                .Element("td", Count(distribution.CurrentCounts[b]), ("class", "num"))
                .Close();
        }

        w.Close().Close().Close();
    }

    private static void Figure(HtmlWriter w, string field, double? value, bool percent = false) =>
        w.Element("td", value is not { } v ? "–" : percent ? Percent(v) : HtmlWriter.Number(v), ("class", "num"), ("data-field", field), ("data-value", value is { } x ? Exact(x) : null));

    // Feature names are data: the anchor is built from their characters' codes, so any name gives a valid, unique id.
    private static string Anchor(string name) => "feature-" + Convert.ToHexString(System.Text.Encoding.UTF8.GetBytes(name)).ToLowerInvariant();

    private static string Kind(DriftKind kind) => kind == DriftKind.Number ? "number" : "category";

    private static string Exact(double value) => value.ToString("R", CultureInfo.InvariantCulture);

    private static string Percent(double value) => value.ToString("0.#%", CultureInfo.InvariantCulture);

    private static string Count(long value) => value.ToString("N0", CultureInfo.InvariantCulture);
}
