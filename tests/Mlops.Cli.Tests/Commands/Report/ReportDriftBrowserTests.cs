using System.Text;
using Mlops.Cli.Tests.Commands.Drift;
using Mlops.Testing;

namespace Mlops.Cli.Tests.Commands.Report;

/// <summary>The drift report opened from disk in a real browser with no network: it loads cleanly, marks the drifted features and shows markup in values as text.</summary>
public sealed class ReportDriftBrowserTests : IAsyncLifetime
{
    private readonly string _folder = Directory.CreateTempSubdirectory("mlops-report-browser-").FullName;
    private Browser? _browser;

    public async ValueTask InitializeAsync()
    {
        if (Browser.Available)
        {
            _browser = await Browser.LaunchAsync();
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (_browser is not null)
        {
            await _browser.DisposeAsync();
        }

        Directory.Delete(_folder, recursive: true);
    }

    [Fact]
    public async Task Report_OpenedFromDiskOffline_LoadsWithNoErrorOrRequest_AndMarksTheDriftedFeatures()
    {
        var html = await WriteReportAsync(Rows("amount,plan,steady", 2000, shift: 0, seed: 1), Rows("amount,plan,steady", 1500, shift: 1, seed: 2));

        await using var page = await RequireBrowser().OpenAsync(offline: true);
        await page.Page.GotoAsync(new Uri(html).AbsoluteUri);

        var drifted = await page.Page.Locator("table.features tbody tr.drifted[data-drifted=true]").EvaluateAllAsync<string[]>("rows => rows.map(r => r.dataset.feature)");
        Assert.Equal(["amount", "plan"], drifted);
        Assert.Equal("false", await page.Page.Locator("table.features tr[data-feature=steady]").GetAttributeAsync("data-drifted"));
        Assert.Equal("true", await page.Page.Locator("p.verdict").GetAttributeAsync("data-drifted"));
        Assert.Equal(3, await page.Page.Locator("section.feature svg.bar-chart").CountAsync());
        Assert.Empty(page.ProblemsSoFar());
    }

    [Fact]
    public async Task Report_CategoryValueHoldingAScriptTag_ShowsAsText_AndNoScriptElementExists()
    {
        var current = Rows("amount,plan,steady", 500, shift: 0, seed: 2) + "100,<script>document.title='owned'</script>,1\n";
        var html = await WriteReportAsync(Rows("amount,plan,steady", 500, shift: 0, seed: 1), current);

        await using var page = await RequireBrowser().OpenAsync(offline: true);
        await page.Page.GotoAsync(new Uri(html).AbsoluteUri);

        Assert.Equal(0, await page.Page.Locator("script").CountAsync());
        Assert.Equal("Drift report · mlops", await page.Page.TitleAsync());
        var bins = await page.Page.Locator("section.feature[data-feature=plan] table.figures tbody th").AllInnerTextsAsync();
        Assert.Contains("<script>document.title='owned'</script>", bins);
        Assert.Empty(page.ProblemsSoFar());
    }

    /// <summary>The browser, or a skip when chromium is missing; under CI=true a failure, never a silent skip.</summary>
    private Browser RequireBrowser()
    {
        if (_browser is not null)
        {
            return _browser;
        }

        Assert.False(Browser.Required, Browser.Missing);
        Assert.Skip(Browser.Missing);
        return null!;
    }

    private async Task<string> WriteReportAsync(string reference, string current)
    {
        var referencePath = Path.Combine(_folder, "ref.csv");
        var currentPath = Path.Combine(_folder, "cur.csv");
        await File.WriteAllTextAsync(referencePath, reference, new UTF8Encoding(false), TestContext.Current.CancellationToken);
        await File.WriteAllTextAsync(currentPath, current, new UTF8Encoding(false), TestContext.Current.CancellationToken);
        var html = Path.Combine(_folder, "drift.html");
        var result = await CliRunner.RunAsync("report", "drift", "--reference", referencePath, "--current", currentPath, "--html", html);
        Assert.True(result.ExitCode is 0 or 1, result.Error + result.Out);
        return html;
    }

    /// <summary>The drift tests' rows with a third column that never changes (a 0/1 flag in the same mix on both sides).</summary>
    private static string Rows(string header, int count, double shift, int seed)
    {
        var lines = DriftCommandTests.Rows(count, shift, seed).Split('\n', StringSplitOptions.RemoveEmptyEntries).Skip(1);
        return header + "\n" + string.Concat(lines.Select((line, i) => $"{line},{i % 2}\n"));
    }
}
