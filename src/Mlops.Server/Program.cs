using Mlops.Server.Hosting;

// The container's HEALTHCHECK: the runtime-deps image has no curl, so the server asks itself.
if (ContainerHealthCheck.IsRequested(args))
{
    return await ContainerHealthCheck.RunAsync(args, Console.Error).ConfigureAwait(false);
}

// RunAsync owns the app and disposes it: under a test host a failed start must leave it to the factory.
var app = MlopsServer.Build(args);
return await ServerStartup.RunAsync(app, Console.Error).ConfigureAwait(false);

/// <summary>The entry point; WebApplicationFactory finds the application through it.</summary>
public partial class Program;
