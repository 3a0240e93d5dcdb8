using Microsoft.AspNetCore.Http.HttpResults;
using Mlops.Runtime.Monitoring;
using Mlops.Server.Hosting;

namespace Mlops.Server.Endpoints;

/// <summary><c>GET /monitoring</c>: what the monitor sees now (the report <c>mlops monitor check</c> reads).</summary>
internal static class MonitoringEndpoints
{
    public static IEndpointRouteBuilder MapMonitoring(this IEndpointRouteBuilder app)
    {
        app.MapGet("/monitoring", Report).WithTags("monitoring");
        return app;
    }

    // Evaluated for each request rather than read from the last tick: a caller (a CI job, a test)
    // sees the rows sent just before. The evaluation reads only the windows' figures.
    private static Ok<MonitorReport> Report(MonitorService monitor) => TypedResults.Ok(monitor.Evaluate());
}
