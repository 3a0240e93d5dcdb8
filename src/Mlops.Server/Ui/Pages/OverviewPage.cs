using Mlops.Runtime.Monitoring;
using Mlops.Runtime.Reconcile;
using Mlops.Server.Ui.Html;

namespace Mlops.Server.Ui.Pages;

/// <summary>
/// The environment at a glance: each model's served version(s) with Argo CD's words for sync and
/// health, the canary or shadow split, traffic, latency, error rate and the alerts firing, in the
/// monitor's open window.
/// </summary>
public static class OverviewPage
{
    /// <summary>Renders the page.</summary>
    /// <param name="status">The model host's status; null where nothing is served (<c>mlops ui</c>).</param>
    /// <param name="report">The monitor's latest report; null where nothing is monitored.</param>
    public static string Render(HostStatus? status, MonitorReport? report)
    {
        if (status is null)
        {
            return UiLayout.Page("Overview", w => w.Element("p",
                "Nothing is served here. Start the server (mlops serve --environment ENV) to see served versions, traffic, drift and alerts; the runs, registry and history pages read the repository.", ("class", "muted")), "/");
        }

        return UiLayout.Page("Environment " + status.Environment, w => Body(w, status, report), "/");
    }

    private static void Body(HtmlWriter w, HostStatus status, MonitorReport? report)
    {
        w.Open("p")
            .Element("span", status.Sync.ToString(), ("class", "badge " + (status.Sync == SyncStatus.Synced ? "ok" : "warn")), ("data-sync", status.Sync.ToString())).Text(" ")
            .Element("span", status.Health.ToString(), ("class", "badge " + HealthClass(status.Health)), ("data-health", status.Health.ToString()))
            .Text(" serving commit ").Element("code", Short(status.ServedCommit))
            .Text(" from ").Element("code", status.Source);
        if (status.LastReconcile is { } at)
        {
            w.Text(", reconciled " + at.UtcDateTime.ToString("u", System.Globalization.CultureInfo.InvariantCulture));
        }

        w.Close();
        if (status.Message is { Length: > 0 } message)
        {
            w.Element("p", message, ("class", "bad"));
        }

        if (status.Diagnostics.Count > 0)
        {
            w.Open("pre", ("class", "bad")).Text(string.Join('\n', status.Diagnostics)).Close();
        }

        var window = report is null ? "" : $" (window of {TimeSpan.FromSeconds(report.WindowSeconds)} from {report.Models.SelectMany(m => m.Versions).Select(v => v.WindowStart).DefaultIfEmpty(report.At).Min().UtcDateTime:u})";
        w.Element("h2", "Models" + window);
        w.Open("table", ("class", "models")).Open("thead").Open("tr");
        foreach (var head in new[] { "model", "version", "role", "traffic", "sync", "health", "requests", "p50 ms", "p99 ms", "failed (fallback or error)", "drift", "alerts firing" })
        {
            w.Element("th", head, ("scope", "col"));
        }

        w.Close().Close().Open("tbody");
        foreach (var model in status.Models)
        {
            var watched = report?.Models.FirstOrDefault(m => m.Model == model.Model);
            var firing = report?.Alerts.Where(a => a.Model == model.Model && a.State == "firing").ToList() ?? [];
            var rows = Rows(model, watched).ToList();
            if (rows.Count == 0)
            {
                rows.Add((model.Desired.Version, "primary", model.Enabled ? "100 %" : "off", null));
            }

            foreach (var (version, role, traffic, figures) in rows)
            {
                w.Open("tr", ("data-model", model.Model), ("data-version", version.ToString(System.Globalization.CultureInfo.InvariantCulture)), ("data-role", role));
                w.Open("td").Element("a", model.Model, ("href", $"{UiLayout.Root}/models/{Uri.EscapeDataString(model.Model)}")).Close();
                w.Element("td", "v" + version, ("class", "num"));
                w.Element("td", role);
                w.Element("td", traffic, ("class", "num"));
                w.Element("td", model.Sync.ToString(), ("class", model.Sync == SyncStatus.Synced ? "ok" : "warn"));
                w.Element("td", model.Health.ToString(), ("class", HealthClass(model.Health)));
                w.Element("td", Figure(figures?.Figures, "requests", 0), ("class", "num"));
                w.Element("td", Figure(figures?.Figures, "p50LatencyMs", 3), ("class", "num"));
                w.Element("td", Figure(figures?.Figures, "p99LatencyMs", 3), ("class", "num"));
                w.Element("td", Percent(figures?.Figures, "errorRate"), ("class", "num"));
                var drifted = figures?.Drift.Where(d => d.Drifted).Select(d => d.Feature).ToList() ?? [];
                w.Element("td", figures is null || figures.Drift.Count == 0 ? "no rows yet" : drifted.Count == 0 ? "none" : string.Join(", ", drifted),
                    ("class", drifted.Count > 0 ? "drifted" : null), ("data-drifted", string.Join(',', drifted)));
                w.Element("td", firing.Count == 0 ? "none" : string.Join("; ", firing.Where(a => a.Version == version).Select(a => a.Rule)), ("class", firing.Count > 0 ? "bad" : null));
                w.Close();
            }

            if (model.Message is { Length: > 0 } why)
            {
                w.Open("tr").Element("td", model.Model + ": " + why, ("colspan", "12"), ("class", "warn")).Close();
            }
        }

        w.Close().Close();
        var alerts = report?.Alerts ?? [];
        w.Element("h2", "Alerts");
        if (alerts.Count == 0)
        {
            w.Element("p", "No alert is pending or firing.", ("class", "muted"));
            return;
        }

        w.Open("table", ("class", "alerts")).Open("thead").Open("tr");
        foreach (var head in new[] { "state", "rule", "model", "version", "since", "value", "message" })
        {
            w.Element("th", head, ("scope", "col"));
        }

        w.Close().Close().Open("tbody");
        foreach (var alert in alerts)
        {
            w.Open("tr", ("data-state", alert.State))
                .Element("td", alert.State, ("class", alert.State == "firing" ? "bad" : alert.State == "pending" ? "warn" : "ok"))
                .Element("td", alert.Rule).Element("td", alert.Model).Element("td", "v" + alert.Version, ("class", "num"))
                .Element("td", alert.Since.UtcDateTime.ToString("u", System.Globalization.CultureInfo.InvariantCulture))
                .Element("td", alert.Value is { } v ? HtmlWriter.Number(v) : "", ("class", "num"))
                .Element("td", alert.Message)
                .Close();
        }

        w.Close().Close();
    }

    private static IEnumerable<(int Version, string Role, string Traffic, VersionMonitor? Figures)> Rows(ModelStatus model, ModelMonitor? watched)
    {
        var canary = model.ServedCanary is null ? 0 : model.CanaryWeight;
        if (model.Served is { } served)
        {
            yield return (served.Version, "primary", model.Enabled ? $"{100 - canary} %" : "off", watched?.Versions.FirstOrDefault(v => v.Role == "primary" && v.Version == served.Version));
        }

        if (model.ServedCanary is { } c)
        {
            yield return (c.Version, "canary", $"{canary} %", watched?.Versions.FirstOrDefault(v => v.Role == "canary" && v.Version == c.Version));
        }

        foreach (var shadow in watched?.Versions.Where(v => v.Role == "shadow") ?? [])
        {
            yield return (shadow.Version, "shadow", "copy of 100 %", shadow);
        }
    }

    private static string Figure(IReadOnlyDictionary<string, double>? figures, string name, int decimals) =>
        figures is not null && figures.TryGetValue(name, out var v) ? Math.Round(v, decimals).ToString("N" + decimals, System.Globalization.CultureInfo.InvariantCulture) : "–";

    private static string Percent(IReadOnlyDictionary<string, double>? figures, string name) =>
        figures is not null && figures.TryGetValue(name, out var v) ? (v * 100).ToString("0.##", System.Globalization.CultureInfo.InvariantCulture) + " %" : "–";

    private static string HealthClass(HealthStatus health) => health switch
    {
        HealthStatus.Healthy => "ok",
        HealthStatus.Progressing => "warn",
        _ => "bad",
    };

    private static string Short(string? commit) => commit is { Length: > 10 } c ? c[..10] : commit ?? "none";
}
