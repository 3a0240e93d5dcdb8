using Mlops.Server.Hosting;

// RunAsync owns the app and disposes it: under a test host a failed start must leave it to the factory.
var app = MlopsServer.Build(args);
return await ServerStartup.RunAsync(app, Console.Error).ConfigureAwait(false);

/// <summary>The entry point; WebApplicationFactory finds the application through it.</summary>
public partial class Program;
