using Mlops.Server.Hosting;

await MlopsServer.Build(args).RunAsync().ConfigureAwait(false);

/// <summary>The entry point; WebApplicationFactory finds the application through it.</summary>
public partial class Program;
