using System.Diagnostics;
using System.Text;
using System.Text.RegularExpressions;

namespace Mlops.Analyzers.Tests.EndToEnd;

/// <summary>One diagnostic line of MSBuild's output: <c>path(line,col): error ID: message [project]</c>.</summary>
internal sealed record BuildDiagnostic(string Path, int Line, int Column, string Severity, string Id, string Message);

/// <summary>What a dotnet command printed and how it ended.</summary>
internal sealed partial record DotNetResult(string Command, int ExitCode, string Output)
{
    /// <summary>The distinct diagnostics MSBuild printed (it prints each twice: as it happens and in the summary).</summary>
    public IReadOnlyList<BuildDiagnostic> Diagnostics =>
        Output.Split('\n')
            .Select(line => DiagnosticLine().Match(line.TrimEnd('\r')))
            .Where(m => m.Success)
            .Select(m => new BuildDiagnostic(m.Groups["path"].Value.Trim(), int.Parse(m.Groups["line"].Value, System.Globalization.CultureInfo.InvariantCulture),
                int.Parse(m.Groups["col"].Value, System.Globalization.CultureInfo.InvariantCulture), m.Groups["severity"].Value, m.Groups["id"].Value, m.Groups["message"].Value))
            .Distinct()
            .ToList();

    public IReadOnlyList<BuildDiagnostic> Errors => Diagnostics.Where(d => d.Severity == "error").ToList();

    /// <summary>The command and its output, for assertion messages.</summary>
    public override string ToString() => $"dotnet {Command} exited {ExitCode}:\n{Output}";

    [GeneratedRegex(@"^(?<path>[^(]+)\((?<line>\d+),(?<col>\d+)\): (?<severity>error|warning) (?<id>[A-Za-z]+\d+): (?<message>.*?)(?: \[[^\]]+\])?$")]
    private static partial Regex DiagnosticLine();
}

/// <summary>
/// Runs the dotnet CLI as a user would, with a time limit, no build servers (a test must leave no
/// process behind) and an environment of its own: the variables the test host's own dotnet set for
/// MSBuild are dropped so the child resolves its SDK the usual way.
/// </summary>
internal static class DotNet
{
    /// <summary>Each command gets this long; a hung restore or build fails the test instead of the run.</summary>
    public static readonly TimeSpan Timeout = TimeSpan.FromMinutes(5);

    public static async Task<DotNetResult> RunAsync(string workingDirectory, IReadOnlyDictionary<string, string> environment, CancellationToken cancellationToken, params string[] arguments)
    {
        var start = new ProcessStartInfo("dotnet")
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        foreach (var name in start.Environment.Keys.Where(k => k.StartsWith("MSBuild", StringComparison.OrdinalIgnoreCase) || k == "NUGET_PACKAGES").ToList())
        {
            start.Environment.Remove(name);
        }

        start.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        start.Environment["DOTNET_NOLOGO"] = "1";
        start.Environment["DOTNET_CLI_USE_MSBUILD_SERVER"] = "0";
        start.Environment["MSBUILDDISABLENODEREUSE"] = "1";
        foreach (var (name, value) in environment)
        {
            start.Environment[name] = value;
        }

        var output = new StringBuilder();
        using var process = new Process { StartInfo = start };
        process.OutputDataReceived += (_, e) => Append(output, e.Data);
        process.ErrorDataReceived += (_, e) => Append(output, e.Data);
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        using var limit = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        limit.CancelAfter(Timeout);
        try
        {
            await process.WaitForExitAsync(limit.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"dotnet {string.Join(' ', arguments)} did not finish in {Timeout.TotalMinutes} minutes:\n{Snapshot(output)}");
        }

        // WaitForExitAsync returns once the process ends; this drains the redirected streams.
        process.WaitForExit();
        return new DotNetResult(string.Join(' ', arguments), process.ExitCode, Snapshot(output));
    }

    private static void Append(StringBuilder output, string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (output)
        {
            output.AppendLine(line);
        }
    }

    private static string Snapshot(StringBuilder output)
    {
        lock (output)
        {
            return output.ToString();
        }
    }
}
