using Mlops.Pipeline.Tracking;
using Mlops.Testing;
using Npgsql;

namespace Mlops.Pipeline.Tests.Tracking;

/// <summary>How a PostgreSQL location is recognised, read and shown; none of these needs a server.</summary>
public sealed class PostgresLocationTests
{
    [Theory]
    [InlineData("postgresql://mlops@db.example/runs", true)]
    [InlineData("postgres://db.example", true)]
    [InlineData("Host=db.example;Database=runs;Username=mlops", true)]
    [InlineData("Server=db.example;Database=runs", true)]
    [InlineData(".mlops/tracking.db", false)]
    [InlineData("/tmp/tracking=1.db", false)]
    [InlineData("C:\\runs\\tracking.db", false)]
    public void IsPostgreSql_TellsServerLocationsFromFiles(string location, bool expected) =>
        Assert.Equal(expected, TrackingLocation.IsPostgreSql(location));

    [Fact]
    public void Resolve_PostgresLocation_IsKeptAsGivenNotMadeAPath()
    {
        var location = TrackingLocation.Resolve("/repo", "postgresql://mlops@db.example:6543/runs");

        Assert.Equal("postgresql://mlops@db.example:6543/runs", location);
        Assert.Equal("/repo/.mlops/tracking.db", TrackingLocation.Resolve("/repo", ".mlops/tracking.db"));
    }

    [Fact]
    public void Parse_Uri_ReadsUserPasswordHostPortDatabaseAndLibpqParameters()
    {
        var settings = PostgresLocation.Parse("postgresql://ci%20user:p%40ss@db.example:6543/mlops_runs?sslmode=verify-full&application_name=nightly&search_path=team_a");

        Assert.Equal(("db.example", 6543, "ci user", "p@ss", "mlops_runs"), (settings.Host, settings.Port, settings.Username, settings.Password, settings.Database));
        Assert.Equal(SslMode.VerifyFull, settings.SslMode);
        Assert.Equal("nightly", settings.ApplicationName);
        Assert.Equal("team_a", settings.SearchPath);
    }

    [Fact]
    public void Parse_ConnectionStringWithoutApplicationName_NamesMlops()
    {
        var settings = PostgresLocation.Parse("Host=127.0.0.1;Database=runs;Username=mlops");

        Assert.Equal(("127.0.0.1", 5432, "mlops"), (settings.Host, settings.Port, settings.ApplicationName));
    }

    [Fact]
    public void Display_NeverShowsThePassword()
    {
        Assert.Equal("postgresql://mlops@db.example:6543/runs", TrackingLocation.Display("postgresql://mlops:s3cret@db.example:6543/runs"));
        Assert.Equal("postgresql://mlops@db.example:5432/runs", TrackingLocation.Display("Host=db.example;Database=runs;Username=mlops;Password=s3cret"));
    }

    [Fact]
    public void Parse_UnknownUriParameter_ThrowsNamingItWithoutThePassword()
    {
        var error = Assert.Throws<TrackingStoreException>(() => PostgresLocation.Parse("postgresql://mlops:s3cret@db.example/runs?colour=blue"));

        Assert.Contains("its parameter 'colour' is not understood", error.Message, StringComparison.Ordinal);
        Assert.Contains("MLOPS_TRACKING_DB", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("s3cret", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task OpenAsync_NothingListensAtTheHostAndPort_ThrowsOneLineNamingThemAndWhatToCheck()
    {
        var port = HeldPort.Closed();

        var error = await Assert.ThrowsAsync<TrackingStoreException>(() =>
            RunStore.OpenAsync($"Host=127.0.0.1;Port={port};Database=runs;Username=mlops;Password=s3cret;Timeout=5", TimeProvider.System, TestContext.Current.CancellationToken));

        Assert.StartsWith($"cannot connect to the PostgreSQL run store at 127.0.0.1:{port} (database 'runs', user 'mlops')", error.Message, StringComparison.Ordinal);
        Assert.Contains($"pg_isready -h 127.0.0.1 -p {port}", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("s3cret", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain('\n', error.Message);
    }
}
