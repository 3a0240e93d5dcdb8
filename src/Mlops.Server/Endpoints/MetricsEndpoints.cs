using Microsoft.Extensions.Options;
using Mlops.Server.Hosting;

namespace Mlops.Server.Endpoints;

/// <summary><c>GET /metrics</c>: the series of docs/monitoring.md in Prometheus' text format (OpenMetrics when asked for).</summary>
internal static class MetricsEndpoints
{
    public static IEndpointRouteBuilder MapMetricsEndpoint(this IEndpointRouteBuilder app)
    {
        app.MapGet("/metrics", MetricsAsync).WithTags("metrics");
        return app;
    }

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
}
