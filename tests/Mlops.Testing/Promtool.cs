namespace Mlops.Testing;

/// <summary>
/// Prometheus' promtool (Debian's prometheus package), run on real output. A test skips where it is not installed,
/// except under CI=true (<see cref="Required"/>), where .ci/run installs it and a missing promtool must fail the test.
/// </summary>
public static class Promtool
{
    /// <summary>True under CI=true: a test must fail, not skip, when promtool is missing.</summary>
    public static bool Required => CiRun.ToolsRequired;

    /// <summary>What a test says when promtool is missing.</summary>
    public const string Missing = "promtool is not installed (Debian: apt-get install prometheus; .ci/run installs it, and CI=true does not skip).";

    /// <summary>Runs promtool with <paramref name="arguments"/>; returns its exit code and everything it printed.</summary>
    public static Task<(int ExitCode, string Output)> RunAsync(CancellationToken cancellationToken, params string[] arguments) =>
        RunAsync(null, cancellationToken, arguments);

    /// <summary>Runs promtool with <paramref name="arguments"/> and <paramref name="input"/> on its standard input (as <c>promtool check metrics</c> reads it).</summary>
    public static Task<(int ExitCode, string Output)> RunAsync(string? input, CancellationToken cancellationToken, params string[] arguments) =>
        ToolProcess.RunAsync("promtool", arguments, cancellationToken, input);

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
