using Microsoft.Extensions.Time.Testing;
using Mlops.Pipeline.Tracking;
using Mlops.Testing;
using Spectre.Console.Testing;

namespace Mlops.Cli.Tests.Commands.Runs;

/// <summary>The output of one in-process run of the real CLI against a <see cref="TestConsole"/>.</summary>
internal sealed record RunsResult(int ExitCode, string Console, string Out, string Error);

/// <summary>A temp repository with a run store seeded through the real <see cref="RunStore"/>, and a fake clock.</summary>
internal sealed class RunsFixture : IDisposable
{
    public static readonly DateTimeOffset Start = new(2026, 11, 23, 9, 0, 0, TimeSpan.Zero);

    public TempDirectory Repo { get; } = new("mlops-runs");

    public FakeTimeProvider Time { get; } = new(Start);

    public string DatabasePath => Repo.Combine(TrackingLocation.DefaultRelativePath);

    /// <summary>Records runs the way training will: start, advance the clock, then complete or fail.</summary>
    public async Task<IReadOnlyList<string>> SeedAsync(params Func<RunStore, Task<string>>[] runs)
    {
        await using var store = await RunStore.OpenAsync(DatabasePath, Time, TestContext.Current.CancellationToken);
        var ids = new List<string>();
        foreach (var run in runs)
        {
            ids.Add(await run(store));
            Time.Advance(TimeSpan.FromMinutes(1));
        }

        return ids;
    }

    public Func<RunStore, Task<string>> Succeeded(string model, IReadOnlyDictionary<string, string> parameters, params RunMetric[] metrics) => async store =>
    {
        var ct = TestContext.Current.CancellationToken;
        var id = await store.StartRunAsync(new RunStart
        {
            Model = model,
            CacheKey = "sha256:" + string.Join(",", parameters.Values),
            Params = parameters,
            DataDigest = "sha256:data",
            DeclarationsDigest = "sha256:declarations",
            Git = new GitState("0123456789abcdef0123456789abcdef01234567", false, "main"),
            MlNetVersion = "5.0.1",
            Seed = 42,
        }, ct);
        Time.Advance(TimeSpan.FromSeconds(4.2));
        await store.CompleteRunAsync(id, new RunCompletion
        {
            Metrics = metrics,
            Artifact = new RunArtifact($"artifacts/{model}/model.zip", "sha256:artifact"),
            Attachments = new Dictionary<string, string> { ["evaluation"] = """{"auc": 0.84, "rows": 1462}""" },
        }, ct);
        return id;
    };

    public Func<RunStore, Task<string>> Failed(string model, RunError error) => async store =>
    {
        var ct = TestContext.Current.CancellationToken;
        var id = await store.StartRunAsync(new RunStart { Model = model, Params = new Dictionary<string, string> { ["trainer"] = "lbfgs" } }, ct);
        Time.Advance(TimeSpan.FromSeconds(1));
        await store.FailRunAsync(id, error, ct);
        return id;
    };

    public async Task<RunsResult> RunAsync(params string[] args)
    {
        var console = new TestConsole();
        console.Profile.Width = 240;
        var output = new StringWriter();
        var error = new StringWriter();
        var exit = await MlopsApp.RunAsync(args, new CliContext(console, output, error, Time), TestContext.Current.CancellationToken);
        return new RunsResult(exit, console.Output.Replace("\r\n", "\n", StringComparison.Ordinal), output.ToString(), error.ToString());
    }

    public void Dispose() => Repo.Dispose();
}
