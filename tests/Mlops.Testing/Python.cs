using System.Collections.Concurrent;
using System.Diagnostics;

namespace Mlops.Testing;

/// <summary>
/// python3, for checks made by an independent implementation (Python's jsonschema, as CI tools would). A test skips
/// where python3 or a module it needs is missing, except under CI=true (<see cref="Required"/>), where it must fail.
/// </summary>
public static class Python
{
    private static readonly ConcurrentDictionary<string, Lazy<Task<bool>>> s_imports = new(StringComparer.Ordinal);

    /// <summary>True under CI=true: a test must fail, not skip, when python3 or a module is missing (.ci/run checks them).</summary>
    public static bool Required => CiRun.ToolsRequired;

    /// <summary>Whether python3 runs and can import <paramref name="modules"/> (for example <c>jsonschema, yaml</c>); asked once per process.</summary>
    public static Task<bool> CanImportAsync(string modules) =>
        s_imports.GetOrAdd(modules, m => new(() => ImportsAsync(m))).Value;

    /// <summary>Runs python3 with the arguments; returns its exit code and its output followed by its error text.</summary>
    public static async Task<(int ExitCode, string Output)> RunAsync(IEnumerable<string> arguments, CancellationToken cancellationToken)
    {
        var start = new ProcessStartInfo("python3") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync(cancellationToken);
        var error = process.StandardError.ReadToEndAsync(cancellationToken);
        await process.WaitForExitAsync(cancellationToken);
        return (process.ExitCode, await output + await error);
    }

    private static async Task<bool> ImportsAsync(string modules)
    {
        try
        {
            return (await RunAsync(["-c", "import " + modules], CancellationToken.None)).ExitCode == 0;
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return false; // no python3 at all
        }
    }
}
