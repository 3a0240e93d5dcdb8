using Npgsql;

namespace Mlops.Testing;

/// <summary>
/// A fresh schema in the PostgreSQL database that <c>MLOPS_TEST_POSTGRES</c> names (an Npgsql connection string;
/// .ci/postgres.sh starts a server on loopback and sets it), so tests running in parallel never see each other's
/// tables. The schema is dropped on dispose. Without the variable or a reachable server a test skips, except
/// under CI=true, where it fails.
/// </summary>
public sealed class PostgresTestDatabase : IAsyncDisposable
{
    /// <summary>The variable holding the connection string.</summary>
    public const string EnvironmentVariable = "MLOPS_TEST_POSTGRES";

    private readonly string _adminConnectionString;

    private PostgresTestDatabase(string adminConnectionString, string schema, string connectionString)
    {
        _adminConnectionString = adminConnectionString;
        Schema = schema;
        ConnectionString = connectionString;
    }

    /// <summary>True under CI=true: a test must fail, not skip, when PostgreSQL is missing.</summary>
    public static bool Required => CiRun.ToolsRequired;

    /// <summary>The schema this test owns.</summary>
    public string Schema { get; }

    /// <summary>The connection string of the schema (<c>Search Path</c> set, pooling off so that no idle connection outlives the test).</summary>
    public string ConnectionString { get; }

    /// <summary>A new schema's connection, or null and why there is none.</summary>
    public static async Task<(PostgresTestDatabase? Database, string? Unavailable)> TryCreateAsync(CancellationToken cancellationToken)
    {
        var configured = Environment.GetEnvironmentVariable(EnvironmentVariable);
        if (string.IsNullOrWhiteSpace(configured))
        {
            return (null, $"{EnvironmentVariable} is not set, so the PostgreSQL run store tests do not run. Set it to an Npgsql connection string "
                + "(Host=127.0.0.1;Database=...;Username=...;Password=...); '. .ci/postgres.sh && ci_postgres' as root starts Debian's PostgreSQL "
                + "and sets it. .ci/run does so, and CI=true does not skip.");
        }

        var admin = new NpgsqlConnectionStringBuilder(configured) { Pooling = false }.ConnectionString;
        var schema = "mlops_test_" + Guid.NewGuid().ToString("N")[..12];
        try
        {
            await using var connection = new NpgsqlConnection(admin);
            await connection.OpenAsync(cancellationToken);
        }
        catch (NpgsqlException e)
        {
            return (null, $"the PostgreSQL server {EnvironmentVariable} names cannot be reached ({e.Message}). Start it ('. .ci/postgres.sh && ci_postgres' as root) or fix the variable; CI=true does not skip.");
        }

        var connectionString = new NpgsqlConnectionStringBuilder(admin) { SearchPath = schema }.ConnectionString;
        return (new PostgresTestDatabase(admin, schema, connectionString), null);
    }

    /// <summary>Runs <paramref name="sql"/> in the schema and returns the first column of its first row.</summary>
    public async Task<object?> ScalarAsync(string sql, CancellationToken cancellationToken)
    {
        await using var connection = new NpgsqlConnection(ConnectionString);
        await connection.OpenAsync(cancellationToken);
        await using var command = new NpgsqlCommand(sql, connection);
        return await command.ExecuteScalarAsync(cancellationToken);
    }

    /// <summary>Drops the schema and everything in it.</summary>
    public async ValueTask DisposeAsync()
    {
        await using var connection = new NpgsqlConnection(_adminConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand($"DROP SCHEMA IF EXISTS \"{Schema}\" CASCADE", connection);
        await command.ExecuteNonQueryAsync();
    }
}
