using Spectre.Console;

namespace Mlops.Cli.Tests;

/// <summary>The output of one in-process run of the real <c>mlops</c> root command.</summary>
internal sealed record CliResult(int ExitCode, string Out, string Error)
{
    public string[] Lines => Out.Split('\n', StringSplitOptions.RemoveEmptyEntries);
}

/// <summary>Runs the real CLI in-process, capturing what it writes.</summary>
internal static class CliRunner
{
    /// <summary>Runs the CLI and fails the test unless it exits 0: the steps a test needs done before the one it checks.</summary>
    public static async Task<CliResult> SucceedAsync(params string[] args)
    {
        var result = await RunAsync(args);
        Assert.True(result.ExitCode == ExitCodes.Success, $"mlops {string.Join(' ', args)} exited {result.ExitCode}: {result.Error}{result.Out}");
        return result;
    }

    public static async Task<CliResult> RunAsync(params string[] args)
    {
        var output = new StringWriter();
        var error = new StringWriter();
        var console = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Ansi = AnsiSupport.No,
            ColorSystem = ColorSystemSupport.NoColors,
            Interactive = InteractionSupport.No,
            Out = new AnsiConsoleOutput(output),
        });
        console.Profile.Width = 200;
        var exit = await MlopsApp.RunAsync(args, new CliContext(console, output, error, TimeProvider.System), TestContext.Current.CancellationToken);
        return new CliResult(exit, output.ToString().Replace("\r\n", "\n", StringComparison.Ordinal), error.ToString());
    }
}
