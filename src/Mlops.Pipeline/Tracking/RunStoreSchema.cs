using System.Data.Common;
using System.Globalization;

namespace Mlops.Pipeline.Tracking;

/// <summary>
/// The tables of the run store and the migrations that create them, in each database's DDL. Each migration
/// runs once, in order, inside one write transaction that also records it in <c>schema_version</c> and holds
/// the dialect's migration lock; so opening a store is idempotent and processes opening a new store at once
/// create the tables once. A migration is never edited after release: change the schema by appending one (a
/// test checks that both databases end up with the same columns).
/// </summary>
internal static class RunStoreSchema
{
    /// <summary>The migrations in SQLite's DDL.</summary>
    public static readonly IReadOnlyList<string> Sqlite =
    [
        // 1: runs, their params, metrics and attached JSON documents.
        """
        CREATE TABLE runs (
            seq INTEGER PRIMARY KEY,
            id TEXT NOT NULL UNIQUE,
            model TEXT NOT NULL,
            status TEXT NOT NULL CHECK (status IN ('running', 'succeeded', 'failed')),
            started_at TEXT NOT NULL,
            ended_at TEXT,
            cache_key TEXT,
            data_digest TEXT,
            declarations_digest TEXT,
            git_commit TEXT,
            git_dirty INTEGER,
            git_branch TEXT,
            os TEXT NOT NULL,
            dotnet_version TEXT NOT NULL,
            mlnet_version TEXT,
            seed INTEGER,
            artifact_path TEXT,
            artifact_digest TEXT,
            error_message TEXT,
            error_id TEXT,
            error_path TEXT,
            error_line INTEGER,
            error_column INTEGER,
            host TEXT,
            pid INTEGER
        );
        CREATE INDEX runs_by_model ON runs (model, started_at);
        CREATE INDEX runs_by_cache_key ON runs (model, cache_key, status);
        CREATE TABLE params (
            seq INTEGER PRIMARY KEY,
            run_id TEXT NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
            name TEXT NOT NULL,
            value TEXT NOT NULL,
            UNIQUE (run_id, name)
        );
        CREATE TABLE metrics (
            seq INTEGER PRIMARY KEY,
            run_id TEXT NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
            name TEXT NOT NULL,
            split TEXT NOT NULL,
            slice TEXT NOT NULL,
            value REAL,
            UNIQUE (run_id, name, split, slice)
        );
        CREATE TABLE attachments (
            run_id TEXT NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
            name TEXT NOT NULL,
            content TEXT NOT NULL,
            PRIMARY KEY (run_id, name)
        );
        """,

        // 2: each metric's 95% interval (MetricInterval); NULL for runs recorded before, and for metrics without one.
        """
        ALTER TABLE metrics ADD COLUMN ci_low REAL;
        ALTER TABLE metrics ADD COLUMN ci_high REAL;
        """,

        // 3: the run a run belongs to: each trial of trainer auto is a child of the training run; NULL for every other run.
        """
        ALTER TABLE runs ADD COLUMN parent_id TEXT REFERENCES runs (id) ON DELETE CASCADE;
        CREATE INDEX runs_by_parent ON runs (parent_id);
        """,
    ];

    /// <summary>
    /// The same migrations in PostgreSQL's DDL, translated from SQLite's so that the two never drift: <c>seq</c>
    /// becomes an identity column and <c>REAL</c> <c>DOUBLE PRECISION</c>; times stay ISO 8601 text, so both
    /// sort and read them alike. A later migration whose SQLite text does not translate so adds a rule here.
    /// </summary>
    public static readonly IReadOnlyList<string> Postgres = [.. Sqlite.Select(ToPostgres)];

    /// <summary>The schema version this code writes.</summary>
    public static int Version => Sqlite.Count;

    /// <summary>Brings the database up to <see cref="Version"/>; a no-op when it is there already.</summary>
    /// <exception cref="TrackingStoreException">A newer mlops wrote the database.</exception>
    public static async Task MigrateAsync(DbConnection connection, RunStoreDialect dialect, TimeProvider time, CancellationToken cancellationToken)
    {
        if (await ReadVersionAsync(connection, dialect, null, cancellationToken).ConfigureAwait(false) == Version)
        {
            return;
        }

        // The migration lock first, so two processes migrating at once run one after the other.
        await using var transaction = await dialect.BeginWriteAsync(connection, cancellationToken).ConfigureAwait(false);
        await dialect.LockSchemaAsync(transaction, cancellationToken).ConfigureAwait(false);
        await using (var create = connection.CreateCommand())
        {
            create.Transaction = transaction;
            create.CommandText = "CREATE TABLE IF NOT EXISTS schema_version (version INTEGER PRIMARY KEY, applied_at TEXT NOT NULL)";
            await create.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }

        var current = await ReadVersionAsync(connection, dialect, transaction, cancellationToken).ConfigureAwait(false);
        if (current > Version)
        {
            throw new TrackingStoreException(
                $"the run store '{dialect.Location}' has schema version {current}, but this mlops knows versions up to {Version}: a newer mlops wrote it. "
                + $"Update mlops, or point {TrackingLocation.EnvironmentVariable} at another store.");
        }

        for (var version = current + 1; version <= Version; version++)
        {
            await using var migrate = connection.CreateCommand();
            migrate.Transaction = transaction;
            migrate.CommandText = dialect.Migrations[version - 1];
            await migrate.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);

            await using var record = connection.CreateCommand();
            record.Transaction = transaction;
            record.CommandText = "INSERT INTO schema_version (version, applied_at) VALUES (@version, @at)";
            AddParameter(record, "version", version);
            AddParameter(record, "at", time.GetUtcNow().ToString("O", CultureInfo.InvariantCulture));
            await record.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }

        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
    }

    private static string ToPostgres(string sqlite) => sqlite
        .Replace("seq INTEGER PRIMARY KEY", "seq BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY", StringComparison.Ordinal)
        .Replace(" REAL", " DOUBLE PRECISION", StringComparison.Ordinal);

    private static void AddParameter(DbCommand command, string name, object value)
    {
        var parameter = command.CreateParameter();
        parameter.ParameterName = name;
        parameter.Value = value;
        command.Parameters.Add(parameter);
    }

    private static async Task<int> ReadVersionAsync(DbConnection connection, RunStoreDialect dialect, DbTransaction? transaction, CancellationToken cancellationToken)
    {
        await using var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = dialect.SchemaVersionExists;
        if (!Convert.ToBoolean(await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false), CultureInfo.InvariantCulture))
        {
            return 0;
        }

        command.CommandText = "SELECT COALESCE(MAX(version), 0) FROM schema_version";
        return Convert.ToInt32(await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false), CultureInfo.InvariantCulture);
    }
}
