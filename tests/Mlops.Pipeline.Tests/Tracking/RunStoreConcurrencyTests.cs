using System.Globalization;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Time.Testing;
using Mlops.Pipeline.Tracking;

namespace Mlops.Pipeline.Tests.Tracking;

/// <summary>Several stores (each with its own connection, as separate processes have) writing one database at once: no run is lost, none is doubled.</summary>
public abstract class RunStoreConcurrencyTests
{
    protected static CancellationToken Ct => TestContext.Current.CancellationToken;

    protected abstract Task<TrackingBackend> CreateBackendAsync();

    [Fact]
    public async Task StoresOpeningANewDatabaseAtOnce_CreateTheSchemaOnce()
    {
        await using var backend = await CreateBackendAsync();
        var time = new FakeTimeProvider(TrackingFixture.Start);

        await using var stores = await Stores.OpenAsync(backend, 6, time);

        Assert.Equal((long)RunStoreSchema.Version, Convert.ToInt64(await backend.ScalarAsync("SELECT COUNT(*) FROM schema_version"), CultureInfo.InvariantCulture));
        Assert.Equal(6, (await Task.WhenAll(stores.All.Select(s => s.StartRunAsync(TrackingFixture.StartOf("churn"), Ct)))).Distinct().Count());
    }

    [Fact]
    public async Task FourStoresWritingAtOnce_RecordEveryRunIntactAndNoneTwice()
    {
        await using var backend = await CreateBackendAsync();
        var time = new FakeTimeProvider(TrackingFixture.Start);
        await using var stores = await Stores.OpenAsync(backend, 4, time);

        await Task.WhenAll(stores.All.Select((store, i) => WriteRunsAsync(store, $"model{i}", 15)));
        var runs = await stores.All[0].ListAsync(limit: 1000, cancellationToken: Ct);

        Assert.Equal(60, runs.Count);
        Assert.Equal(60, runs.Select(r => r.Id).Distinct().Count());
        Assert.All(runs, r => Assert.Equal(RunStatus.Succeeded, r.Status));
        Assert.All(runs, r => Assert.Equal(2, r.Metrics.Count));
        Assert.All(runs, r => Assert.Equal(r.Params["i"], (r.Metrics[0].Value * 100).ToString("0", CultureInfo.InvariantCulture)));
        Assert.Equal(Enumerable.Repeat(15, 4), runs.GroupBy(r => r.Model).OrderBy(g => g.Key).Select(g => g.Count()));
        Assert.Equal(60L, Convert.ToInt64(await backend.ScalarAsync("SELECT COUNT(*) FROM params"), CultureInfo.InvariantCulture));
        Assert.Equal(120L, Convert.ToInt64(await backend.ScalarAsync("SELECT COUNT(*) FROM metrics"), CultureInfo.InvariantCulture));
    }

    [Fact]
    public async Task TwoStoresCompletingTheSameRunAtOnce_OneWinsAndTheOtherIsRefused()
    {
        await using var backend = await CreateBackendAsync();
        var time = new FakeTimeProvider(TrackingFixture.Start);
        await using var first = await RunStore.OpenAsync(backend.Location, time, Ct);
        await using var second = await RunStore.OpenAsync(backend.Location, time, Ct);

        for (var round = 0; round < 10; round++)
        {
            var id = await first.StartRunAsync(TrackingFixture.StartOf("churn"), Ct);
            var attempts = new[]
            {
                Task.Run(() => first.CompleteRunAsync(id, new RunCompletion { Metrics = [new RunMetric("auc", 0.1)] }, Ct), Ct),
                Task.Run(() => second.CompleteRunAsync(id, new RunCompletion { Metrics = [new RunMetric("auc", 0.2), new RunMetric("f1", 0.2)] }, Ct), Ct),
            };
            var refused = 0;
            foreach (var attempt in attempts)
            {
                try
                {
                    await attempt;
                }
                catch (InvalidOperationException e) when (e.Message.Contains("it is succeeded", StringComparison.Ordinal))
                {
                    refused++;
                }
            }

            var run = await first.GetAsync(id, Ct);
            Assert.Equal(1, refused);
            Assert.Equal(RunStatus.Succeeded, run!.Status);
            Assert.Contains(run.Metrics.Count, new[] { 1, 2 });
            Assert.All(run.Metrics, m => Assert.Equal(run.Metrics.Count / 10.0, m.Value)); // one completion's metrics, never a mix
        }
    }

    /// <summary>Several stores on one database, each with its own connection, opened at once.</summary>
    private sealed class Stores(RunStore[] all) : IAsyncDisposable
    {
        public RunStore[] All => all;

        public static async Task<Stores> OpenAsync(TrackingBackend backend, int count, TimeProvider time) =>
            new(await Task.WhenAll(Enumerable.Range(0, count).Select(_ => Task.Run(() => RunStore.OpenAsync(backend.Location, time, Ct), Ct))));

        public async ValueTask DisposeAsync()
        {
            foreach (var store in all)
            {
                await store.DisposeAsync();
            }
        }
    }

    private static async Task WriteRunsAsync(RunStore store, string model, int count)
    {
        await Task.Yield();
        for (var i = 0; i < count; i++)
        {
            var id = await store.StartRunAsync(TrackingFixture.StartOf(model, parameters: ("i", i.ToString(CultureInfo.InvariantCulture))), Ct);
            await store.CompleteRunAsync(id, new RunCompletion { Metrics = [new RunMetric("auc", i / 100.0), new RunMetric("f1", 0.5)] }, Ct);
        }
    }
}

/// <summary>The concurrency tests on one SQLite file, and SQLite's own: waiting for another connection's write lock.</summary>
public sealed class SqliteRunStoreConcurrencyTests : RunStoreConcurrencyTests
{
    protected override Task<TrackingBackend> CreateBackendAsync() => Task.FromResult<TrackingBackend>(new SqliteBackend());

    [Fact]
    public async Task TwoStoresWritingAtOnce_LeaveTheFileIntact()
    {
        await using var backend = new SqliteBackend();
        var time = new FakeTimeProvider(TrackingFixture.Start);
        var opened = await Task.WhenAll(RunStore.OpenAsync(backend.Location, time, Ct), RunStore.OpenAsync(backend.Location, time, Ct));
        await using (opened[0])
        await using (opened[1])
        {
            await Task.WhenAll(opened.Select(store => Task.Run(async () =>
            {
                for (var i = 0; i < 10; i++)
                {
                    await store.CompleteRunAsync(await store.StartRunAsync(TrackingFixture.StartOf("churn"), Ct), new RunCompletion { Metrics = [new RunMetric("auc", 0.5)] }, Ct);
                }
            }, Ct)));
        }

        Assert.Equal("ok", await backend.ScalarAsync("PRAGMA integrity_check"));
    }

    [Fact]
    public async Task StartRunAsync_WhileAnotherConnectionHoldsTheWriteLock_WaitsInsteadOfFailing()
    {
        await using var backend = new SqliteBackend();
        await using var store = await RunStore.OpenAsync(backend.Location, new FakeTimeProvider(TrackingFixture.Start), Ct);
        await using var other = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = backend.Location, Pooling = false }.ToString());
        await other.OpenAsync(Ct);
        var transaction = other.BeginTransaction(); // BEGIN IMMEDIATE: holds the write lock

        var start = Task.Run(() => store.StartRunAsync(TrackingFixture.StartOf("churn"), Ct), Ct);
        await Task.Delay(TimeSpan.FromMilliseconds(300), Ct);
        Assert.False(start.IsCompleted);
        transaction.Commit();
        transaction.Dispose();
        var id = await start.WaitAsync(TimeSpan.FromSeconds(10), Ct);

        Assert.Equal(RunStatus.Running, (await store.GetAsync(id, Ct))?.Status);
    }
}

/// <summary>The concurrency tests on one PostgreSQL schema.</summary>
public sealed class PostgresRunStoreConcurrencyTests : RunStoreConcurrencyTests
{
    protected override async Task<TrackingBackend> CreateBackendAsync() => await PostgresBackend.CreateAsync();
}
