using System.Data.Common;

namespace Mlops.Pipeline.Tracking;

/// <summary>
/// What differs between the databases a <see cref="RunStore"/> runs on: opening a connection, how
/// transactions lock, the schema's DDL and how errors read. The store's queries are written once over
/// ADO.NET, with <c>@name</c> parameters and <c>INSERT ... ON CONFLICT</c> upserts, which both accept.
/// </summary>
internal abstract class RunStoreDialect
{
    /// <summary>Where the store is, as it may be shown: a file path, or a PostgreSQL URI without the password.</summary>
    public abstract string Location { get; }

    /// <summary>
    /// Appended to the <c>SELECT</c> a write reads before it changes a row, so that two writers of the
    /// same run take turns (SQLite needs nothing: its write transactions already run one at a time).
    /// </summary>
    public abstract string LockRow { get; }

    /// <summary>The schema's migrations in this database's DDL, in order (<see cref="RunStoreSchema"/>).</summary>
    public abstract IReadOnlyList<string> Migrations { get; }

    /// <summary>A query answering whether the <c>schema_version</c> table exists (a number or a boolean).</summary>
    public abstract string SchemaVersionExists { get; }

    /// <summary>Opens and configures a connection.</summary>
    public async Task<DbConnection> OpenAsync(CancellationToken cancellationToken)
    {
        var connection = CreateConnection();
        try
        {
            await connection.OpenAsync(cancellationToken).ConfigureAwait(false);
            await ConfigureAsync(connection, cancellationToken).ConfigureAwait(false);
            return connection;
        }
        catch
        {
            await connection.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>Begins a transaction that writes; its reads see the latest committed data.</summary>
    public abstract Task<DbTransaction> BeginWriteAsync(DbConnection connection, CancellationToken cancellationToken);

    /// <summary>Begins a transaction whose reads all see one snapshot, so a run and its params and metrics agree.</summary>
    public abstract Task<DbTransaction> BeginReadAsync(DbConnection connection, CancellationToken cancellationToken);

    /// <summary>Inside a write transaction, waits until no other process is migrating the schema.</summary>
    public abstract Task LockSchemaAsync(DbTransaction transaction, CancellationToken cancellationToken);

    /// <summary>A new, closed connection to the store.</summary>
    protected abstract DbConnection CreateConnection();

    /// <summary>Settings a new connection needs before its first query.</summary>
    protected virtual Task ConfigureAsync(DbConnection connection, CancellationToken cancellationToken) => Task.CompletedTask;

    /// <summary>The store's error for <paramref name="error"/> raised while opening or migrating, or null to let it through.</summary>
    public abstract TrackingStoreException? Explain(Exception error);
}
