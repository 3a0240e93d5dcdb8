using System.Reflection;
using Microsoft.AspNetCore.Http.HttpResults;
using Mlops.Runtime.Reconcile;
using Mlops.Runtime.Serving;

namespace Mlops.Server.Endpoints;

/// <summary>Health and server metadata of the Open Inference Protocol; fit for Kubernetes probes (200 true, 400 false).</summary>
internal static class HealthEndpoints
{
    private static readonly string s_version = typeof(HealthEndpoints).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion ?? "0.0.0";

    public static RouteGroupBuilder MapHealth(this IEndpointRouteBuilder app)
    {
        var v2 = app.MapGroup("/v2").WithTags("health");
        v2.MapGet("", ServerMetadata);
        app.MapGet(ServerContainer.LivePath, Live).WithTags("health");
        app.MapGet(ServerContainer.ReadyPath, Ready).WithTags("health");
        v2.MapGet("/models/{name}/ready", ModelReady);
        v2.MapGet("/models/{name}/versions/{version}/ready", ModelVersionReady);
        return v2;
    }

    private static Ok<V2ServerMetadata> ServerMetadata() => TypedResults.Ok(new V2ServerMetadata("mlops", s_version, []));

    private static Ok<V2Live> Live() => TypedResults.Ok(new V2Live(true));

    private static Results<Ok<V2Ready>, JsonHttpResult<V2Ready>> Ready(ModelHost host) =>
        host.IsReady ? TypedResults.Ok(new V2Ready(true)) : TypedResults.Json(new V2Ready(false), statusCode: StatusCodes.Status400BadRequest);

    private static Results<Ok<V2ModelReady>, JsonHttpResult<V2ModelReady>, JsonHttpResult<V2Error>> ModelReady(string name, ModelHost host)
    {
        if (!host.Snapshot.Models.TryGetValue(name, out var served))
        {
            return TypedResults.Json(new V2Error(InferenceEndpoints.NotServed(host, name)), statusCode: StatusCodes.Status404NotFound);
        }

        return served.IsReady
            ? TypedResults.Ok(new V2ModelReady(name, true))
            : TypedResults.Json(new V2ModelReady(name, false), statusCode: StatusCodes.Status400BadRequest);
    }

    private static Results<Ok<V2ModelReady>, JsonHttpResult<V2Error>> ModelVersionReady(string name, string version, ModelHost host) =>
        int.TryParse(version, out var v) && host.Snapshot.FindVersion(name, v) is not null
            ? TypedResults.Ok(new V2ModelReady(name, true))
            : TypedResults.Json(new V2Error($"version '{version}' of model '{name}' is not loaded. GET /v2/models/{name} lists the loaded versions."), statusCode: StatusCodes.Status404NotFound);
}
