using System.Diagnostics;
using Mlops.Testing;

namespace Mlops.Cli.Tests.Commands.Pipeline;

/// <summary>
/// This repository's build.cake, run by <c>dotnet cake</c> as a process on a copy of the example,
/// with the CLI these tests were built with (<c>--mlops</c>) so no test publishes src/ again.
/// </summary>
public sealed class BuildCakeTests
{
    private static readonly TimeSpan ProcessLimit = TimeSpan.FromMinutes(3);

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    /// <summary>The example with the pipeline's own files (build.cake, build/, cake.config, the tool manifest), committed.</summary>
    private static ExampleRepository CakeExample(Action<ExampleRepository>? edit = null)
    {
        var repo = new ExampleRepository();
        foreach (var file in new[] { "build.cake", "cake.config", ".gitignore", ".config/dotnet-tools.json" }
            .Concat(Directory.EnumerateFiles(RepositoryRoot.Combine("build")).Select(f => "build/" + Path.GetFileName(f))))
        {
            repo.Write(file, File.ReadAllBytes(RepositoryRoot.Combine(file)));
        }

        edit?.Invoke(repo);
        Git.InitAndCommit(repo.Path);
        return repo;
    }

    private static async Task<(int ExitCode, string Out, string Error)> CakeAsync(string folder, params string[] arguments)
    {
        var start = new ProcessStartInfo("dotnet") { WorkingDirectory = folder, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in new[] { "cake", $"--mlops={typeof(MlopsApp).Assembly.Location}" }.Concat(arguments))
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start) ?? throw new InvalidOperationException("dotnet could not be started.");
        var output = process.StandardOutput.ReadToEndAsync(Ct);
        var error = process.StandardError.ReadToEndAsync(Ct);
        using var limit = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        limit.CancelAfter(ProcessLimit);
        try
        {
            await process.WaitForExitAsync(limit.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"dotnet cake {string.Join(' ', arguments)} did not finish in {ProcessLimit}.");
        }

        return (process.ExitCode, await output, await error);
    }

    [Fact]
    public async Task DotnetCake_Default_RunsThePipelineInOneProcessAndPromotes()
    {
        using var repo = CakeExample();

        var (exit, output, error) = await CakeAsync(repo.Path);

        Assert.True(exit == 0, $"dotnet cake exited {exit}: {error}{output}");
        Assert.Contains("promote churn v1 to staging: commit ", output, StringComparison.Ordinal);
        Assert.Single(output.Split('\n'), l => l.StartsWith("pipeline through promote: validate ", StringComparison.Ordinal));
        foreach (var task in new[] { "Build", "Validate", "Train", "Evaluate", "Gate", "Package", "Promote" })
        {
            Assert.Matches($@"\n\s*{task}\s+\d\d:\d\d:\d\d\.\d+\s+Succeeded", output);
        }

        Assert.Equal("churn@v1\n", Git.Run(repo.Path, "tag", "-l"));
        Assert.StartsWith("### Gate passed: churn ", File.ReadAllText(repo.Combine("artifacts/gate-report.md")), StringComparison.Ordinal);
    }

    [Fact]
    public async Task DotnetCake_TargetGateWithAFailingGate_FailsWithTheCliMessageAndPackagesNothing()
    {
        using var repo = CakeExample(r => r.Replace("models/churn.yaml", "  name: lbfgs", "  name: fasttree\n  params: { numberOfTrees: 1, numberOfLeaves: 2 }"));

        var (exit, output, error) = await CakeAsync(repo.Path, "--target=Gate");

        Assert.NotEqual(0, exit);
        Assert.Contains("### Gate FAILED: churn ", output, StringComparison.Ordinal);
        Assert.Contains("pipeline stopped at gate: ", output, StringComparison.Ordinal);
        Assert.Contains("mlops: gate failed (exit 1); its findings are above, and the stages after it did not run.", error, StringComparison.Ordinal);
        Assert.Contains("failed with exit code 1: gate failed (exit 1)", output + error, StringComparison.Ordinal);
        Assert.DoesNotContain("package churn", output, StringComparison.Ordinal);
        Assert.Equal("", Git.Run(repo.Path, "tag", "-l"));
    }
}
