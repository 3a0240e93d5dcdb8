using System.Diagnostics;
using LibGit2Sharp;
using Microsoft.Extensions.Time.Testing;
using Mlops.Testing;

namespace Mlops.Pipeline.Tests.Registry;

/// <summary>
/// A real git repository in a temp folder: first branch <c>main</c>, <c>user.name</c>/<c>user.email</c> in its own
/// config, a fake clock for what mlops writes, and stock <c>git</c> to check the result with.
/// </summary>
internal sealed class GitTestRepository : TempDirectory
{
    public const string UserName = "Ada Tester";
    public const string UserEmail = "ada@example.invalid";

    public static readonly DateTimeOffset Start = new(2026, 11, 23, 8, 0, 0, TimeSpan.Zero);

    private DateTimeOffset _commitTime = Start;

    public GitTestRepository(bool bare = false)
        : base("mlops-git")
    {
        Repository.Init(Path, bare);
        using var repository = new Repository(Path);
        repository.Refs.UpdateTarget("HEAD", "refs/heads/main"); // Repository.Init names the first branch master
        repository.Config.Set("user.name", UserName);
        repository.Config.Set("user.email", UserEmail);
    }

    /// <summary>The clock mlops is given; it moves forward as the test says.</summary>
    public FakeTimeProvider Time { get; } = new(Start.AddHours(1));

    /// <summary>Writes the files into the working tree, stages them and commits on the current branch.</summary>
    /// <returns>The commit's sha.</returns>
    public string Commit(string message, params (string Path, string Text)[] files)
    {
        foreach (var (path, text) in files)
        {
            Write(path, text);
        }

        using var repository = new Repository(Path);
        foreach (var (path, _) in files)
        {
            Commands.Stage(repository, path);
        }

        _commitTime = _commitTime.AddMinutes(1);
        var signature = new Signature(UserName, UserEmail, _commitTime);
        return repository.Commit(message, signature, signature, new CommitOptions { AllowEmptyCommit = true }).Sha;
    }

    /// <summary>The sha HEAD points to.</summary>
    public string Head
    {
        get
        {
            using var repository = new Repository(Path);
            return repository.Head.Tip.Sha;
        }
    }

    /// <summary>The content of a file at a revision, read with stock git.</summary>
    public string Show(string revision, string path) => Git("show", $"{revision}:{path}");

    /// <summary>Runs stock git in the repository and returns its standard output; fails the test on a non-zero exit.</summary>
    public string Git(params string[] arguments)
    {
        var (exitCode, output, error) = TryGit(arguments);
        Assert.True(exitCode == 0, $"git {string.Join(' ', arguments)} exited with {exitCode}: {error}");
        return output;
    }

    /// <summary>Runs stock git in the repository.</summary>
    public (int ExitCode, string Output, string Error) TryGit(params string[] arguments) => RunGit(Path, arguments);

    /// <summary>Asserts that stock git finds every object valid.</summary>
    public void AssertFsckClean()
    {
        var (exitCode, output, error) = TryGit("fsck", "--full", "--strict");
        Assert.True(exitCode == 0 && !error.Contains("error", StringComparison.OrdinalIgnoreCase) && !error.Contains("warning", StringComparison.OrdinalIgnoreCase),
            $"git fsck --full --strict exited with {exitCode}:\n{output}\n{error}");
    }

    public static (int ExitCode, string Output, string Error) RunGit(string directory, params string[] arguments)
    {
        var start = new ProcessStartInfo("git")
        {
            WorkingDirectory = directory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        start.Environment["GIT_CONFIG_NOSYSTEM"] = "1";
        start.Environment["LC_ALL"] = "C";
        using var process = Process.Start(start) ?? throw new InvalidOperationException("git could not be started.");
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        process.WaitForExit();
        return (process.ExitCode, output.Result, error.Result);
    }
}
