using System.Data.Common;
using System.Globalization;
using Microsoft.Data.Sqlite;

namespace Mlops.Pipeline.Tracking;

/// <summary>The embedded run store: one SQLite file in WAL mode with a busy timeout, so several processes on one machine can write to it.</summary>
internal sealed class SqliteDialect(string path) : RunStoreDialect
{
    /// <inheritdoc />
    public override string Location => path;

    /// <inheritdoc />
    public override string LockRow => "";

    /// <inheritdoc />
    public override IReadOnlyList<string> Migrations => RunStoreSchema.Sqlite;

    /// <inheritdoc />
    public override string SchemaVersionExists => "SELECT EXISTS (SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'schema_version')";

    /// <summary>
    /// The dialect of the file at <paramref name="databasePath"/>, creating its folder when missing. A new
    /// <c>.mlops</c> folder gets a <c>.gitignore</c> of <c>*</c>, so the database is never committed by accident.
    /// </summary>
    public static async Task<SqliteDialect> PrepareAsync(string databasePath, CancellationToken cancellationToken)
    {
        var path = Path.GetFullPath(databasePath);
        var folder = Path.GetDirectoryName(path)!;
        if (!Directory.Exists(folder))
        {
            Directory.CreateDirectory(folder);
            if (Path.GetFileName(folder) == ".mlops")
            {
                await File.WriteAllTextAsync(Path.Combine(folder, ".gitignore"), "# Written by mlops: local run tracking, not for git.\n*\n", cancellationToken)
                    .ConfigureAwait(false);
            }
        }

        return new SqliteDialect(path);
    }

    /// <inheritdoc />
    protected override DbConnection CreateConnection() => new SqliteConnection(new SqliteConnectionStringBuilder
    {
        DataSource = path,
        Mode = SqliteOpenMode.ReadWriteCreate,
        Pooling = false,
        ForeignKeys = true,
        DefaultTimeout = (int)RunStore.BusyTimeout.TotalSeconds,
    }.ToString());

    /// <inheritdoc />
    protected override async Task ConfigureAsync(DbConnection connection, CancellationToken cancellationToken)
    {
        await using var pragma = connection.CreateCommand();
        // The busy timeout first: switching to WAL needs a lock another process may hold.
        pragma.CommandText = string.Create(CultureInfo.InvariantCulture,
            $"PRAGMA busy_timeout = {(int)RunStore.BusyTimeout.TotalMilliseconds}; PRAGMA journal_mode = WAL;");
        await pragma.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public override async Task<DbTransaction> BeginWriteAsync(DbConnection connection, CancellationToken cancellationToken) =>
        await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false); // BEGIN IMMEDIATE: takes the write lock, waiting up to the busy timeout

    /// <inheritdoc />
    public override Task<DbTransaction> BeginReadAsync(DbConnection connection, CancellationToken cancellationToken) =>
        Task.FromResult<DbTransaction>(((SqliteConnection)connection).BeginTransaction(deferred: true));

    /// <inheritdoc />
    public override Task LockSchemaAsync(DbTransaction transaction, CancellationToken cancellationToken) =>
        Task.CompletedTask; // BEGIN IMMEDIATE already holds the only write lock

    /// <inheritdoc />
    public override TrackingStoreException? Explain(Exception error) =>
        error is SqliteException { SqliteErrorCode: 26 /* SQLITE_NOTADB */ or 11 /* SQLITE_CORRUPT */ } e
            ? new TrackingStoreException(
                $"'{path}' is not a run store: {e.Message.TrimEnd('.')}. Move the file away, or point {TrackingLocation.EnvironmentVariable} at another file.", e)
            : null;
}
