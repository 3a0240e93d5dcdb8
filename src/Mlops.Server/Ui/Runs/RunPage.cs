using System.Globalization;
using Mlops.Server.Ui.Catalog;
using Mlops.Server.Ui.Html;

namespace Mlops.Server.Ui.Runs;

/// <summary>One run's lineage: what it was made from (data, declarations, commit, toolchain, seed), what it made (artifact), its parameters and every metric, and its error if it failed.</summary>
public static class RunPage
{
    /// <summary>Renders the page.</summary>
    /// <param name="run">The run.</param>
    public static string Render(RunView run)
    {
        ArgumentNullException.ThrowIfNull(run);
        return UiLayout.Page("Run " + run.Id, w => Body(w, run), "/runs");
    }

    private static void Body(HtmlWriter w, RunView run)
    {
        w.Open("p").Text("Model ").Element("a", run.Model, ("href", UiUrl.To("/runs", ("model", run.Model))))
            .Text(" · ").Element("span", run.Status, ("class", "badge " + RunsPage.StatusClass(run.Status)), ("data-status", run.Status)).Close();
        if (run.Error is { } error)
        {
            w.Open("pre", ("class", "bad"), ("data-field", "error")).Text(error).Close();
        }

        w.Element("h2", "Lineage");
        w.Open("table", ("class", "lineage")).Open("tbody");
        Field(w, "model", "model", run.Model);
        Field(w, "status", "status", run.Status);
        Field(w, "started", "started (UTC)", run.StartedAt.UtcDateTime.ToString("u", CultureInfo.InvariantCulture));
        Field(w, "duration", "duration", run.Duration is { } d ? d.TotalSeconds.ToString("0.0##", CultureInfo.InvariantCulture) + " s" : "still running");
        Field(w, "dataDigest", "data digest", run.DataDigest);
        Field(w, "declarationsDigest", "declarations digest", run.DeclarationsDigest);
        Field(w, "cacheKey", "cache key", run.CacheKey);
        Field(w, "gitCommit", "git commit", run.GitCommit);
        Field(w, "gitDirty", "uncommitted changes", run.GitDirty is { } dirty ? dirty ? "yes (dirty)" : "no (clean)" : null);
        Field(w, "gitBranch", "branch", run.GitBranch);
        Field(w, "seed", "seed", run.Seed?.ToString(CultureInfo.InvariantCulture));
        Field(w, "os", "operating system", run.Os);
        Field(w, "dotnet", ".NET", run.DotNet);
        Field(w, "mlnet", "ML.NET", run.MlNet);
        Field(w, "artifactPath", "artifact", run.ArtifactPath);
        Field(w, "artifactDigest", "artifact digest", run.ArtifactDigest);
        Field(w, "host", "recorded on", run.Host);
        w.Close().Close();

        w.Element("h2", "Parameters");
        if (run.Params.Count == 0)
        {
            w.Element("p", "No parameters recorded.", ("class", "muted"));
        }
        else
        {
            w.Open("table", ("class", "params")).Open("thead").Open("tr").Element("th", "parameter", ("scope", "col")).Element("th", "value", ("scope", "col")).Close().Close().Open("tbody");
            foreach (var (name, value) in run.Params)
            {
                w.Open("tr", ("data-param", name)).Element("td", name).Element("td", value).Close();
            }

            w.Close().Close();
        }

        w.Element("h2", "Metrics");
        if (run.Metrics.Count == 0)
        {
            w.Element("p", "No metrics recorded.", ("class", "muted"));
            return;
        }

        w.Open("table", ("class", "metrics")).Open("thead").Open("tr");
        foreach (var head in new[] { "metric", "split", "slice", "value" })
        {
            w.Element("th", head, ("scope", "col"));
        }

        w.Close().Close().Open("tbody");
        foreach (var metric in run.Metrics)
        {
            w.Open("tr", ("data-metric", metric.Name), ("data-split", metric.Split), ("data-slice", metric.Slice))
                .Element("td", metric.Name).Element("td", metric.Split).Element("td", metric.Slice)
                .Element("td", HtmlWriter.Number(metric.Value), ("class", "num"), ("data-value", HtmlWriter.Number(metric.Value, 17)))
                .Close();
        }

        w.Close().Close();
    }

    private static void Field(HtmlWriter w, string key, string label, string? value) =>
        w.Open("tr", ("data-field", key)).Element("th", label, ("scope", "row")).Element("td", value ?? "unknown", ("class", value is null ? "muted" : null)).Close();
}
