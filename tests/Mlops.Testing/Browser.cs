using Microsoft.Playwright;

namespace Mlops.Testing;

/// <summary>
/// A real browser for page tests: Playwright driving Debian's chromium (<c>/usr/bin/chromium</c>; .ci/run installs it),
/// headless, offline, with the flags FACTS.md lists. <see cref="OpenAsync"/> gives a page that records every console
/// error and failed request, so a test can require that a page loads cleanly.
/// </summary>
public sealed class Browser : IAsyncDisposable
{
    /// <summary>Where Debian puts chromium.</summary>
    public const string ChromiumPath = "/usr/bin/chromium";

    private readonly IPlaywright _playwright;
    private readonly IBrowser _browser;

    private Browser(IPlaywright playwright, IBrowser browser)
    {
        _playwright = playwright;
        _browser = browser;
    }

    /// <summary>True under CI=true: a page test must fail, not skip, when chromium is missing.</summary>
    public static bool Required => CiRun.ToolsRequired;

    /// <summary>Whether chromium is installed here.</summary>
    public static bool Available => File.Exists(ChromiumPath);

    /// <summary>What a test says when chromium is missing.</summary>
    public const string Missing = "chromium is not installed (Debian: apt-get install chromium; .ci/run installs it, and CI=true does not skip).";

    /// <summary>Starts the driver and the browser.</summary>
    public static async Task<Browser> LaunchAsync()
    {
        var playwright = await Playwright.CreateAsync();
        var browser = await playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = ChromiumPath,
            Headless = true,
            Args = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"],
        });
        return new Browser(playwright, browser);
    }

    /// <summary>A new page (in a context of its own) that records console errors and failed requests.</summary>
    /// <param name="offline">Whether the page may reach no network at all (a file opened from disk).</param>
    public async Task<BrowserPage> OpenAsync(bool offline = false)
    {
        var context = await _browser.NewContextAsync(new BrowserNewContextOptions { Offline = offline, ViewportSize = new ViewportSize { Width = 1400, Height = 1000 } });
        // CI runs every test assembly at once on two cores: a page can take far longer than on a quiet machine.
        context.SetDefaultTimeout(90_000);
        context.SetDefaultNavigationTimeout(90_000);
        var page = await context.NewPageAsync();
        var problems = new List<string>();
        page.Console += (_, message) =>
        {
            if (message.Type == "error")
            {
                lock (problems)
                {
                    problems.Add("console: " + message.Text);
                }
            }
        };
        page.PageError += (_, error) =>
        {
            lock (problems)
            {
                problems.Add("page error: " + error);
            }
        };
        page.RequestFailed += (_, request) =>
        {
            lock (problems)
            {
                problems.Add("request failed: " + request.Url + " " + request.Failure);
            }
        };
        page.Response += (_, response) =>
        {
            if (response.Status >= 400)
            {
                lock (problems)
                {
                    problems.Add($"HTTP {response.Status}: {response.Url}");
                }
            }
        };
        return new BrowserPage(context, page, problems);
    }

    /// <inheritdoc/>
    public async ValueTask DisposeAsync()
    {
        await _browser.DisposeAsync();
        _playwright.Dispose();
    }
}

/// <summary>A browser page and what went wrong on it.</summary>
/// <param name="Context">Its browser context (closed with the page).</param>
/// <param name="Page">The page.</param>
/// <param name="Problems">Console errors, page errors, failed requests and HTTP errors, as they happened.</param>
public sealed record BrowserPage(IBrowserContext Context, IPage Page, List<string> Problems) : IAsyncDisposable
{
    /// <summary>The problems so far, copied.</summary>
    public IReadOnlyList<string> ProblemsSoFar()
    {
        lock (Problems)
        {
            return [.. Problems];
        }
    }

    /// <inheritdoc/>
    public async ValueTask DisposeAsync() => await Context.DisposeAsync();
}
