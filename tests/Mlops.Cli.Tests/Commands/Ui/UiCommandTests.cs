using Mlops.Testing;

namespace Mlops.Cli.Tests.Commands.Ui;

/// <summary><c>mlops ui</c> itself: where it listens, how it stops, and what it says when it cannot start.</summary>
public sealed class UiCommandTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Ui_OnAnEmptyFolder_ServesTheRunsPageOnLoopback_AndExitsZeroWhenStopped()
    {
        using var repo = new TempDirectory("mlops-ui");
        await using var ui = await CliHost.StartAsync("/ui/runs", "ui", "--repo", repo.Path);
        using var http = new HttpClient { BaseAddress = ui.Address };

        var runs = await http.GetAsync("/ui/runs", Ct);
        var page = await runs.Content.ReadAsStringAsync(Ct);
        var overview = await http.GetStringAsync("/ui/", Ct);
        var exit = await ui.StopAsync();

        Assert.True(runs.IsSuccessStatusCode, $"runs page answered {(int)runs.StatusCode}: {ui.Error}");
        Assert.Contains("No runs are recorded yet", page, StringComparison.Ordinal);
        Assert.Contains("Nothing is served here", overview, StringComparison.Ordinal);
        Assert.Equal(ExitCodes.Success, exit);
        Assert.StartsWith($"mlops ui: {ui.Address.ToString().TrimEnd('/')}/ui/runs shows", ui.Output.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Ui_MissingRepository_ExitsTwoWithOneLine()
    {
        var missing = Path.Combine(Path.GetTempPath(), "mlops-no-such-repo-" + Guid.NewGuid().ToString("N"));

        var result = await CliRunner.RunAsync("ui", "--repo", missing);

        Assert.Equal(ExitCodes.BadInput, result.ExitCode);
        Assert.Equal($"mlops: the repository folder '{missing}' does not exist. Pass an existing folder with --repo.", result.Error.TrimEnd('\n'));
    }

    [Fact]
    public async Task Ui_PortAlreadyInUse_ExitsTwoWithOneLineSayingSo()
    {
        using var repo = new TempDirectory("mlops-ui");
        using var held = new HeldPort();

        var result = await CliRunner.RunAsync("ui", "--repo", repo.Path, "--urls", held.Url);

        Assert.Equal(ExitCodes.BadInput, result.ExitCode);
        Assert.Equal($"mlops: {held.Url} is already in use: another process listens there. Stop it, or listen elsewhere with --urls (for example --urls http://127.0.0.1:8081).", result.Error.TrimEnd('\n'));
    }
}
