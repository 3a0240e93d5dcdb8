using Microsoft.Data.Sqlite;
using Mlops.Testing;

namespace Mlops.Pipeline.Tests.Tracking;

/// <summary>The database a run store test runs on: each test gets its own, so tests run in parallel.</summary>
public abstract class TrackingBackend : IAsyncDisposable
{
    /// <summary>What <c>RunStore.OpenAsync</c> takes: a file path or a PostgreSQL connection string.</summary>
    public abstract string Location { get; }

    /// <summary>Runs <paramref name="sql"/> on a connection of its own; the first column of the first row.</summary>
    public abstract Task<object?> ScalarAsync(string sql);

    /// <summary>Runs <paramref name="sql"/> on a connection of its own.</summary>
    public Task ExecuteAsync(string sql) => ScalarAsync(sql);

    /// <inheritdoc />
    public abstract ValueTask DisposeAsync();
}

/// <summary>A new SQLite file, <c>.mlops/tracking.db</c> in a temp folder.</summary>
public sealed class SqliteBackend : TrackingBackend
{
    public TempDirectory Folder { get; } = new("mlops-tracking");

    public override string Location => Folder.Combine(".mlops/tracking.db");

    public override async Task<object?> ScalarAsync(string sql)
    {
        await using var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = Location, Pooling = false }.ToString());
        await connection.OpenAsync(TestContext.Current.CancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        return await command.ExecuteScalarAsync(TestContext.Current.CancellationToken);
    }

    public override ValueTask DisposeAsync()
    {
        Folder.Dispose();
        return ValueTask.CompletedTask;
    }
}

/// <summary>A new schema in the PostgreSQL database MLOPS_TEST_POSTGRES names (<see cref="PostgresTestDatabase"/>).</summary>
public sealed class PostgresBackend : TrackingBackend
{
    private PostgresBackend(PostgresTestDatabase database) => Database = database;

    public PostgresTestDatabase Database { get; }

    public override string Location => Database.ConnectionString;

    /// <summary>A new schema; skips the test when no server is configured, fails it under CI=true.</summary>
    public static async Task<PostgresBackend> CreateAsync()
    {
        var (database, unavailable) = await PostgresTestDatabase.TryCreateAsync(TestContext.Current.CancellationToken);
        Assert.False(database is null && PostgresTestDatabase.Required, unavailable);
        Assert.SkipWhen(database is null, unavailable ?? "");
        return new PostgresBackend(database);
    }

    public override Task<object?> ScalarAsync(string sql) => Database.ScalarAsync(sql, TestContext.Current.CancellationToken);

    public override ValueTask DisposeAsync() => Database.DisposeAsync();
}
