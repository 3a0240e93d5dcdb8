using Microsoft.Extensions.Time.Testing;
using Mlops.Pipeline.Tracking;
using Mlops.Testing;

namespace Mlops.Pipeline.Tests.Tracking;

/// <summary>A run store in a real SQLite file in a temp folder, with a fake clock.</summary>
internal sealed class TrackingFixture : IAsyncDisposable
{
    public static readonly DateTimeOffset Start = new(2026, 11, 23, 8, 52, 38, TimeSpan.Zero);

    private TrackingFixture(TempDirectory folder, FakeTimeProvider time, RunStore store)
    {
        Folder = folder;
        Time = time;
        Store = store;
    }

    public TempDirectory Folder { get; }

    public FakeTimeProvider Time { get; }

    public RunStore Store { get; }

    public string DatabasePath => Store.DatabasePath;

    public static async Task<TrackingFixture> CreateAsync()
    {
        var folder = new TempDirectory("mlops-tracking");
        var time = new FakeTimeProvider(Start);
        var store = await RunStore.OpenAsync(folder.Combine(".mlops/tracking.db"), time, TestContext.Current.CancellationToken);
        return new TrackingFixture(folder, time, store);
    }

    public static RunStart StartOf(string model, string cacheKey = "sha256:key", params (string Name, string Value)[] parameters) => new()
    {
        Model = model,
        CacheKey = cacheKey,
        Params = parameters.ToDictionary(p => p.Name, p => p.Value),
        DataDigest = "sha256:data",
        DeclarationsDigest = "sha256:declarations",
        MlNetVersion = "5.0.1",
        Seed = 42,
    };

    /// <summary>Starts and completes a run, advancing the clock by <paramref name="took"/> in between.</summary>
    public async Task<string> SucceededRunAsync(RunStart start, TimeSpan took, params RunMetric[] metrics)
    {
        var ct = TestContext.Current.CancellationToken;
        var id = await Store.StartRunAsync(start, ct);
        Time.Advance(took);
        await Store.CompleteRunAsync(id, new RunCompletion { Metrics = metrics, Artifact = new RunArtifact("artifacts/model.zip", "sha256:artifact") }, ct);
        Time.Advance(TimeSpan.FromSeconds(1));
        return id;
    }

    public async ValueTask DisposeAsync()
    {
        await Store.DisposeAsync();
        Folder.Dispose();
    }
}
