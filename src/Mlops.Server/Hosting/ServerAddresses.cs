namespace Mlops.Server.Hosting;

/// <summary>
/// Where the server listens, by ASP.NET Core's conventions: <c>--urls</c>, <c>ASPNETCORE_URLS</c> (or
/// <c>DOTNET_URLS</c>), <c>ASPNETCORE_HTTP_PORTS</c>/<c>HTTPS_PORTS</c> (what .NET's container images
/// set) or a <c>Kestrel:Endpoints</c> section in appsettings; only when none of them is set does it
/// listen on <see cref="Default"/>, loopback, so a server started by hand is never open to the network
/// by accident while a container's settings are honoured.
/// </summary>
public static class ServerAddresses
{
    /// <summary>The address when nothing else is configured.</summary>
    public const string Default = "http://127.0.0.1:8080";

    /// <summary>Whether the configuration says where to listen.</summary>
    /// <param name="configuration">The host's configuration (command line, environment variables, appsettings).</param>
    public static bool AreConfigured(IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        return !string.IsNullOrWhiteSpace(configuration["urls"])
            || !string.IsNullOrWhiteSpace(configuration["http_ports"])
            || !string.IsNullOrWhiteSpace(configuration["https_ports"])
            || configuration.GetSection("Kestrel:Endpoints").GetChildren().Any();
    }
}
