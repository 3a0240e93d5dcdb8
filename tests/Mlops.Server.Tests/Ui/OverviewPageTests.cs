using System.Net;
using System.Net.Http.Json;
using Mlops.Runtime.Tests.Serving;

namespace Mlops.Server.Tests.Ui;

/// <summary>The overview at /ui/ in a real browser, and the rules every UI page keeps (read-only, CSP, escaping).</summary>
public sealed class OverviewPageTests(UiFixture ui) : IClassFixture<UiFixture>
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Overview_InABrowser_ShowsTheServedVersionWithItsTraffic_WithNoConsoleErrorOrFailedRequest()
    {
        for (var i = 0; i < 5; i++)
        {
            (await ui.Client.PostAsJsonAsync("/models/churn/predict", TestModels.Row(tenure: 3 + i), Ct)).EnsureSuccessStatusCode();
        }

        await using var page = await ui.RequireBrowser().OpenAsync();
        var response = await page.Page.GotoAsync(new Uri(ui.Server.Address, "/ui/").ToString());
        Assert.Equal(200, response!.Status);
        var row = page.Page.Locator("table.models tr[data-model=churn][data-role=primary]");
        Assert.Equal("1", await row.GetAttributeAsync("data-version"));
        Assert.Equal("Synced", await page.Page.Locator("[data-sync]").InnerTextAsync());
        Assert.Equal("Healthy", await page.Page.Locator("[data-health]").InnerTextAsync());
        var requests = await row.Locator("td").Nth(6).InnerTextAsync();
        Assert.True(int.Parse(requests, System.Globalization.NumberStyles.AllowThousands, System.Globalization.CultureInfo.InvariantCulture) >= 5, requests);
        Assert.Empty(page.ProblemsSoFar());
    }

    [Fact]
    public async Task EveryPage_SendsARestrictiveContentSecurityPolicy_AndRefusesWrites()
    {
        var page = await ui.Client.GetAsync("/ui/", Ct);
        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        Assert.Equal("text/html; charset=utf-8", page.Content.Headers.ContentType!.ToString());
        var csp = string.Join(' ', page.Headers.GetValues("Content-Security-Policy"));
        Assert.Contains("default-src 'none'", csp, StringComparison.Ordinal);
        Assert.DoesNotContain("script-src", csp, StringComparison.Ordinal);
        Assert.Equal("nosniff", Assert.Single(page.Headers.GetValues("X-Content-Type-Options")));
        Assert.Equal("DENY", Assert.Single(page.Headers.GetValues("X-Frame-Options")));

        var post = await ui.Client.PostAsync("/ui/", new StringContent(""), Ct);
        Assert.Equal(HttpStatusCode.MethodNotAllowed, post.StatusCode);
    }

    [Fact]
    public async Task ThroughAProxy_ThePageAsksForTheViewerToken()
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "/ui/");
        request.Headers.Add("X-Forwarded-For", "203.0.113.7");
        var answer = await ui.Client.SendAsync(request, Ct);
        Assert.Equal(HttpStatusCode.Unauthorized, answer.StatusCode);
        Assert.Contains("Mlops:Ui:ViewerToken", await answer.Content.ReadAsStringAsync(Ct), StringComparison.Ordinal);
    }

    [Fact]
    public async Task TheTokenInTheAddress_SetsAnHttpOnlyCookie_AndSendsTheBrowserOnWithoutIt()
    {
        // An in-memory host has no loopback addresses, so the token is asked for as from another host.
        using var factory = new Microsoft.AspNetCore.Mvc.Testing.WebApplicationFactory<Program>().WithWebHostBuilder(b => b
            .UseSetting("Mlops:Repo", ui.Repository.Path)
            .UseSetting("Mlops:Store", ui.StoreFolder.Path)
            .UseSetting("Mlops:CacheFolder", ui.Repository.Combine(".cache-token"))
            .UseSetting("Mlops:Ui:ViewerToken", "t0ken"));
        using var client = factory.CreateClient(new Microsoft.AspNetCore.Mvc.Testing.WebApplicationFactoryClientOptions { AllowAutoRedirect = false, HandleCookies = false });

        Assert.Equal(HttpStatusCode.Unauthorized, (await client.GetAsync("/ui/", Ct)).StatusCode);
        var first = await client.GetAsync("/ui/?token=t0ken&x=1", Ct);
        Assert.Equal(HttpStatusCode.Redirect, first.StatusCode);
        Assert.Equal("/ui/?x=1", first.Headers.Location!.OriginalString);
        var cookie = Assert.Single(first.Headers.GetValues("Set-Cookie"));
        Assert.StartsWith("mlops_ui=t0ken", cookie, StringComparison.Ordinal);
        Assert.Contains("httponly", cookie, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("samesite=strict", cookie, StringComparison.OrdinalIgnoreCase);

        using var withCookie = new HttpRequestMessage(HttpMethod.Get, "/ui/?x=1");
        withCookie.Headers.Add("Cookie", "mlops_ui=t0ken");
        Assert.Equal(HttpStatusCode.OK, (await client.SendAsync(withCookie, Ct)).StatusCode);
        using var bearer = new HttpRequestMessage(HttpMethod.Get, "/ui/");
        bearer.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", "t0ken");
        Assert.Equal(HttpStatusCode.OK, (await client.SendAsync(bearer, Ct)).StatusCode);
    }
}
