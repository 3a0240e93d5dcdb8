using Mlops.Server.Hosting;

await using var app = MlopsServer.Build(args);
return await ServerStartup.RunAsync(app, Console.Error).ConfigureAwait(false);

/// <summary>The entry point; WebApplicationFactory finds the application through it.</summary>
public partial class Program;
