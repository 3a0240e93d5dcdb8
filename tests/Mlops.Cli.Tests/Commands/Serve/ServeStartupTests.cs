using Mlops.Testing;

namespace Mlops.Cli.Tests.Commands.Serve;

/// <summary>
/// <c>mlops serve</c> run as its own process against conditions people cause: each ends with one line
/// on standard error saying what is wrong and what to do, exit code 2, and no stack trace.
/// </summary>
public sealed class ServeStartupTests : IDisposable
{
    private static readonly TimeSpan Limit = TimeSpan.FromMinutes(1);
    private readonly ExampleRepository _repo = new();

    public void Dispose() => _repo.Dispose();

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private DotNetProcess Serve(params string[] arguments) =>
        Serve(new Dictionary<string, string?>(), arguments);

    private DotNetProcess Serve(IReadOnlyDictionary<string, string?> environment, params string[] arguments) =>
        DotNetProcess.Start(typeof(MlopsApp).Assembly.Location, ["serve", "--repo", _repo.Path, .. arguments], _repo.Path, environment);

    private static async Task<string> OneLineAsync(DotNetProcess serve)
    {
        var exit = await serve.WaitForExitAsync(Limit, Ct);

        Assert.True(exit == ExitCodes.BadInput, $"exited {exit}: {serve.Error}{serve.Out}");
        Assert.DoesNotContain("   at ", serve.Out + serve.Error, StringComparison.Ordinal);
        Assert.DoesNotContain("internal error", serve.Error, StringComparison.Ordinal);
        return Assert.Single(serve.ErrorLines);
    }

    [Fact]
    public async Task Serve_PortAlreadyInUse_ExitsTwoWithOneLineSayingSo()
    {
        using var held = new HeldPort();
        using var serve = Serve("--environment", "staging", "--urls", held.Url);

        var line = await OneLineAsync(serve);

        Assert.Equal($"mlops: {held.Url} is already in use: another process listens there. Stop it, or listen elsewhere with --urls (for example --urls http://127.0.0.1:8081).", line);
    }

    [Fact]
    public async Task Serve_PortAlreadyInUseWithMlopsDebug_AlsoPrintsTheStackTrace()
    {
        using var held = new HeldPort();
        using var serve = Serve(new Dictionary<string, string?> { ["MLOPS_DEBUG"] = "1" }, "--environment", "staging", "--urls", held.Url);

        var exit = await serve.WaitForExitAsync(Limit, Ct);

        Assert.Equal(ExitCodes.BadInput, exit);
        Assert.StartsWith($"mlops: {held.Url} is already in use", serve.Error, StringComparison.Ordinal);
        Assert.Contains("   at ", serve.Error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("not-a-url", "mlops: 'not-a-url' is not an address to listen on. Write it as http://HOST:PORT, for example --urls http://127.0.0.1:8080.")]
    [InlineData("http://127.0.0.1:99999", "mlops: http://127.0.0.1:99999 has a port outside 0-65535. Use an address of this machine and a free port with --urls, for example --urls http://127.0.0.1:8080.")]
    [InlineData("https://127.0.0.1:8443", "mlops: https://127.0.0.1:8443: the server listens on http:// only. End TLS at a reverse proxy or load balancer in front of it, and pass an http:// address with --urls.")]
    public async Task Serve_UrlsThatCannotBeListenedOn_ExitsTwoWithOneLine(string urls, string expected)
    {
        using var serve = Serve("--environment", "staging", "--urls", urls);

        Assert.Equal(expected, await OneLineAsync(serve));
    }

    [Fact]
    public async Task Serve_MissingEnvironmentFile_ExitsTwoNamingTheEnvironmentsThatExist()
    {
        using var serve = Serve("--environment", "prod", "--urls", "http://127.0.0.1:0");

        var line = await OneLineAsync(serve);

        Assert.Equal($"mlops: the environment file '{_repo.Combine("environments/prod.yaml")}' does not exist. "
            + "Serve one of the environments declared there (production, staging) with --environment (or Mlops:Environment), or correct --repo.", line);
    }

    [Fact]
    public async Task Serve_StoreThatIsNotAFolder_ExitsTwoSayingWhatAStoreIs()
    {
        var store = _repo.Write("store.txt", "not a store");
        using var serve = Serve("--environment", "staging", "--store", store, "--urls", "http://127.0.0.1:0");

        var line = await OneLineAsync(serve);

        Assert.Equal($"mlops: the store '{store}' is a file, not a folder. Pass the store's folder (or s3://BUCKET/PREFIX) with --store (or Mlops:Store), or set MLOPS_STORE.", line);
    }

    [Fact]
    public async Task Serve_SigTerm_StopsGracefullyWithExitZero()
    {
        using var serve = Serve("--environment", "staging", "--urls", "http://127.0.0.1:0", "--poll-seconds", "3600");
        var waited = System.Diagnostics.Stopwatch.StartNew();
        while (!serve.Out.Contains("Serving environment 'staging'", StringComparison.Ordinal))
        {
            Assert.False(serve.Process.HasExited, $"mlops serve exited early: {serve.Error}{serve.Out}");
            Assert.True(waited.Elapsed < Limit, $"mlops serve did not start: {serve.Error}{serve.Out}");
            await Task.Delay(100, Ct);
        }

        serve.Signal("TERM");
        var exit = await serve.WaitForExitAsync(Limit, Ct);

        Assert.True(exit == ExitCodes.Success, $"exited {exit}: {serve.Error}");
        Assert.Empty(serve.Error);
    }

    [Fact]
    public async Task Serve_WithoutUrls_ListensWhereAspNetCoreUrlsSays()
    {
        using var serve = Serve(new Dictionary<string, string?> { ["ASPNETCORE_URLS"] = "http://127.0.0.1:0" }, "--environment", "staging", "--poll-seconds", "3600");
        var waited = System.Diagnostics.Stopwatch.StartNew();
        while (!serve.Out.Contains("Serving environment 'staging'", StringComparison.Ordinal))
        {
            Assert.False(serve.Process.HasExited, $"mlops serve exited early: {serve.Error}{serve.Out}");
            Assert.True(waited.Elapsed < Limit, $"mlops serve did not start: {serve.Error}{serve.Out}");
            await Task.Delay(100, Ct);
        }

        // Port 0 from the environment: the system picked a port, which the start line names (not the 8080 default).
        var address = System.Text.RegularExpressions.Regex.Match(serve.Out, @"on (http://127\.0\.0\.1:(\d+))").Groups;
        Assert.True(address[1].Success, serve.Out);
        Assert.NotEqual("8080", address[2].Value);
        Assert.NotEqual("0", address[2].Value);
        using var client = new HttpClient { BaseAddress = new Uri(address[1].Value) };
        Assert.True((await client.GetAsync("/v2/health/live", Ct)).IsSuccessStatusCode);
        serve.Signal("TERM");
        Assert.Equal(ExitCodes.Success, await serve.WaitForExitAsync(Limit, Ct));
    }

    [Fact]
    public async Task Serve_WithoutUrls_ATakenPortFromAspNetCoreUrls_IsNamedInTheOneLine()
    {
        using var held = new HeldPort();
        using var serve = Serve(new Dictionary<string, string?> { ["ASPNETCORE_URLS"] = held.Url }, "--environment", "staging");

        var line = await OneLineAsync(serve);

        Assert.StartsWith($"mlops: {held.Url} is already in use", line, StringComparison.Ordinal);
    }
}
