using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Mlops.Server.Hosting;

namespace Mlops.Server.Tests.Monitoring;

/// <summary>
/// Mlops:Monitoring:MaxRowsPerSecond: above the budget the windows hold a sample of the rows, while
/// every request's outcome is still counted; a budget below 1 stops the start naming the key.
/// </summary>
public sealed class MonitorSamplingTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task RowsBeyondTheSecondsBudget_AreLeftOutOfTheWindows_ButEveryRequestIsCounted()
    {
        using var server = new ServerFixture(b => b.UseSetting("Mlops:Monitoring:MaxRowsPerSecond", "5"));
        var monitor = server.Factory.Services.GetRequiredService<MonitorService>();

        for (var i = 0; i < 40; i++)
        {
            using var response = await server.Client.PostAsJsonAsync("/models/churn/predict", new { tenure = 12.0, contract = "One year" }, Ct);
            Assert.True(response.IsSuccessStatusCode, await response.Content.ReadAsStringAsync(Ct));
        }

        var version = JsonDocument.Parse(await server.Client.GetStringAsync("/monitoring", Ct)).RootElement.GetProperty("models")[0].GetProperty("versions")[0];
        var figures = version.GetProperty("figures");
        Assert.Equal(40, figures.GetProperty("requests").GetDouble());
        // 5 rows a second at most: the 40 requests took at most a few seconds.
        Assert.InRange(figures.GetProperty("rows").GetDouble(), 5, 35);
        Assert.Equal(40 - (long)figures.GetProperty("rows").GetDouble(), monitor.RowsNotSampled);
    }

    [Fact]
    public void BudgetBelowOne_TheServerDoesNotStartAndSaysWhich()
    {
        using var factory = new WebApplicationFactory<Program>().WithWebHostBuilder(b => b
            .UseSetting("Mlops:Repo", Path.GetTempPath())
            .UseSetting("Mlops:Monitoring:MaxRowsPerSecond", "0"));

        var error = Assert.Throws<OptionsValidationException>(() => factory.CreateClient());

        Assert.Contains("Mlops:Monitoring:MaxRowsPerSecond is 0; give at least 1", error.Message, StringComparison.Ordinal);
    }
}
