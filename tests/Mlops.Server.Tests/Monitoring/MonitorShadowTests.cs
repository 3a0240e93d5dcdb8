using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Mlops.Runtime.Tests.Serving;

namespace Mlops.Server.Tests.Monitoring;

/// <summary>A shadow scores the same rows as the primary and is watched in windows of its own.</summary>
public sealed class MonitorShadowTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Shadow_IsWatchedBesideThePrimary_WithTheSameRows()
    {
        using var server = new ServerFixture();
        TestModels.WriteEnvironment(server.Repository, TestModels.Pin(server.One, 1, extra: $"    shadow: {{ version: 2, digest: {server.Two} }}\n"));
        using (var reload = new HttpRequestMessage(HttpMethod.Post, "/admin/reload"))
        {
            reload.Headers.Authorization = new AuthenticationHeaderValue("Bearer", ServerFixture.AdminToken);
            using var reloaded = await server.Client.SendAsync(reload, Ct);
            Assert.True(reloaded.IsSuccessStatusCode, await reloaded.Content.ReadAsStringAsync(Ct));
        }

        for (var i = 0; i < 12; i++)
        {
            using var response = await server.Client.PostAsJsonAsync("/models/churn/predict", new { tenure = 12.0 + i, contract = "One year" }, Ct);
            Assert.True(response.IsSuccessStatusCode, await response.Content.ReadAsStringAsync(Ct));
        }

        var versions = JsonDocument.Parse(await server.Client.GetStringAsync("/monitoring", Ct)).RootElement.GetProperty("models")[0].GetProperty("versions");

        var byRole = versions.EnumerateArray().ToDictionary(v => v.GetProperty("role").GetString()!, v => (Version: v.GetProperty("version").GetInt32(), Rows: v.GetProperty("figures").GetProperty("rows").GetDouble(), Requests: v.GetProperty("figures").GetProperty("requests").GetDouble()));
        Assert.Equal((1, 12.0, 12.0), byRole["primary"]);
        Assert.Equal((2, 12.0, 12.0), byRole["shadow"]);
    }
}
