using Microsoft.Extensions.Time.Testing;
using Mlops.Pipeline.Tracking;

namespace Mlops.Pipeline.Tests.Tracking;

/// <summary>A run store on a real database of its own (an SQLite file or a PostgreSQL schema), with a fake clock.</summary>
internal sealed class TrackingFixture : IAsyncDisposable
{
    public static readonly DateTimeOffset Start = new(2026, 11, 23, 8, 52, 38, TimeSpan.Zero);

    private TrackingFixture(TrackingBackend backend, FakeTimeProvider time, RunStore store)
    {
        Backend = backend;
        Time = time;
        Store = store;
    }

    public TrackingBackend Backend { get; }

    public FakeTimeProvider Time { get; }

    public RunStore Store { get; }

    /// <summary>What <see cref="RunStore.OpenAsync"/> takes to open this store again.</summary>
    public string Location => Backend.Location;

    /// <summary>Opens a store on <paramref name="backend"/>, which the fixture then owns.</summary>
    public static async Task<TrackingFixture> CreateAsync(TrackingBackend backend)
    {
        var time = new FakeTimeProvider(Start);
        try
        {
            var store = await RunStore.OpenAsync(backend.Location, time, TestContext.Current.CancellationToken);
            return new TrackingFixture(backend, time, store);
        }
        catch
        {
            await backend.DisposeAsync();
            throw;
        }
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
        await Backend.DisposeAsync();
    }
}
