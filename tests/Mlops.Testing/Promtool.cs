using System.Diagnostics;

namespace Mlops.Testing;

/// <summary>
/// Prometheus' promtool (Debian's prometheus package), run on real output. A test skips where it is not installed,
/// except under CI=true (<see cref="Required"/>), where .ci/run installs it and a missing promtool must fail the test.
/// </summary>
public static class Promtool
{
    /// <summary>True under CI=true: a test must fail, not skip, when promtool is missing.</summary>
    public static bool Required => Environment.GetEnvironmentVariable("CI") == "true";

    /// <summary>What a test says when promtool is missing.</summary>
    public const string Missing = "promtool is not installed (Debian: apt-get install prometheus; .ci/run installs it, and CI=true does not skip).";

    /// <summary>Runs promtool with <paramref name="arguments"/>; returns its exit code and everything it printed.</summary>
    public static Task<(int ExitCode, string Output)> RunAsync(CancellationToken cancellationToken, params string[] arguments) =>
        RunAsync(null, cancellationToken, arguments);

    /// <summary>Runs promtool with <paramref name="arguments"/> and <paramref name="input"/> on its standard input (as <c>promtool check metrics</c> reads it).</summary>
    public static async Task<(int ExitCode, string Output)> RunAsync(string? input, CancellationToken cancellationToken, params string[] arguments)
    {
        var start = new ProcessStartInfo("promtool")
        {
            RedirectStandardInput = input is not null,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync(cancellationToken);
        var error = process.StandardError.ReadToEndAsync(cancellationToken);
        if (input is not null)
        {
            await process.StandardInput.WriteAsync(input);
            process.StandardInput.Close();
        }

        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(TimeSpan.FromSeconds(60));
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw;
        }

        return (process.ExitCode, await output + await error);
    }

    /// <summary>Whether promtool runs here.</summary>
    public static async Task<bool> IsAvailableAsync(CancellationToken cancellationToken)
    {
        try
        {
            return (await RunAsync(cancellationToken, "--version")).ExitCode == 0;
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return false;
        }
    }
}
