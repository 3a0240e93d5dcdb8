using System.Net;
using System.Net.Http.Json;
using Mlops.Runtime.Tests.Serving;

namespace Mlops.Server.Tests.Ui;

/// <summary>The model page shows what requests and declarations hold as text, never as markup, and never shows a sensitive feature's values.</summary>
public sealed class ModelPageSafetyTests(ModelPageFixture ui) : IClassFixture<ModelPageFixture>
{
    private const string Injected = "<script>alert(1)</script>";
    private const string Secret = "Contract-Of-Jane-Doe";

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task ModelPage_CategoryValueAndDescriptionWithMarkup_ShowAsText_AndNoScriptRuns()
    {
        // contract takes undeclared categories (onUnknown: ignore), so the request's value reaches the window.
        var rows = Enumerable.Range(0, 60).Select(i => TestModels.Row(tenure: i, contract: i % 4 == 0 ? Injected : "One year")).ToList();
        (await ui.Client.PostAsJsonAsync("/models/churn/predict", rows, Ct)).EnsureSuccessStatusCode();
        await ModelPageFixture.WaitForOpenRowsAsync(ui.Client, "churn", 60);

        await using var page = await ui.RequireBrowser().OpenAsync();
        var dialogs = 0;
        page.Page.Dialog += (_, dialog) =>
        {
            Interlocked.Increment(ref dialogs);
            _ = dialog.DismissAsync();
        };
        var response = await page.Page.GotoAsync(new Uri(ui.Server.Address, "/ui/models/churn").ToString());

        Assert.Equal(200, response!.Status);
        Assert.Equal(ModelPageFixture.Description, await page.Page.Locator("p.description").InnerTextAsync());
        Assert.Contains(Injected + " (15)", await page.Page.Locator("table.unseen tr[data-feature=contract]").InnerTextAsync(), StringComparison.Ordinal);
        Assert.Equal(0, await page.Page.Locator("script").CountAsync());
        Assert.Equal(0, await page.Page.Locator("b").CountAsync());
        Assert.Equal(0, dialogs);
        Assert.Empty(page.ProblemsSoFar());
    }

    [Fact]
    public async Task ModelPage_SensitiveCategoryFeature_NeverShowsItsValues()
    {
        var rows = Enumerable.Range(0, 60).Select(i => TestModels.Row(tenure: i, contract: i % 2 == 0 ? Secret : "Month-to-month")).ToList();
        (await ui.Client.PostAsJsonAsync("/models/churn-private/predict", rows, Ct)).EnsureSuccessStatusCode();
        await ModelPageFixture.WaitForOpenRowsAsync(ui.Client, "churn-private", 60);

        await using var page = await ui.RequireBrowser().OpenAsync();
        var response = await page.Page.GotoAsync(new Uri(ui.Server.Address, "/ui/models/churn-private").ToString());
        var html = await page.Page.ContentAsync();

        Assert.Equal(200, response!.Status);
        Assert.Contains("marked sensitive", await page.Page.Locator("table.unseen tr[data-feature=contract]").InnerTextAsync(), StringComparison.Ordinal);
        Assert.Equal(1, await page.Page.Locator("svg.heat-strip rect[data-row=contract]").CountAsync());
        // The open window's drift report leaves the sensitive feature out altogether.
        var report = await ui.Client.GetStringAsync("/ui/models/churn-private/drift-report", Ct);
        Assert.Contains("data-feature=\"tenure\"", report, StringComparison.Ordinal);
        Assert.DoesNotContain("data-feature=\"contract\"", report, StringComparison.Ordinal);
        foreach (var value in new[] { Secret, "Month-to-month", "One year", "Two year" })
        {
            Assert.DoesNotContain(value, html, StringComparison.Ordinal);
            Assert.DoesNotContain(value, report, StringComparison.Ordinal);
        }

        Assert.Empty(page.ProblemsSoFar());
    }

    [Fact]
    public async Task ModelPage_UnknownModel_Is404_NamingTheServedModels()
    {
        var answer = await ui.Client.GetAsync("/ui/models/%3Cnope%3E", Ct);
        var text = await answer.Content.ReadAsStringAsync(Ct);

        Assert.Equal(HttpStatusCode.NotFound, answer.StatusCode);
        Assert.Contains("<code>&lt;nope&gt;</code>", text, StringComparison.Ordinal);
        Assert.Contains(">churn</a>", text, StringComparison.Ordinal);
        Assert.Contains(">churn-private</a>", text, StringComparison.Ordinal);
    }
}
