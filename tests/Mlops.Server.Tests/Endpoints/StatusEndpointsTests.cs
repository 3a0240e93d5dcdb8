using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using Mlops.Runtime.Tests.Serving;

namespace Mlops.Server.Tests.Endpoints;

public sealed class StatusEndpointsTests : IDisposable
{
    private readonly ServerFixture _server = new();

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public void Dispose() => _server.Dispose();

    [Fact]
    public async Task Status_AfterStart_IsSyncedAndHealthy()
    {
        var body = await ServerFixture.JsonAsync(await _server.Client.GetAsync("/status", Ct));

        Assert.Equal("Synced", body.GetProperty("sync").GetString());
        Assert.Equal("Healthy", body.GetProperty("health").GetString());
        Assert.Equal(_server.One, body.GetProperty("models")[0].GetProperty("served").GetProperty("digest").GetString());
    }

    [Fact]
    public async Task Status_PinnedFeatureSetEditedInPlace_IsDegradedWithTheDiagnosticLinesAndTheOldVersionAnswers()
    {
        TestModels.WriteEnvironment(_server.Repository, TestModels.Pin(_server.One, 1, extra: $"    featureSetDigest: {TestModels.FeatureSet.SchemaDigest}\n"));
        Assert.Equal(HttpStatusCode.OK, (await ReloadAsync()).StatusCode);
        _server.Repository.Replace("features/customer.yaml", "Two year]", "Two year, Three year]");
        TestModels.WriteEnvironment(_server.Repository, TestModels.Pin(_server.Two, 2, extra: $"    featureSetDigest: {TestModels.FeatureSet.SchemaDigest}\n"));

        await ReloadAsync();
        var body = await ServerFixture.JsonAsync(await _server.Client.GetAsync("/status", Ct));

        Assert.Equal(("OutOfSync", "Degraded"), (body.GetProperty("sync").GetString(), body.GetProperty("health").GetString()));
        var line = Assert.Single(body.GetProperty("diagnostics").EnumerateArray()).GetString()!;
        Assert.StartsWith("environments/staging.yaml(7,23): error MLOPS0308: 'churn' v2 was trained on customer@1 with schema digest", line, StringComparison.Ordinal);
        Assert.Equal("Degraded", body.GetProperty("models")[0].GetProperty("health").GetString());
        var infer = await _server.Client.PostAsJsonAsync("/v2/models/churn/infer", ServerFixture.InferBody(), Ct);
        Assert.Equal("1", (await ServerFixture.JsonAsync(infer)).GetProperty("model_version").GetString());
    }

    [Fact]
    public async Task Reload_WithoutToken_Gets401()
    {
        var response = await _server.Client.PostAsync("/admin/reload", null, Ct);

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
    }

    [Fact]
    public async Task Reload_WithToken_ServesTheNewPin()
    {
        TestModels.WriteEnvironment(_server.Repository, TestModels.Pin(_server.Two, 2));

        var response = await ReloadAsync();

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var infer = await _server.Client.PostAsJsonAsync("/v2/models/churn/infer", ServerFixture.InferBody(), Ct);
        Assert.Equal("2", (await ServerFixture.JsonAsync(infer)).GetProperty("model_version").GetString());
    }

    private async Task<HttpResponseMessage> ReloadAsync()
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/admin/reload");
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", ServerFixture.AdminToken);
        return await _server.Client.SendAsync(request, Ct);
    }
}
