using System.Globalization;
using System.Runtime.CompilerServices;
using Microsoft.Playwright;
using Mlops.Server.Tests.Monitoring;
using Mlops.Server.Tests.Standalone;
using Mlops.Testing;

namespace Mlops.Server.Tests.Ui;

/// <summary>
/// The model page after the monitoring drift scenario (issue 15's done-when), in a real browser: a
/// clean window of training rows, then a window with monthly_charges up 30 %, contracts skewed to
/// month-to-month and total_charges empty in a third of the rows. The heat strip marks the three
/// features drifted in the second window only, and the page's figures hold the rows sent.
/// </summary>
public sealed class ModelPageDriftTests(MonitoringFixture example) : IClassFixture<MonitoringFixture>, IAsyncDisposable
{
    private const int RowsSent = 1_500;
    private static readonly string[] s_changed = ["contract", "monthly_charges", "total_charges"];
    private readonly TempDirectory _cache = new("mlops-model-page");
    private StandaloneServer? _server;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public async ValueTask DisposeAsync()
    {
        if (_server is not null)
        {
            await _server.DisposeAsync();
        }

        _cache.Dispose();
    }

    [Fact]
    public async Task ModelPage_AfterADriftedWindow_MarksTheChangedFeaturesDriftedThereOnly_WithTheRowsSent()
    {
        UiFixture.RequireChromium();
        await using var browser = await Browser.LaunchAsync();
        using var client = await ServeAsync();
        var clean = example.Rows.Take(RowsSent).Select(r => r.Features).ToList();
        var drifted = clean.Select((row, i) => new Dictionary<string, object?>(row)
        {
            ["monthly_charges"] = (double)row["monthly_charges"]! * 1.3,
            ["contract"] = i % 10 == 0 ? row["contract"] : "Month-to-month",
            ["total_charges"] = i % 3 == 0 ? null : row["total_charges"],
        }).ToList();

        await MonitoringEndToEndTests.NextWindowAsync();
        await MonitoringEndToEndTests.PredictAsync(client, clean);
        await ModelPageFixture.WaitForOpenRowsAsync(client, "churn", RowsSent);
        await MonitoringEndToEndTests.NextWindowAsync();
        await MonitoringEndToEndTests.PredictAsync(client, drifted);
        await ModelPageFixture.WaitForOpenRowsAsync(client, "churn", RowsSent);

        await using var page = await browser.OpenAsync();
        var response = await page.Page.GotoAsync(new Uri(client.BaseAddress!, "/ui/models/churn").ToString());
        Assert.Equal(200, response!.Status);

        // The two windows the test filled are the last two: the clean one, then the drifted (open) one.
        var windows = await page.Page.Locator("table.windows tbody tr").AllAsync();
        Assert.True(windows.Count >= 2, $"{windows.Count} windows");
        Assert.Equal([RowsSent.ToString(CultureInfo.InvariantCulture), RowsSent.ToString(CultureInfo.InvariantCulture)],
            [await windows[^2].GetAttributeAsync("data-rows"), await windows[^1].GetAttributeAsync("data-rows")]);
        Assert.Equal(RowsSent.ToString("N0", CultureInfo.InvariantCulture), await windows[^1].Locator("td").Nth(3).InnerTextAsync());
        foreach (var feature in s_changed)
        {
            var cells = await page.Page.Locator($"svg.heat-strip rect[data-row={feature}]").AllAsync();
            Assert.Equal(windows.Count, cells.Count);
            Assert.Equal("ok", await cells[^2].GetAttributeAsync("data-state"));
            Assert.Equal("drifted", await cells[^1].GetAttributeAsync("data-state"));
            Assert.Equal("drifted", await page.Page.Locator($"table.drift tr[data-feature={feature}] td[data-state]").GetAttributeAsync("data-state"));
        }

        var driftedThere = await page.Page.Locator("svg.heat-strip rect[data-state=drifted]").EvaluateAllAsync<string[]>("cells => cells.map(c => c.getAttribute('data-row'))");
        Assert.Equal(s_changed, driftedThere.Distinct().Order(StringComparer.Ordinal));
        Assert.Contains("33.", await page.Page.Locator("table.drift tr[data-feature=total_charges] td").Nth(7).InnerTextAsync(), StringComparison.Ordinal);

        // The predictions of the open window against the holdout's, whose shares each sum to one.
        var shares = await page.Page.Locator("svg.bar-chart rect[data-series=window]").EvaluateAllAsync<string[]>("bars => bars.map(b => b.getAttribute('data-value'))");
        Assert.NotEmpty(shares);
        Assert.Equal(2.0, shares.Sum(s => double.Parse(s, CultureInfo.InvariantCulture)), 6);
        Assert.True(await page.Page.Locator("svg.bar-chart rect[data-series=reference]").CountAsync() > 0);
        Assert.Contains("Predicts whether a customer leaves within the month.", await page.Page.Locator("p.description").InnerTextAsync(), StringComparison.Ordinal);
        Assert.Empty(page.ProblemsSoFar());

        // The open window as one self-contained drift report, linked from the page: a download with
        // the same verdicts and no address outside the file.
        var report = await client.GetAsync(await page.Page.Locator("a.drift-report").GetAttributeAsync("href"), Ct);
        Assert.Equal(System.Net.HttpStatusCode.OK, report.StatusCode);
        Assert.Equal("attachment", report.Content.Headers.ContentDisposition!.DispositionType);
        var html = await report.Content.ReadAsStringAsync(Ct);
        Assert.DoesNotContain("http://", html, StringComparison.Ordinal);
        Assert.DoesNotContain("https://", html, StringComparison.Ordinal);
        Assert.Contains("<style>", html, StringComparison.Ordinal);
        await using var saved = await browser.OpenAsync(offline: true);
        await saved.Page.SetContentAsync(html);
        var driftedInReport = await saved.Page.Locator("table.features tr[data-drifted=true]").EvaluateAllAsync<string[]>("rows => rows.map(r => r.getAttribute('data-feature'))");
        Assert.Equal(s_changed, driftedInReport.Order(StringComparer.Ordinal));
        Assert.Empty(saved.ProblemsSoFar());

        if (Environment.GetEnvironmentVariable("MLOPS_UPDATE_SCREENSHOTS") == "1")
        {
            await page.Page.ScreenshotAsync(new PageScreenshotOptions { Path = Images("ui-model-drift.png"), FullPage = true });
            await using var overview = await browser.OpenAsync();
            await overview.Page.GotoAsync(new Uri(client.BaseAddress!, "/ui/").ToString());
            await overview.Page.ScreenshotAsync(new PageScreenshotOptions { Path = Images("ui-overview.png"), FullPage = true });
            Assert.Empty(overview.ProblemsSoFar());
        }
    }

    private async Task<HttpClient> ServeAsync()
    {
        var monitoring = $$"""
              window: {{MonitoringEndToEndTests.WindowSeconds}}s
              drift: { method: auto, threshold: 0.1, driftShare: 0.15 }
            """;
        example.Repository.Write("environments/staging.yaml", example.Environment(monitoring));
        Git.CommitAll(example.Repository.Path, "Serve for the model page test");
        _server = await StandaloneServer.StartAsync(
            [
                "--Mlops:Environment=staging",
                $"--Mlops:Repo={example.Repository.Path}",
                $"--Mlops:Store={example.StoreFolder.Path}",
                $"--Mlops:CacheFolder={_cache.Combine("cache")}",
                "--Mlops:MonitorEvaluateSeconds=0.2",
            ],
            Ct);
        var client = new HttpClient { BaseAddress = _server.Address };
        ServerFixture.WaitReady(client);
        return client;
    }

    private static string Images(string file, [CallerFilePath] string source = "") =>
        Path.GetFullPath(Path.Combine(Path.GetDirectoryName(source)!, "../../../docs/images", file));
}
