using System.Diagnostics;
using Mlops.Server.Hosting;
using Mlops.Testing;

namespace Mlops.Server.Tests.Hosting;

/// <summary>
/// The standalone server (what a container runs) as its own process: a start that cannot succeed
/// ends with one line on standard error and exit code 2, no stack trace; SIGTERM stops it with 0.
/// </summary>
public sealed class ServerStartupTests : IDisposable
{
    private static readonly TimeSpan Limit = TimeSpan.FromMinutes(1);
    private readonly ExampleRepository _repo = new();

    public void Dispose() => _repo.Dispose();

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private DotNetProcess Server(string urls, params string[] settings) =>
        DotNetProcess.Start(typeof(ServerStartup).Assembly.Location, ["--urls", urls, $"--Mlops:Repo={_repo.Path}", .. settings], _repo.Path);

    private static async Task<string> OneLineAsync(DotNetProcess server)
    {
        var exit = await server.WaitForExitAsync(Limit, Ct);

        Assert.True(exit == 2, $"exited {exit}: {server.Error}{server.Out}");
        Assert.DoesNotContain("   at ", server.Out + server.Error, StringComparison.Ordinal);
        return Assert.Single(server.ErrorLines);
    }

    [Fact]
    public async Task Start_PortAlreadyInUse_ExitsTwoWithOneLine()
    {
        using var held = new HeldPort();
        using var server = Server(held.Url, "--Mlops:Environment=staging");

        var line = await OneLineAsync(server);

        Assert.Equal($"Mlops.Server: {held.Url} is already in use: another process listens there. Stop it, or listen elsewhere with --urls (for example --urls http://127.0.0.1:8081).", line);
    }

    [Fact]
    public async Task Start_MissingEnvironmentFile_ExitsTwoWithOneLine()
    {
        using var server = Server("http://127.0.0.1:0", "--Mlops:Environment=qa");

        var line = await OneLineAsync(server);

        Assert.StartsWith($"Mlops.Server: the environment file '{_repo.Combine("environments/qa.yaml")}' does not exist.", line, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Start_InvalidSetting_ExitsTwoNamingIt()
    {
        using var server = Server("http://127.0.0.1:0", "--Mlops:Environment=staging", "--Mlops:MaxRows=0");

        var line = await OneLineAsync(server);

        Assert.StartsWith("Mlops.Server: the configuration is not valid: ", line, StringComparison.Ordinal);
        Assert.Contains("MaxRows", line, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Run_SigTerm_StopsWithExitZero()
    {
        using var server = Server("http://127.0.0.1:0", "--Mlops:Environment=staging");
        var waited = Stopwatch.StartNew();
        while (!server.Out.Contains("Now listening on", StringComparison.Ordinal))
        {
            Assert.False(server.Process.HasExited, $"the server exited early: {server.Error}{server.Out}");
            Assert.True(waited.Elapsed < Limit, $"the server did not start: {server.Error}{server.Out}");
            await Task.Delay(100, Ct);
        }

        server.Signal("TERM");

        Assert.Equal(0, await server.WaitForExitAsync(Limit, Ct));
        Assert.Empty(server.Error);
    }
}
