using System.Data;
using System.Data.Common;
using Npgsql;

namespace Mlops.Pipeline.Tracking;

/// <summary>
/// The run store on a PostgreSQL server, shared by several machines or CI jobs. Writes run at READ COMMITTED
/// and lock the run they change (<c>SELECT ... FOR UPDATE</c>); reads run in one REPEATABLE READ snapshot;
/// migrations take a transaction-scoped advisory lock, so processes opening a new database at once create
/// the tables once. The connection string's <c>Search Path</c> picks the schema (created when missing), so
/// several stores can share one database.
/// </summary>
internal sealed class PostgresDialect : RunStoreDialect
{
    /// <summary>The advisory lock key migrations take: "mlops" in ASCII, unlikely to collide with an application's own keys.</summary>
    private const long MigrationLockKey = 0x6d_6c_6f_70_73;

    private readonly NpgsqlConnectionStringBuilder _settings;

    private PostgresDialect(NpgsqlConnectionStringBuilder settings)
    {
        _settings = settings;
        Location = PostgresLocation.Display(settings);
    }

    /// <inheritdoc />
    public override string Location { get; }

    /// <inheritdoc />
    public override string LockRow => " FOR UPDATE";

    /// <inheritdoc />
    public override IReadOnlyList<string> Migrations => RunStoreSchema.Postgres;

    /// <inheritdoc />
    public override string SchemaVersionExists => "SELECT to_regclass('schema_version') IS NOT NULL";

    private string Server => $"{_settings.Host}:{_settings.Port}";

    private string Database => _settings.Database ?? _settings.Username ?? "";

    /// <summary>The dialect of the database <paramref name="location"/> names.</summary>
    /// <exception cref="TrackingStoreException">The location cannot be read.</exception>
    public static PostgresDialect Create(string location) => new(PostgresLocation.Parse(location));

    /// <inheritdoc />
    protected override DbConnection CreateConnection() => new NpgsqlConnection(_settings.ConnectionString);

    /// <inheritdoc />
    public override async Task<DbTransaction> BeginWriteAsync(DbConnection connection, CancellationToken cancellationToken) =>
        await connection.BeginTransactionAsync(IsolationLevel.ReadCommitted, cancellationToken).ConfigureAwait(false);

    /// <inheritdoc />
    public override async Task<DbTransaction> BeginReadAsync(DbConnection connection, CancellationToken cancellationToken) =>
        await connection.BeginTransactionAsync(IsolationLevel.RepeatableRead, cancellationToken).ConfigureAwait(false); // read-only, so it never fails to serialise

    /// <inheritdoc />
    public override async Task LockSchemaAsync(DbTransaction transaction, CancellationToken cancellationToken)
    {
        await using (var command = transaction.Connection!.CreateCommand())
        {
            command.Transaction = transaction;
            command.CommandText = "SELECT pg_advisory_xact_lock(@key)";
            var key = command.CreateParameter();
            key.ParameterName = "key";
            key.Value = MigrationLockKey;
            command.Parameters.Add(key);
            await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }

        var schema = _settings.SearchPath?.Split(',')[0].Trim().Trim('"');
        if (!string.IsNullOrEmpty(schema) && schema != "$user")
        {
            await using var create = transaction.Connection!.CreateCommand();
            create.Transaction = transaction;
            create.CommandText = $"CREATE SCHEMA IF NOT EXISTS \"{schema.Replace("\"", "\"\"", StringComparison.Ordinal)}\"";
            await create.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    /// <inheritdoc />
    public override TrackingStoreException? Explain(Exception error)
    {
        var user = _settings.Username ?? Environment.UserName;
        return error switch
        {
            PostgresException { SqlState: PostgresErrorCodes.InvalidPassword or PostgresErrorCodes.InvalidAuthorizationSpecification } e => new(
                $"PostgreSQL at {Server} refused user '{user}' for database '{Database}': {OneLine(e.MessageText)}. "
                + "Check the password (PGPASSWORD, ~/.pgpass or PGPASSFILE; never a committed file) and the server's pg_hba.conf.", e),
            PostgresException { SqlState: PostgresErrorCodes.InvalidCatalogName } e => new(
                $"the database '{Database}' does not exist on PostgreSQL at {Server}. Create it (createdb -h {_settings.Host} -p {_settings.Port} -O {user} {Database}) "
                + $"or name an existing one in --tracking-db or {TrackingLocation.EnvironmentVariable}.", e),
            PostgresException { SqlState: PostgresErrorCodes.InsufficientPrivilege } e => new(
                $"user '{user}' may not create the run store's tables in database '{Database}' on PostgreSQL at {Server}: {OneLine(e.MessageText)}. "
                + "Grant it CREATE on the database or schema, or open the store once as a user that may.", e),
            PostgresException e => new(
                $"PostgreSQL at {Server} (database '{Database}', user '{user}') answered: {OneLine(e.MessageText)} ({e.SqlState}).", e),
            NpgsqlException { InnerException: null } e when e.Message.Contains("password", StringComparison.OrdinalIgnoreCase) => new(
                $"PostgreSQL at {Server} asks user '{user}' for a password and none was given. Set PGPASSWORD or add a line to ~/.pgpass (or PGPASSFILE); never put it in a committed file.", e),
            NpgsqlException e => new(
                $"cannot connect to the PostgreSQL run store at {Server} (database '{Database}', user '{user}'): {OneLine(Reason(e))}. "
                + $"Check that the server runs and accepts TCP connections there (pg_isready -h {_settings.Host} -p {_settings.Port}), "
                + $"and the host and port in --tracking-db or {TrackingLocation.EnvironmentVariable}.", e),
            _ => null,
        };
    }

    private static string Reason(Exception e) =>
        e.InnerException is { } inner && !e.Message.Contains(inner.Message.TrimEnd('.'), StringComparison.Ordinal)
            ? $"{e.Message.TrimEnd('.')}: {inner.Message.TrimEnd('.')}"
            : e.Message.TrimEnd('.');

    private static string OneLine(string text) => string.Join(' ', text.Split(['\r', '\n'], StringSplitOptions.RemoveEmptyEntries)).TrimEnd('.');
}
