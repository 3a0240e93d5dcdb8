using Mlops.Pipeline.Tracking;
using Npgsql;

namespace Mlops.Pipeline.Tests.Tracking;

/// <summary>
/// The run store tests on PostgreSQL (a schema of each test's own in the database MLOPS_TEST_POSTGRES names),
/// and what only PostgreSQL does: the schema from the connection's Search Path, and the server's refusals.
/// </summary>
public sealed class PostgresRunStoreTests : RunStoreTests
{
    protected override async Task<TrackingBackend> CreateBackendAsync() => await PostgresBackend.CreateAsync();

    [Fact]
    public async Task OpenAsync_SearchPathNamesANewSchema_CreatesItWithTheTablesInIt()
    {
        await using var fixture = await CreateFixtureAsync();
        var schema = ((PostgresBackend)fixture.Backend).Database.Schema;

        var tables = await fixture.Backend.ScalarAsync(
            $"SELECT string_agg(table_name, ',' ORDER BY table_name) FROM information_schema.tables WHERE table_schema = '{schema}'");

        Assert.Equal("attachments,metrics,params,runs,schema_version", tables);
        Assert.StartsWith("postgresql://", fixture.Store.DatabasePath, StringComparison.Ordinal);
        Assert.EndsWith($"?search_path={schema}", fixture.Store.DatabasePath, StringComparison.Ordinal);
        Assert.DoesNotContain("Password", fixture.Store.DatabasePath, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task Schema_DeclaresTheSameTablesColumnsAndNullabilityAsSqlite()
    {
        await using var fixture = await CreateFixtureAsync();
        await using var sqlite = await TrackingFixture.CreateAsync(new SqliteBackend());
        var schema = ((PostgresBackend)fixture.Backend).Database.Schema;

        var postgresColumns = await fixture.Backend.ScalarAsync($"""
            SELECT string_agg(table_name || '.' || column_name || CASE WHEN is_nullable = 'NO' THEN ' not null' ELSE '' END, ', '
                              ORDER BY table_name, column_name)
            FROM information_schema.columns WHERE table_schema = '{schema}'
            """);
        var sqliteColumns = await sqlite.Backend.ScalarAsync("""
            SELECT group_concat(entry, ', ') FROM (
                SELECT t.name || '.' || c.name || CASE WHEN c."notnull" = 1 OR c.pk > 0 THEN ' not null' ELSE '' END AS entry
                FROM sqlite_master t JOIN pragma_table_info(t.name) c WHERE t.type = 'table' ORDER BY t.name, c.name)
            """);

        Assert.Equal(sqliteColumns, postgresColumns);
    }

    [Fact]
    public async Task OpenAsync_WrongPassword_ThrowsOneLineNamingServerUserAndWhereThePasswordComesFrom()
    {
        await using var backend = await PostgresBackend.CreateAsync();
        var settings = new NpgsqlConnectionStringBuilder(backend.Location) { Password = "not-the-password" };

        var error = await Assert.ThrowsAsync<TrackingStoreException>(() => RunStore.OpenAsync(settings.ConnectionString, TimeProvider.System, Ct));

        Assert.Contains($"PostgreSQL at {settings.Host}:{settings.Port} refused user '{settings.Username}' for database '{settings.Database}'", error.Message, StringComparison.Ordinal);
        Assert.Contains("PGPASSWORD, ~/.pgpass or PGPASSFILE", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("not-the-password", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain('\n', error.Message);
    }

    [Fact]
    public async Task OpenAsync_DatabaseDoesNotExist_ThrowsSayingHowToCreateIt()
    {
        await using var backend = await PostgresBackend.CreateAsync();
        var settings = new NpgsqlConnectionStringBuilder(backend.Location) { Database = "mlops_no_such_database" };

        var error = await Assert.ThrowsAsync<TrackingStoreException>(() => RunStore.OpenAsync(settings.ConnectionString, TimeProvider.System, Ct));

        Assert.Contains($"the database 'mlops_no_such_database' does not exist on PostgreSQL at {settings.Host}:{settings.Port}", error.Message, StringComparison.Ordinal);
        Assert.Contains("createdb", error.Message, StringComparison.Ordinal);
    }
}
