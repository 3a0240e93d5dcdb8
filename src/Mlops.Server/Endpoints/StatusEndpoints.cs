using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;
using Mlops.Runtime.Reconcile;
using Mlops.Server.Hosting;

namespace Mlops.Server.Endpoints;

/// <summary>Desired vs served state, the metrics for Prometheus, and admin actions behind a token.</summary>
internal static class StatusEndpoints
{
    public static IEndpointRouteBuilder MapStatus(this IEndpointRouteBuilder app)
    {
        app.MapGet("/status", Status).WithTags("status");
        app.MapPost("/admin/reload", ReloadAsync).WithTags("admin");
        app.MapGet("/metrics", MetricsAsync).WithTags("metrics");
        return app;
    }

    /// <summary><c>GET /metrics</c>: the series of docs/monitoring.md in Prometheus' text format (OpenMetrics when asked for).</summary>
    private static async Task<IResult> MetricsAsync(HttpContext context, IOptions<ServeOptions> options, IServiceProvider services)
    {
        if (options.Value.Metrics?.Enabled == false)
        {
            return TypedResults.Problem(statusCode: StatusCodes.Status404NotFound, title: "Metrics are off",
                detail: "Mlops:Metrics:Enabled is false, so nothing is recorded or exported. Remove the setting (or set it to true) to serve /metrics.");
        }

        await services.GetRequiredService<PrometheusExporter>().Middleware.Invoke(context).ConfigureAwait(false);
        return Results.Empty;
    }

    private static Ok<HostStatus> Status(ModelHost host) => TypedResults.Ok(host.Status);

    private static async Task<Results<Ok<HostStatus>, ProblemHttpResult>> ReloadAsync(HttpRequest request, ModelHost host, IOptions<ServeOptions> options, CancellationToken cancellationToken)
    {
        if (options.Value.AdminToken is not { Length: > 0 } token)
        {
            return TypedResults.Problem(statusCode: StatusCodes.Status403Forbidden, title: "Admin actions are off",
                detail: "No admin token is configured. Set Mlops:AdminToken (environment variable Mlops__AdminToken) to enable POST /admin/reload.");
        }

        if (!BearerToken.Carries(request, token))
        {
            return TypedResults.Problem(statusCode: StatusCodes.Status401Unauthorized, title: "Wrong or missing admin token",
                detail: "Send the configured token as 'Authorization: Bearer TOKEN'.");
        }

        return TypedResults.Ok(await host.ReconcileAsync(cancellationToken).ConfigureAwait(false));
    }
}
