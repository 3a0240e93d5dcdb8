namespace Mlops.Runtime.Serving;

/// <summary>
/// What the server promises a container platform: the port it listens on in a container and its health
/// routes (the Open Inference Protocol's). One owner: the server maps these routes, <c>mlops render k8s</c>
/// points the probes at them, and the Dockerfile's health check and port are tested against them.
/// </summary>
public static class ServerContainer
{
    /// <summary>The port the server listens on in a container (<c>ASPNETCORE_HTTP_PORTS</c> of .NET's images).</summary>
    public const int Port = 8080;

    /// <summary>Liveness: 200 while the process serves HTTP at all.</summary>
    public const string LivePath = "/v2/health/live";

    /// <summary>Readiness: 200 when a commit is applied and every model can answer, else 400.</summary>
    public const string ReadyPath = "/v2/health/ready";
}
