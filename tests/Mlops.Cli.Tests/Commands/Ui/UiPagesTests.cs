using System.Globalization;
using Microsoft.Playwright;
using Mlops.Pipeline.Tracking;
using Mlops.Testing;

namespace Mlops.Cli.Tests.Commands.Ui;

/// <summary>The runs, run, compare, registry and history pages of <c>mlops ui</c> on the released example, in a real browser.</summary>
public sealed class UiPagesTests(UiRepositoryFixture ui) : IClassFixture<UiRepositoryFixture>
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private Run A => ui.Runs[0];

    private Run B => ui.Runs[1];

    private async Task<BrowserPage> OpenAsync(string pathAndQuery)
    {
        var page = await ui.RequireBrowser().OpenAsync();
        var response = await page.Page.GotoAsync(ui.Url(pathAndQuery));
        Assert.Equal(200, response!.Status);
        return page;
    }

    private static async Task<IReadOnlyList<string>> RowOrderAsync(IPage page)
    {
        var ids = new List<string>();
        foreach (var row in await page.Locator("table.runs tbody tr").AllAsync())
        {
            ids.Add((await row.GetAttributeAsync("data-run"))!);
        }

        return ids;
    }

    [Fact]
    public async Task RunsPage_ListsBothRunsWithTheirParametersAndMetrics_AndChartsTheChosenMetric()
    {
        await using var page = await OpenAsync("/ui/runs?model=churn&metric=auc");

        Assert.Equal(new[] { B.Id, A.Id }, await RowOrderAsync(page.Page));
        foreach (var run in ui.Runs)
        {
            var row = page.Page.Locator($"table.runs tr[data-run='{run.Id}']");
            Assert.Equal(run.Params.GetValueOrDefault(ui.ChangedParam) ?? "", await row.Locator($"td[data-column='params.{ui.ChangedParam}']").InnerTextAsync());
            var auc = run.FindMetric("auc")!.Value;
            Assert.Equal(auc, double.Parse((await row.Locator("td[data-column='metrics.auc']").GetAttributeAsync("data-value"))!, CultureInfo.InvariantCulture));
            Assert.Equal("succeeded", await row.Locator("td[data-column=status]").InnerTextAsync());
        }

        var points = page.Page.Locator(".chart[data-metric=auc] circle[data-label]");
        Assert.Equal(2, await points.CountAsync());
        Assert.Equal(A.Id, await points.First.GetAttributeAsync("data-label"));
        Assert.Equal(A.FindMetric("auc")!.Value, double.Parse((await points.First.GetAttributeAsync("data-value"))!, CultureInfo.InvariantCulture));
        Assert.Equal(2, await page.Page.Locator("table.chart-figures tbody tr").CountAsync());
        Assert.Empty(page.ProblemsSoFar());
    }

    [Fact]
    public async Task RunsPage_ClickingAColumnHeader_SortsByItAndClickingAgainReverses()
    {
        await using var page = await OpenAsync("/ui/runs?model=churn");
        var header = page.Page.Locator("th[data-column=started] a");

        await ClickAndWaitAsync(page.Page, () => header.ClickAsync(), "dir=asc");
        var ascending = await RowOrderAsync(page.Page);
        await ClickAndWaitAsync(page.Page, () => header.ClickAsync(), "dir=desc");
        var descending = await RowOrderAsync(page.Page);

        Assert.Equal(new[] { A.Id, B.Id }, ascending);
        Assert.Equal(new[] { B.Id, A.Id }, descending);
        Assert.Equal("descending", await page.Page.Locator("th[data-column=started]").GetAttributeAsync("aria-sort"));
        Assert.Empty(page.ProblemsSoFar());
    }

    [Fact]
    public async Task RunsPage_Filter_NarrowsTheRowsToTheRunsThatMatch()
    {
        await using var page = await OpenAsync("/ui/runs?model=churn");
        var name = ui.ChangedParam[(ui.ChangedParam.LastIndexOf('.') + 1)..];

        await page.Page.FillAsync("input[name=filter]", $"{name}={B.Params[ui.ChangedParam]} and status=succeeded");
        await ClickAndWaitAsync(page.Page, () => page.Page.ClickAsync("form.filter button[type=submit]"), "filter=");

        Assert.Equal(new[] { B.Id }, await RowOrderAsync(page.Page));
        Assert.Equal("1", await page.Page.Locator("[data-count]").GetAttributeAsync("data-count"));
        Assert.Equal(0, await page.Page.Locator("[data-filter-error]").CountAsync());
        Assert.Empty(page.ProblemsSoFar());
    }

    [Fact]
    public async Task RunsPage_TickingTwoRunsAndCompare_ShowsTheDeltaOfTheRunStore()
    {
        await using var page = await OpenAsync("/ui/runs?model=churn&sort=started&dir=asc");

        await page.Page.CheckAsync($"input[type=checkbox][value='{A.Id}']");
        await page.Page.CheckAsync($"input[type=checkbox][value='{B.Id}']");
        await ClickAndWaitAsync(page.Page, () => page.Page.ClickAsync("text=Compare selected runs"), "/ui/runs/compare");

        Assert.Contains($"run={A.Id}&run={B.Id}", page.Page.Url, StringComparison.Ordinal);
        var expected = RunComparison.Create(A, B).Metrics.Single(m => m.Name == "auc" && m.Slice.Length == 0 && m.Split == RunMetric.Holdout).Delta!.Value;
        var cell = page.Page.Locator($"table.compare-metrics tr[data-metric=auc][data-slice=''][data-split=holdout] td[data-run='{B.Id}']");
        var shown = double.Parse((await cell.GetAttributeAsync("data-delta"))!, CultureInfo.InvariantCulture);
        Assert.Equal(expected, shown);
        Assert.Equal(B.FindMetric("auc")!.Value - A.FindMetric("auc")!.Value, shown, 12);
        Assert.Equal("true", await page.Page.Locator($"table.compare-params tr[data-param='{ui.ChangedParam}']").GetAttributeAsync("data-differs"));
        Assert.Equal(2, await page.Page.Locator(".chart circle[data-label]").CountAsync());
        Assert.Empty(page.ProblemsSoFar());
    }

    [Fact]
    public async Task RunPage_ShowsTheRunsLineage()
    {
        await using var page = await OpenAsync("/ui/runs/" + B.Id);

        async Task<string> FieldAsync(string key) => await page.Page.Locator($"table.lineage tr[data-field={key}] td").InnerTextAsync();
        Assert.Equal(B.DataDigest, await FieldAsync("dataDigest"));
        Assert.Equal(B.Git.Commit, await FieldAsync("gitCommit"));
        Assert.Equal(B.Git.Dirty == true ? "yes (dirty)" : "no (clean)", await FieldAsync("gitDirty"));
        Assert.Equal(B.Seed!.Value.ToString(CultureInfo.InvariantCulture), await FieldAsync("seed"));
        Assert.Equal(B.Artifact!.Digest, await FieldAsync("artifactDigest"));
        Assert.Equal(B.Toolchain.MlNet, await FieldAsync("mlnet"));
        Assert.Equal(B.Toolchain.DotNet, await FieldAsync("dotnet"));
        Assert.Equal(B.Metrics.Count, await page.Page.Locator("table.metrics tbody tr").CountAsync());
        Assert.Equal(B.Params[ui.ChangedParam], await page.Page.Locator($"table.params tr[data-param='{ui.ChangedParam}'] td").Nth(1).InnerTextAsync());
        Assert.Empty(page.ProblemsSoFar());
    }

    [Fact]
    public async Task RegistryPage_ListsTheVersionsWithTheEnvironmentsThatPinThem_AndTheDescriptionAsText()
    {
        await using var page = await OpenAsync("/ui/registry");
        var churn = page.Page.Locator("section[data-model=churn]");

        Assert.Equal("staging", await churn.Locator("tr[data-version='2'] td[data-column=environments]").InnerTextAsync());
        Assert.Equal("production", await churn.Locator("tr[data-version='1'] td[data-column=environments]").InnerTextAsync());
        Assert.StartsWith("sha256:", await churn.Locator("tr[data-version='2'] td[data-column=digest]").InnerTextAsync(), StringComparison.Ordinal);
        Assert.Contains("auc ", await churn.Locator("tr[data-version='2'] td[data-column=metrics]").InnerTextAsync(), StringComparison.Ordinal);
        Assert.Equal(UiRepositoryFixture.Description, await churn.Locator("p.description").InnerTextAsync());
        Assert.Equal(0, await page.Page.Locator("script, b").CountAsync());
        Assert.Empty(page.ProblemsSoFar());
    }

    [Fact]
    public async Task HistoryPage_ShowsThePromotionsAndMarksTheRollback()
    {
        await using var page = await OpenAsync("/ui/history/production");
        var rows = page.Page.Locator("section[data-environment=production] table.history tbody tr");

        Assert.Equal(4, await rows.CountAsync());
        var rollback = rows.First;
        Assert.Equal("rollback", await rollback.GetAttributeAsync("data-kind"));
        Assert.Equal(ui.PromotionOfV2, await rollback.Locator("[data-rolled-back]").GetAttributeAsync("data-rolled-back"));
        var undone = rollback.Locator("div[data-model=churn]");
        Assert.Equal(("2", "1"), (await undone.GetAttributeAsync("data-before"), await undone.GetAttributeAsync("data-after")));
        var promotion = rows.Nth(1);
        Assert.Equal("promotion", await promotion.GetAttributeAsync("data-kind"));
        Assert.Equal(ui.PromotionOfV2, await promotion.GetAttributeAsync("data-commit"));
        Assert.Equal("v1 → v2: promoted", (await promotion.Locator("div[data-model=churn]").InnerTextAsync())[("churn ".Length)..]);
        Assert.Equal("promotion", await rows.Nth(2).GetAttributeAsync("data-kind"));
        Assert.Equal("edit", await rows.Nth(3).GetAttributeAsync("data-kind"));
        Assert.Equal("churn@v1", await rollback.Locator("td[data-column=pins]").InnerTextAsync());
        Assert.Empty(page.ProblemsSoFar());
    }

    [Fact]
    public async Task RunsPage_UnreadableFilter_SaysWhatToWriteAndKeepsEveryRun()
    {
        using var http = new HttpClient { BaseAddress = ui.Address };

        var page = await http.GetStringAsync("/ui/runs?model=churn&filter=" + Uri.EscapeDataString("auc>"), Ct);

        Assert.Contains("Filter not applied: &#39;auc&gt;&#39; has no value after it", page, StringComparison.Ordinal);
        Assert.Contains($"data-run=\"{A.Id}\"", page, StringComparison.Ordinal);
        Assert.Contains($"data-run=\"{B.Id}\"", page, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Compare_OneRun_AnswersBadRequestAskingForTwo()
    {
        using var http = new HttpClient { BaseAddress = ui.Address };

        var answer = await http.GetAsync("/ui/runs/compare?run=" + A.Id, Ct);

        Assert.Equal(System.Net.HttpStatusCode.BadRequest, answer.StatusCode);
        Assert.Contains("Tick two or more runs to compare (1 given)", await answer.Content.ReadAsStringAsync(Ct), StringComparison.Ordinal);
    }

    [Fact]
    public async Task HistoryPage_WithoutAnEnvironment_ShowsEveryEnvironment()
    {
        using var http = new HttpClient { BaseAddress = ui.Address };

        var page = await http.GetStringAsync("/ui/history", Ct);

        Assert.Contains("data-environment=\"production\"", page, StringComparison.Ordinal);
        Assert.Contains("data-environment=\"staging\"", page, StringComparison.Ordinal);
        Assert.Contains($"data-rolled-back=\"{ui.PromotionOfV2}\"", page, StringComparison.Ordinal);
    }

    [Fact]
    public async Task UnknownRun_AnswersNotFoundNamingTheRunsPage()
    {
        using var http = new HttpClient { BaseAddress = ui.Address };

        var answer = await http.GetAsync("/ui/runs/20990101T000000Z-00000000", Ct);

        Assert.Equal(System.Net.HttpStatusCode.NotFound, answer.StatusCode);
        Assert.Contains("No run &#39;20990101T000000Z-00000000&#39; is recorded", await answer.Content.ReadAsStringAsync(Ct), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Serve_ShowsTheRepositorysRunsPageToo()
    {
        await using var serve = await CliHost.StartAsync("/ui/runs", "serve", "--environment", "staging", "--repo", ui.Repo.Path);
        using var http = new HttpClient { BaseAddress = serve.Address };

        var answer = await http.GetAsync("/ui/runs?model=churn", Ct);
        var page = await answer.Content.ReadAsStringAsync(Ct);

        Assert.True(answer.IsSuccessStatusCode, $"answered {(int)answer.StatusCode}: {serve.Error}{page}");
        Assert.Contains($"data-run=\"{A.Id}\"", page, StringComparison.Ordinal);
        Assert.Contains($"data-run=\"{B.Id}\"", page, StringComparison.Ordinal);
        Assert.Equal(ExitCodes.Success, await serve.StopAsync());
    }

    /// <summary>
    /// Clicks and waits for the navigation it starts, to an address containing <paramref name="part"/>: the
    /// wait is set up before the click, so a page that loads before the wait begins (a busy machine) is not missed.
    /// </summary>
    private static async Task ClickAndWaitAsync(IPage page, Func<Task> click, string part)
    {
        var navigated = page.WaitForURLAsync(url => url.Contains(part, StringComparison.Ordinal), new PageWaitForURLOptions { WaitUntil = WaitUntilState.DOMContentLoaded });
        await click();
        await navigated;
    }
}
