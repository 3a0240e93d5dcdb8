using System.Diagnostics;

namespace Mlops.Testing;

/// <summary>Runs stock git in a folder, as a user would, so tests check what git itself sees.</summary>
public static class Git
{
    /// <summary>Runs git and returns its standard output; fails the test on a non-zero exit.</summary>
    public static string Run(string folder, params string[] arguments)
    {
        var start = new ProcessStartInfo("git") { WorkingDirectory = folder, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start) ?? throw new InvalidOperationException("git could not be started; install git.");
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEnd();
        if (!process.WaitForExit(60_000))
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"git {string.Join(' ', arguments)} did not finish in 60 s.");
        }

        return process.ExitCode == 0
            ? output.Result
            : throw new InvalidOperationException($"git {string.Join(' ', arguments)} exited {process.ExitCode}: {error}");
    }

    /// <summary>Makes the folder a repository on branch main with everything committed.</summary>
    public static void InitAndCommit(string folder, string message = "Initial declarations")
    {
        Run(folder, "init", "-q", "-b", "main");
        Run(folder, "config", "user.name", "Test User");
        Run(folder, "config", "user.email", "test@example.com");
        CommitAll(folder, message);
    }

    /// <summary>Commits every change.</summary>
    public static void CommitAll(string folder, string message)
    {
        Run(folder, "add", "-A");
        Run(folder, "commit", "-q", "-m", message);
    }
}
