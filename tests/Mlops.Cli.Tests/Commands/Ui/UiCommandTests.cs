using Mlops.Testing;
using Spectre.Console;

namespace Mlops.Cli.Tests.Commands.Ui;

/// <summary><c>mlops ui</c> itself: where it listens, how it stops, and what it says when it cannot start.</summary>
public sealed class UiCommandTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Ui_OnAnEmptyFolder_ServesTheRunsPageOnLoopback_AndExitsZeroWhenStopped()
    {
        using var repo = new TempDirectory("mlops-ui");
        int port;
        using (var held = new HeldPort())
        {
            port = held.Port;
        }

        var output = new StringWriter();
        var error = new StringWriter();
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        var console = AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(output), Interactive = InteractionSupport.No });
        var ui = Task.Run(() => MlopsApp.RunAsync(["ui", "--repo", repo.Path, "--urls", $"http://127.0.0.1:{port}"], new CliContext(console, output, error, TimeProvider.System), stop.Token), Ct);
        using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}") };
        HttpResponseMessage? runs = null;
        for (var attempt = 0; attempt < 200 && runs is null && !ui.IsCompleted; attempt++)
        {
            try
            {
                runs = await http.GetAsync("/ui/runs", Ct);
            }
            catch (HttpRequestException)
            {
                await Task.Delay(50, Ct);
            }
        }

        var page = runs is null ? "" : await runs.Content.ReadAsStringAsync(Ct);
        var overview = await http.GetStringAsync("/ui/", Ct);
        await stop.CancelAsync();
        var exit = await ui;

        Assert.True(runs is { IsSuccessStatusCode: true }, $"no runs page: {error}");
        Assert.Contains("No runs are recorded yet", page, StringComparison.Ordinal);
        Assert.Contains("Nothing is served here", overview, StringComparison.Ordinal);
        Assert.Equal(ExitCodes.Success, exit);
        Assert.StartsWith($"mlops ui: http://127.0.0.1:{port}/ui/runs shows", output.ToString(), StringComparison.Ordinal);
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
