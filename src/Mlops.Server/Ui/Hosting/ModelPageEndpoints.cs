using System.Globalization;
using System.Text;
using Mlops.Runtime.Monitoring;
using Mlops.Runtime.Reconcile;
using Mlops.Runtime.Serving;
using Mlops.Server.Hosting;
using Mlops.Server.Ui.Html;
using Mlops.Server.Ui.Pages;

namespace Mlops.Server.Ui.Hosting;

/// <summary>The model page, <c>GET /ui/models/{name}?version=N&amp;role=primary|canary|shadow</c> (the primary by default).</summary>
public static class ModelPageEndpoints
{
    /// <summary>Maps the model page in the UI's group.</summary>
    /// <param name="ui">The UI's route group (its guard applies).</param>
    public static RouteGroupBuilder MapModelPage(this RouteGroupBuilder ui)
    {
        ArgumentNullException.ThrowIfNull(ui);
        ui.MapGet("/models/{name}", (string name, int? version, string? role, IServiceProvider services) => Page(name, version, role, services));
        ui.MapGet("/models/{name}/drift-report", (string name, int? version, string? role, IServiceProvider services) => Page(name, version, role, services, report: true));
        return ui;
    }

    private static IResult Page(string name, int? version, string? role, IServiceProvider services, bool report = false)
    {
        var host = services.GetService<ModelHost>();
        if (host is null)
        {
            return UiEndpoints.Html(UiLayout.Page("Nothing served", w => w.Element("p", "Nothing is served here: the model pages show what a server (mlops serve) serves.")), StatusCodes.Status404NotFound);
        }

        var snapshot = host.Snapshot;
        if (!snapshot.Models.TryGetValue(name, out var served))
        {
            return UiEndpoints.Html(ModelPage.NotServed(name, [.. snapshot.Models.Keys]), StatusCodes.Status404NotFound);
        }

        if (role is not (null or "primary" or "canary" or "shadow"))
        {
            return UiEndpoints.Html(UiLayout.Page("Unknown role", w => w.Element("p", $"The role '{role}' is not one of primary, canary and shadow; leave it out to see the primary.")), StatusCodes.Status400BadRequest);
        }

        var versions = LiveMonitor.Roles(served).ToList();
        var (loaded, chosen) = versions.FirstOrDefault(v => (role is null || v.Role == role) && (version is null || v.Model.Version == version));
        if (loaded is null)
        {
            var listed = string.Join(", ", versions.Select(v => $"v{v.Model.Version} ({v.Role})"));
            return UiEndpoints.Html(UiLayout.Page("Version not served", w => w.Element("p",
                $"{name} has no served version{(version is null ? "" : " " + version)}{(role is null ? "" : " as " + role)}. {(listed.Length == 0 ? "None of its versions is loaded yet." : "Served: " + listed + ".")}")), StatusCodes.Status404NotFound);
        }

        var monitor = services.GetService<MonitorService>();
        if (report)
        {
            return DriftReport(name, loaded, chosen, monitor, services.GetRequiredService<TimeProvider>());
        }

        var history = monitor?.Monitor.History(name, loaded.Version, chosen);
        var latest = monitor?.Latest.Models.FirstOrDefault(m => m.Model == name)?.Versions.FirstOrDefault(v => v.Version == loaded.Version && v.Role == chosen);
        var input = ModelPageInput.Of(loaded, chosen, snapshot.Descriptions.GetValueOrDefault(name), history, latest, [.. versions.Select(v => new ServedVersion(v.Model.Version, v.Role))]);
        return UiEndpoints.Html(ModelPage.Render(input));
    }

    /// <summary>
    /// The open window against the version's reference as one self-contained file (the report
    /// <c>mlops report drift</c> writes), sent as a download so it can be attached to a pull request
    /// or an incident; its style sheet is inside it, so it opens from disk.
    /// </summary>
    private static IResult DriftReport(string name, LoadedModel loaded, string role, MonitorService? monitor, TimeProvider time)
    {
        if (monitor?.Monitor.CompareOpen(name, loaded.Version, role) is not { } compared)
        {
            var why = loaded.Reference is null
                ? "its bundle keeps no reference sample, so there is nothing to compare with."
                : "its open window has no rows yet: send traffic, or wait for it.";
            return UiEndpoints.Html(UiLayout.Page("No drift report yet", w => w.Element("p", $"{name} v{loaded.Version} ({role}) has no drift report: {why}")), StatusCodes.Status404NotFound);
        }

        var window = compared.Window;
        var subject = new DriftReportSubject(
            $"{name} v{loaded.Version} reference sample ({loaded.Digest})",
            string.Create(CultureInfo.InvariantCulture, $"{name} v{loaded.Version} ({role}), window {window.Start.UtcDateTime:u} to {window.End.UtcDateTime:u} as it stood at {time.GetUtcNow().UtcDateTime:u}"),
            "the bundle's input schema",
            compared.Reference.Count == 0 ? 0 : compared.Reference.Max(c => c.Count),
            window.Rows);
        var page = DriftReportPage.Render(compared.Report, compared.Reference, compared.Current, subject);
        var file = string.Create(CultureInfo.InvariantCulture, $"drift-{name}-v{loaded.Version}-{role}-{window.Start.UtcDateTime:yyyyMMddTHHmmssZ}.html");
        return Results.File(Encoding.UTF8.GetBytes(page), "text/html; charset=utf-8", file);
    }
}
