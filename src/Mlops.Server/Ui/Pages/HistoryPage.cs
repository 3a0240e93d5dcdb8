using System.Globalization;
using Mlops.Server.Ui.Catalog;
using Mlops.Server.Ui.Html;

namespace Mlops.Server.Ui.Pages;

/// <summary>
/// What each environment pinned over time, from the git history of its file: every commit that changed it (who,
/// when, the message with the gate summary), what it changed model by model, and rollbacks marked with the
/// promotion they undid.
/// </summary>
public static class HistoryPage
{
    /// <summary>Renders the page.</summary>
    /// <param name="histories">The environments' histories (one for <c>/ui/history/{env}</c>).</param>
    /// <param name="environments">Every environment, for the links between them.</param>
    /// <param name="selected">The environment asked for, or null for all.</param>
    public static string Render(IReadOnlyList<EnvironmentHistoryView> histories, IReadOnlyList<string> environments, string? selected)
    {
        ArgumentNullException.ThrowIfNull(histories);
        ArgumentNullException.ThrowIfNull(environments);
        return UiLayout.Page(selected is null ? "History" : "History of " + selected, w => Body(w, histories, environments, selected), "/history");
    }

    private static void Body(HtmlWriter w, IReadOnlyList<EnvironmentHistoryView> histories, IReadOnlyList<string> environments, string? selected)
    {
        w.Open("p", ("class", "environments")).Text("Environments: ");
        w.Element("a", "all", ("href", UiUrl.To("/history")), ("aria-current", selected is null ? "page" : null));
        foreach (var environment in environments)
        {
            w.Text(" · ").Element("a", environment, ("href", UiLayout.Root + "/history/" + Uri.EscapeDataString(environment)), ("aria-current", environment == selected ? "page" : null));
        }

        w.Close();
        if (histories.Count == 0)
        {
            w.Element("p", "No environment file is declared yet (environments/ENV.yaml).");
            return;
        }

        foreach (var history in histories)
        {
            w.Open("section", ("data-environment", history.Environment));
            w.Open("h2").Text(history.Environment + " ").Element("code", history.Path).Close();
            if (history.Changes.Count == 0)
            {
                w.Element("p", $"{history.Path} has no commits yet: commit it and its history shows here.", ("class", "muted"));
                w.Close();
                continue;
            }

            w.Open("table", ("class", "history")).Open("thead").Open("tr");
            foreach (var head in new[] { "date (UTC)", "kind", "commit", "author", "what changed", "pins after", "message" })
            {
                w.Element("th", head, ("scope", "col"));
            }

            w.Close().Close().Open("tbody");
            foreach (var change in history.Changes)
            {
                w.Open("tr", ("data-commit", change.Commit), ("data-kind", change.Kind), ("class", change.Kind == "rollback" ? "rollback" : null));
                w.Element("td", change.Date.UtcDateTime.ToString("yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture));
                w.Open("td", ("data-column", "kind"));
                w.Element("span", change.Kind, ("class", "badge " + (change.Kind == "rollback" ? "warn" : change.Kind == "promotion" ? "ok" : "muted")));
                if (change.RolledBack is { } undone)
                {
                    w.Text(" of ").Element("code", Short(undone), ("title", undone), ("data-rolled-back", undone));
                }

                w.Close();
                w.Open("td").Element("code", Short(change.Commit), ("title", change.Commit)).Close();
                w.Element("td", change.Author);
                w.Open("td", ("data-column", "changes"));
                if (change.Errors.Count > 0)
                {
                    w.Open("pre", ("class", "bad")).Text(string.Join('\n', change.Errors)).Close();
                }
                else if (change.Changes.Count == 0)
                {
                    w.Element("span", change.Promotion is null ? "no model changed" : "no model changed (settings only)", ("class", "muted"));
                }

                foreach (var pin in change.Changes)
                {
                    w.Open("div", ("data-model", pin.Model), ("data-before", pin.Before?.ToString(CultureInfo.InvariantCulture)), ("data-after", pin.After?.ToString(CultureInfo.InvariantCulture)));
                    w.Element("strong", pin.Model).Text($" {Version(pin.Before)} → {Version(pin.After)}: ");
                    w.Element("span", string.Join("; ", pin.Changes), ("class", pin.Warning ? "bad" : null));
                    w.Close();
                }

                w.Close();
                w.Element("td", change.Pins.Count == 0 ? "nothing" : string.Join(", ", change.Pins), ("data-column", "pins"));
                w.Open("td", ("data-column", "message")).Element("span", change.Subject);
                if (change.Body.Length > 0)
                {
                    w.Open("details").Element("summary", "message and gate summary").Element("pre", change.Body).Close();
                }

                w.Close().Close();
            }

            w.Close().Close().Close();
        }
    }

    private static string Version(int? version) => version is { } v ? "v" + v.ToString(CultureInfo.InvariantCulture) : "none";

    private static string Short(string commit) => commit.Length > 10 ? commit[..10] : commit;
}
