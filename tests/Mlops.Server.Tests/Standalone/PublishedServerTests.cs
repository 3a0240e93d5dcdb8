using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Mlops.Runtime.Serving;
using Mlops.Server.Hosting;
using Mlops.Testing;

namespace Mlops.Server.Tests.Standalone;

/// <summary>The publish profile's output, run as a container runs it: its own executable, the address from ASPNETCORE_URLS.</summary>
public sealed class PublishedServerTests(PublishedServerFixture published) : IClassFixture<PublishedServerFixture>, IAsyncDisposable
{
    private readonly ServedTestRepository _served = new();

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public ValueTask DisposeAsync() => _served.DisposeAsync();

    [Fact]
    public void Publish_IsSelfContainedLinuxX64WithoutThePipeline()
    {
        Assert.True(File.Exists(published.Executable), published.Output);
        Assert.True(File.Exists(Path.Combine(published.Folder, "libcoreclr.so")), "the publish does not carry the runtime (not self-contained)");
        Assert.False(File.Exists(Path.Combine(published.Folder, "Mlops.Pipeline.dll")));
        Assert.Empty(Directory.GetFiles(published.Folder, "*.dylib"));
        Assert.False(Directory.Exists(Path.Combine(published.Folder, "runtimes")), "native files of other platforms were copied");
    }

    [Fact]
    public async Task PublishedServer_ServesTheModelTheEnvironmentPins()
    {
        using var client = await _served.ServeAsync(_served.PutVersionOne(), Ct, published.Executable);

        Assert.Equal(HttpStatusCode.OK, await ServedTestRepository.WaitReadyAsync(client, Ct));
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync(ServerContainer.LivePath, Ct)).StatusCode);
        using var response = await client.PostAsJsonAsync("/v2/models/churn/infer", ServerFixture.InferBody(), Ct);
        var body = await response.Content.ReadFromJsonAsync<JsonElement>(Ct);

        Assert.True(response.StatusCode == HttpStatusCode.OK, body.ToString() + _served.Server!.Output);
        Assert.Equal("1", body.GetProperty("model_version").GetString());
        var outputs = body.GetProperty("outputs").EnumerateArray().Select(o => o.GetProperty("name").GetString()).ToList();
        Assert.Contains("probability", outputs);
    }

    [Fact]
    public async Task HealthCheckArgument_ExitsZeroForALiveServerAndOneWithoutOne()
    {
        using var client = await _served.ServeAsync(_served.PutVersionOne(), Ct, published.Executable);
        var live = new Uri(_served.Server!.Address, ServerContainer.LivePath).ToString();

        var (up, upOutput) = await ToolProcess.RunAsync(published.Executable, [ContainerHealthCheck.Argument, live], Ct);
        await _served.StopAsync();
        var (down, downOutput) = await ToolProcess.RunAsync(published.Executable, [ContainerHealthCheck.Argument, live], Ct);

        Assert.True(up == 0, upOutput);
        Assert.Equal(1, down);
        Assert.Contains($"Mlops.Server {ContainerHealthCheck.Argument}: {live} did not answer", downOutput, StringComparison.Ordinal);
    }
}
