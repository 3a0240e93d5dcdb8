using System.Diagnostics;

namespace Mlops.Testing;

/// <summary>A command-line tool (promtool, action-validator, node) run to its end, bounded in time: its exit code and everything it printed.</summary>
public static class ToolProcess
{
    /// <summary>How long a tool may run before it is killed and the test fails.</summary>
    public static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);

    /// <summary>Runs <paramref name="fileName"/> with <paramref name="arguments"/>, and <paramref name="input"/> on its standard input when given.</summary>
    /// <param name="environment">Variables to set (a null value removes one) for a tool that must not see the test's own, such as a private NuGet cache.</param>
    /// <param name="limit">How long it may run; <see cref="Timeout"/> when not given (a pack or a pipeline run needs minutes).</param>
    /// <exception cref="System.ComponentModel.Win32Exception">The tool is not installed.</exception>
    public static async Task<(int ExitCode, string Output)> RunAsync(string fileName, IEnumerable<string> arguments, CancellationToken cancellationToken, string? input = null, string? workingDirectory = null,
        IReadOnlyDictionary<string, string?>? environment = null, TimeSpan? limit = null)
    {
        var start = new ProcessStartInfo(fileName)
        {
            RedirectStandardInput = input is not null,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        if (workingDirectory is not null)
        {
            start.WorkingDirectory = workingDirectory;
        }

        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        foreach (var (name, value) in environment ?? new Dictionary<string, string?>())
        {
            if (value is null)
            {
                start.Environment.Remove(name);
            }
            else
            {
                start.Environment[name] = value;
            }
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
        timeout.CancelAfter(limit ?? Timeout);
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            if (cancellationToken.IsCancellationRequested)
            {
                throw;
            }

            throw new TimeoutException($"{fileName} {string.Join(' ', arguments)} did not finish within {limit ?? Timeout}.");
        }

        return (process.ExitCode, await output + await error);
    }
}
