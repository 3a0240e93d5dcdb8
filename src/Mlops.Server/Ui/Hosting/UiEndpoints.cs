using Microsoft.Extensions.Options;
using Mlops.Runtime.Reconcile;
using Mlops.Server.Hosting;
using Mlops.Server.Ui.Html;
using Mlops.Server.Ui.Pages;

namespace Mlops.Server.Ui.Hosting;

/// <summary>
/// The read-only web UI under <c>/ui/</c>: pages rendered on the server as HTML with SVG charts, no
/// script, every value escaped, a restrictive Content-Security-Policy, GET only, and a viewer token
/// for requests that are not from loopback (<see cref="UiAccess"/>). Both the server and <c>mlops ui</c>
/// map it; each page reads whichever sources its host has (the live model host and monitor, the
/// repository's catalog).
/// </summary>
public static class UiEndpoints
{
    /// <summary>The Content-Security-Policy of every page: nothing but the server's own style sheet, no script, no frames, forms only to the server.</summary>
    public const string ContentSecurityPolicy = "default-src 'none'; style-src 'self'; img-src 'self' data:; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

    /// <summary>Maps <c>/ui/</c> and its pages.</summary>
    /// <param name="app">The application.</param>
    public static IEndpointRouteBuilder MapUi(this IEndpointRouteBuilder app)
    {
        ArgumentNullException.ThrowIfNull(app);
        var ui = app.MapGroup(UiLayout.Root).WithTags("ui").ExcludeFromDescription();
        ui.AddEndpointFilter(GuardAsync);
        ui.MapGet("/assets/ui.css", () => Results.Text(UiStyle.Css, "text/css; charset=utf-8"));
        ui.MapGet("/", (IServiceProvider services) => Html(OverviewPage.Render(services.GetService<ModelHost>()?.Status, services.GetService<MonitorService>()?.Latest)));
        ui.MapRepositoryPages();
        ui.MapModelPage();
        return app;
    }

    /// <summary>An HTML answer.</summary>
    /// <param name="page">The whole page.</param>
    /// <param name="status">The status code.</param>
    public static IResult Html(string page, int status = StatusCodes.Status200OK) => Results.Content(page, "text/html; charset=utf-8", statusCode: status);

    private static async ValueTask<object?> GuardAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        var http = context.HttpContext;
        var options = http.RequestServices.GetService<IOptions<ServeOptions>>()?.Value.Ui ?? new UiOptions();
        var headers = http.Response.Headers;
        headers.ContentSecurityPolicy = ContentSecurityPolicy;
        headers.XContentTypeOptions = "nosniff";
        headers.XFrameOptions = "DENY";
        headers["Referrer-Policy"] = "no-referrer";
        headers.CacheControl = "no-store";
        if (!options.Enabled)
        {
            return Html(UiLayout.Page("Not found", w => w.Element("p", "The UI is off (Mlops:Ui:Enabled is false).")), StatusCodes.Status404NotFound);
        }

        switch (UiAccess.Decide(http.Request, options))
        {
            case UiAccessDecision.Refuse:
                var why = options.ViewerToken is { Length: > 0 }
                    ? "This page needs the viewer token: send it as 'Authorization: Bearer TOKEN', or open this address once with ?token=TOKEN."
                    : "This server's UI is only shown on loopback. Set a viewer token (Mlops:Ui:ViewerToken) to show it to other hosts, or Mlops:Ui:Open=true behind your own access control.";
                return Html(UiLayout.Page("Viewer token needed", w => w.Element("p", why)), StatusCodes.Status401Unauthorized);
            case UiAccessDecision.AllowAndRemember:
                http.Response.Cookies.Append(UiAccess.Cookie, options.ViewerToken!, new CookieOptions
                {
                    HttpOnly = true,
                    SameSite = SameSiteMode.Strict,
                    Secure = http.Request.IsHttps,
                    Path = UiLayout.Root,
                });
                var query = http.Request.Query.Where(q => q.Key != "token").Select(q => Uri.EscapeDataString(q.Key) + "=" + Uri.EscapeDataString(q.Value.ToString()));
                var rest = string.Join('&', query);
                return Results.Redirect(http.Request.PathBase + http.Request.Path + (rest.Length > 0 ? "?" + rest : ""));
            default:
                return await next(context).ConfigureAwait(false);
        }
    }
}
