using System.Diagnostics;
using System.Text;

namespace Mlops.Testing;

/// <summary>
/// A .NET program (mlops.dll, Mlops.Server.dll) run as its own process, as a user or a container
/// runs it: its output is collected, it can be sent a signal, and it is killed on dispose.
/// </summary>
public sealed class DotNetProcess : IDisposable
{
    private readonly StringBuilder _out = new();
    private readonly StringBuilder _error = new();

    private DotNetProcess(Process process)
    {
        Process = process;
        process.OutputDataReceived += (_, e) => Append(_out, e.Data);
        process.ErrorDataReceived += (_, e) => Append(_error, e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
    }

    public Process Process { get; }

    /// <summary>Standard output so far.</summary>
    public string Out => Read(_out);

    /// <summary>Standard error so far.</summary>
    public string Error => Read(_error);

    /// <summary>The lines of standard error so far.</summary>
    public string[] ErrorLines => Error.Split('\n', StringSplitOptions.RemoveEmptyEntries);

    /// <summary>
    /// Starts <c>dotnet DLL ARGS</c> in <paramref name="workingDirectory"/>. Started through Python,
    /// which restores the default action of SIGINT before it execs dotnet (same process id): a test
    /// host started in the background inherits SIGINT ignored, and so would the child.
    /// </summary>
    public static DotNetProcess Start(string dll, IEnumerable<string> arguments, string workingDirectory, IReadOnlyDictionary<string, string?>? environment = null)
    {
        var start = new ProcessStartInfo("python3")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            WorkingDirectory = workingDirectory,
        };
        foreach (var argument in new[] { "-c", "import os, signal, sys; signal.signal(signal.SIGINT, signal.SIG_DFL); os.execvp('dotnet', ['dotnet'] + sys.argv[1:])", dll }.Concat(arguments))
        {
            start.ArgumentList.Add(argument);
        }

        start.Environment.Remove("MLOPS_STORE");
        start.Environment.Remove("MLOPS_DEBUG");
        foreach (var (name, value) in environment ?? new Dictionary<string, string?>())
        {
            start.Environment[name] = value;
        }

        return new DotNetProcess(Process.Start(start) ?? throw new InvalidOperationException("python3 could not be started; install python3."));
    }

    /// <summary>Sends a signal (<c>TERM</c>, <c>INT</c>) with the system's kill command.</summary>
    public void Signal(string name)
    {
        using var kill = Process.Start("kill", [$"-{name}", Process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)])
            ?? throw new InvalidOperationException("kill could not be started.");
        kill.WaitForExit();
        if (kill.ExitCode != 0)
        {
            throw new InvalidOperationException($"kill -{name} {Process.Id} exited {kill.ExitCode}.");
        }
    }

    /// <summary>Waits for the process to end; fails with its output if it outlives <paramref name="limit"/>.</summary>
    public async Task<int> WaitForExitAsync(TimeSpan limit, CancellationToken cancellationToken)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(limit);
        try
        {
            await Process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            throw new TimeoutException($"the process did not end within {limit}. Output: {Out} Error: {Error}");
        }

        // The exit event can come before the last lines of output: wait for the readers to finish.
        Process.WaitForExit();
        return Process.ExitCode;
    }

    public void Dispose()
    {
        if (!Process.HasExited)
        {
            Process.Kill(entireProcessTree: true);
        }

        Process.Dispose();
    }

    private static void Append(StringBuilder builder, string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (builder)
        {
            builder.Append(line).Append('\n');
        }
    }

    private static string Read(StringBuilder builder)
    {
        lock (builder)
        {
            return builder.ToString();
        }
    }
}
