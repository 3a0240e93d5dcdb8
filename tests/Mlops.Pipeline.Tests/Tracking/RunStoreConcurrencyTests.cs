using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Time.Testing;
using Mlops.Pipeline.Tracking;
using Mlops.Testing;

namespace Mlops.Pipeline.Tests.Tracking;

public sealed class RunStoreConcurrencyTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task TwoStoresOnOneFile_WritingAtOnce_RecordEveryRunIntact()
    {
        using var folder = new TempDirectory("mlops-tracking");
        var path = folder.Combine(".mlops/tracking.db");
        var time = new FakeTimeProvider(TrackingFixture.Start);
        var opened = await Task.WhenAll(RunStore.OpenAsync(path, time, Ct), RunStore.OpenAsync(path, time, Ct));
        await using var first = opened[0];
        await using var second = opened[1];

        await Task.WhenAll(WriteRunsAsync(first, "a", 25), WriteRunsAsync(second, "b", 25));

        Assert.Equal(25, (await first.ListAsync("b", 100, Ct)).Count(r => r.Status == RunStatus.Succeeded && r.Metrics.Count == 2));
        Assert.Equal(25, (await second.ListAsync("a", 100, Ct)).Count(r => r.Status == RunStatus.Succeeded && r.Metrics.Count == 2));
        Assert.Equal("ok", await ScalarAsync(path, "PRAGMA integrity_check"));
        Assert.Equal(1L, await ScalarAsync(path, "SELECT COUNT(*) FROM schema_version"));
    }

    [Fact]
    public async Task StartRunAsync_WhileAnotherConnectionHoldsTheWriteLock_WaitsInsteadOfFailing()
    {
        using var folder = new TempDirectory("mlops-tracking");
        var path = folder.Combine(".mlops/tracking.db");
        await using var store = await RunStore.OpenAsync(path, new FakeTimeProvider(TrackingFixture.Start), Ct);
        await using var other = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = path, Pooling = false }.ToString());
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

    private static async Task WriteRunsAsync(RunStore store, string model, int count)
    {
        await Task.Yield();
        for (var i = 0; i < count; i++)
        {
            var id = await store.StartRunAsync(TrackingFixture.StartOf(model, parameters: ("i", i.ToString(System.Globalization.CultureInfo.InvariantCulture))), Ct);
            await store.CompleteRunAsync(id, new RunCompletion { Metrics = [new RunMetric("auc", i / 100.0), new RunMetric("f1", 0.5)] }, Ct);
        }
    }

    private static async Task<object?> ScalarAsync(string path, string sql)
    {
        await using var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = path, Pooling = false }.ToString());
        await connection.OpenAsync(Ct);
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        return await command.ExecuteScalarAsync(Ct);
    }
}
