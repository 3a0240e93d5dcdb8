using System.Globalization;
using Mlops.Server.Ui.Catalog;
using Mlops.Server.Ui.Html;
using Mlops.Server.Ui.Pages;
using Mlops.Server.Ui.Runs;

namespace Mlops.Server.Ui.Hosting;

/// <summary>
/// The pages that read the repository through an <see cref="IRepositoryCatalog"/>: runs, one run, compare,
/// registry, history. Without a catalog (the standalone server has no run store) each answers 404 with a page that
/// says where to see them.
/// </summary>
public static class RepositoryPages
{
    /// <summary>The most runs the runs page reads. The default value is 1,000.</summary>
    public const int DefaultLimit = 1000;

    /// <summary>The most runs the compare page puts side by side.</summary>
    public const int MaxCompared = 12;

    /// <summary>Maps the pages on the UI's group (which carries its access filter and headers).</summary>
    /// <param name="ui">The <c>/ui</c> group.</param>
    public static IEndpointRouteBuilder MapRepositoryPages(this IEndpointRouteBuilder ui)
    {
        ArgumentNullException.ThrowIfNull(ui);
        ui.MapGet("/runs", RunsAsync);
        ui.MapGet("/runs/compare", CompareAsync);
        ui.MapGet("/runs/{id}", RunAsync);
        ui.MapGet("/registry", RegistryAsync);
        ui.MapGet("/history", HistoryAsync);
        ui.MapGet("/history/{environment}", EnvironmentAsync);
        return ui;
    }

    /// <summary>The page shown where no catalog is registered.</summary>
    /// <param name="title">The page's title.</param>
    /// <param name="active">The navigation entry.</param>
    public static string NotAvailable(string title, string active) => UiLayout.Page(title, w => w.Element("p",
        "This page reads the repository's run store and git history, which this server does not have: it only serves an environment. "
        + "Open it from 'mlops serve --environment ENV --repo DIR', or browse a repository with 'mlops ui --repo DIR'.",
        ("class", "muted"), ("data-unavailable", "")), active);

    private static Task<IResult> RunsAsync(HttpContext http, CancellationToken cancellationToken) =>
        WithCatalogAsync(http, "Runs", "/runs", async catalog =>
        {
            var q = http.Request.Query;
            var limit = int.TryParse(q["limit"], NumberStyles.None, CultureInfo.InvariantCulture, out var l) && l is > 0 and <= 100_000 ? l : DefaultLimit;
            var query = new RunsQuery(Value(q["model"]), Value(q["filter"]), Value(q["sort"]), !string.Equals(q["dir"], "asc", StringComparison.Ordinal), Value(q["metric"]));
            var runs = await catalog.RunsAsync(query.Model, limit, cancellationToken).ConfigureAwait(false);
            return UiEndpoints.Html(RunsPage.Render(query, runs, catalog.Source));
        });

    private static Task<IResult> CompareAsync(HttpContext http, CancellationToken cancellationToken) =>
        WithCatalogAsync(http, "Compare runs", "/runs", async catalog =>
        {
            var ids = http.Request.Query["run"].Where(id => !string.IsNullOrWhiteSpace(id)).Select(id => id!.Trim()).Distinct(StringComparer.Ordinal).ToList();
            if (ids.Count < 2 || ids.Count > MaxCompared)
            {
                return UiEndpoints.Html(UiLayout.Page("Compare runs", w => w.Open("p", ("class", "bad"))
                    .Text(ids.Count < 2 ? $"Tick two or more runs to compare ({ids.Count} given) " : $"Compare at most {MaxCompared} runs at once ({ids.Count} given); untick some ")
                    .Text("on the ").Element("a", "runs page", ("href", UiUrl.To("/runs"))).Text(".").Close(), "/runs"), StatusCodes.Status400BadRequest);
            }

            var comparison = await catalog.CompareAsync(ids, cancellationToken).ConfigureAwait(false);
            return comparison is null
                ? UiEndpoints.Html(UiLayout.Page("Run not found", w => w.Element("p", $"One of the runs {string.Join(", ", ids)} is not in {catalog.Source}'s run store. Pick runs on the runs page."), "/runs"), StatusCodes.Status404NotFound)
                : UiEndpoints.Html(RunComparePage.Render(comparison, Value(http.Request.Query["metric"])));
        });

    private static Task<IResult> RunAsync(HttpContext http, string id, CancellationToken cancellationToken) =>
        WithCatalogAsync(http, "Run", "/runs", async catalog =>
            await catalog.RunAsync(id, cancellationToken).ConfigureAwait(false) is { } run
                ? UiEndpoints.Html(RunPage.Render(run))
                : UiEndpoints.Html(UiLayout.Page("Run not found", w => w.Open("p").Text($"No run '{id}' is recorded in {catalog.Source}'s run store. See the ")
                    .Element("a", "runs page", ("href", UiUrl.To("/runs"))).Text(" for the ids.").Close(), "/runs"), StatusCodes.Status404NotFound));

    private static Task<IResult> RegistryAsync(HttpContext http, CancellationToken cancellationToken) =>
        WithCatalogAsync(http, "Registry", "/registry", async catalog =>
            UiEndpoints.Html(RegistryPage.Render(await catalog.RegistryAsync(cancellationToken).ConfigureAwait(false), catalog.Source)));

    private static Task<IResult> HistoryAsync(HttpContext http, CancellationToken cancellationToken) =>
        WithCatalogAsync(http, "History", "/history", async catalog =>
        {
            var environments = await catalog.EnvironmentsAsync(cancellationToken).ConfigureAwait(false);
            var histories = new List<EnvironmentHistoryView>();
            foreach (var environment in environments)
            {
                if (await catalog.HistoryAsync(environment, cancellationToken).ConfigureAwait(false) is { } history)
                {
                    histories.Add(history);
                }
            }

            return UiEndpoints.Html(HistoryPage.Render(histories, environments, null));
        });

    private static Task<IResult> EnvironmentAsync(HttpContext http, string environment, CancellationToken cancellationToken) =>
        WithCatalogAsync(http, "History", "/history", async catalog =>
        {
            var environments = await catalog.EnvironmentsAsync(cancellationToken).ConfigureAwait(false);
            return environments.Contains(environment, StringComparer.Ordinal) && await catalog.HistoryAsync(environment, cancellationToken).ConfigureAwait(false) is { } history
                ? UiEndpoints.Html(HistoryPage.Render([history], environments, environment))
                : UiEndpoints.Html(UiLayout.Page("Environment not found", w => w.Element("p",
                    $"No environment '{environment}' is declared at HEAD (environments/{environment}.yaml). Declared: {(environments.Count == 0 ? "none" : string.Join(", ", environments))}."), "/history"),
                    StatusCodes.Status404NotFound);
        });

    private static async Task<IResult> WithCatalogAsync(HttpContext http, string title, string active, Func<IRepositoryCatalog, Task<IResult>> render)
    {
        if (http.RequestServices.GetService<IRepositoryCatalog>() is not { } catalog)
        {
            return UiEndpoints.Html(NotAvailable(title, active), StatusCodes.Status404NotFound);
        }

        try
        {
            return await render(catalog).ConfigureAwait(false);
        }
        catch (RepositoryCatalogException e)
        {
            return UiEndpoints.Html(UiLayout.Page(title, w => w.Element("p", e.Message, ("class", "bad")), active), StatusCodes.Status503ServiceUnavailable);
        }
    }

    private static string? Value(Microsoft.Extensions.Primitives.StringValues values) => values.Count == 0 || string.IsNullOrWhiteSpace(values[0]) ? null : values[0];
}
