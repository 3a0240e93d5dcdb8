using System.Globalization;
using Mlops.Server.Ui.Catalog;
using Mlops.Server.Ui.Html;

namespace Mlops.Server.Ui.Pages;

/// <summary>The registry: every model's registered versions (git tags <c>MODEL@vN</c>) with digests, metrics, the run that trained them and the environments that pin them now.</summary>
public static class RegistryPage
{
    /// <summary>Renders the page.</summary>
    /// <param name="models">The registered models.</param>
    /// <param name="source">The repository, for the footnote.</param>
    public static string Render(IReadOnlyList<RegisteredModelView> models, string source)
    {
        ArgumentNullException.ThrowIfNull(models);
        return UiLayout.Page("Registry", w => Body(w, models, source), "/registry");
    }

    private static void Body(HtmlWriter w, IReadOnlyList<RegisteredModelView> models, string source)
    {
        w.Element("p", $"Registered versions are annotated git tags MODEL@vN in {source}; the environments are those that pin a version at HEAD.", ("class", "muted"));
        if (models.Count == 0)
        {
            w.Element("p", "No version is registered yet. Package and register a model (mlops package, mlops register) and its versions show here.");
            return;
        }

        foreach (var model in models)
        {
            w.Open("section", ("data-model", model.Model)).Element("h2", model.Model);
            if (model.Description is { Length: > 0 } description)
            {
                w.Element("p", description, ("class", "description"));
            }

            w.Open("table", ("class", "versions")).Open("thead").Open("tr");
            foreach (var head in new[] { "version", "pinned by", "bundle digest", "feature set", "metrics (holdout)", "run", "commit", "registered (UTC)", "by" })
            {
                w.Element("th", head, ("scope", "col"));
            }

            w.Close().Close().Open("tbody");
            foreach (var version in model.Versions.OrderByDescending(v => v.Version))
            {
                w.Open("tr", ("data-version", version.Version.ToString(CultureInfo.InvariantCulture)), ("data-tag", version.Tag));
                w.Element("td", "v" + version.Version.ToString(CultureInfo.InvariantCulture), ("class", "num"));
                w.Element("td", version.PinnedBy.Count == 0 ? "–" : string.Join(", ", version.PinnedBy), ("data-column", "environments"), ("class", version.PinnedBy.Count > 0 ? "ok" : "muted"));
                w.Open("td", ("data-column", "digest"), ("data-digest", version.BundleDigest))
                    .Element("code", version.BundleDigest.Length > 19 ? version.BundleDigest[..19] + "…" : version.BundleDigest, ("title", version.BundleDigest)).Close();
                w.Element("td", version.FeatureSet ?? "–");
                // Slice metrics (name[slice]) would bury the overall ones: they fold away under the overall figures.
                var (overall, slices) = (version.Metrics.Where(m => !m.Key.Contains('[', StringComparison.Ordinal)).ToList(), version.Metrics.Where(m => m.Key.Contains('[', StringComparison.Ordinal)).ToList());
                w.Open("td", ("data-column", "metrics")).Text(string.Join(", ", overall.Select(m => m.Key + " " + HtmlWriter.Number(m.Value))));
                if (slices.Count > 0)
                {
                    w.Open("details").Element("summary", $"{slices.Count} slice metrics").Text(string.Join(", ", slices.Select(m => m.Key + " " + HtmlWriter.Number(m.Value)))).Close();
                }

                w.Close();
                if (version.RunId is { } run)
                {
                    w.Open("td").Element("a", run, ("href", UiUrl.Run(run))).Close();
                }
                else
                {
                    w.Element("td", "–");
                }

                w.Open("td").Element("code", version.Commit.Length > 10 ? version.Commit[..10] : version.Commit, ("title", version.Commit)).Close();
                w.Element("td", version.Date.UtcDateTime.ToString("yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture));
                w.Element("td", version.Tagger);
                w.Close();
            }

            w.Close().Close().Close();
        }
    }
}
