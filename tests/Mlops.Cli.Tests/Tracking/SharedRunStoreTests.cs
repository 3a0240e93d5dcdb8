using Mlops.Pipeline.Tracking;
using Mlops.Testing;
using Npgsql;

namespace Mlops.Cli.Tests.Tracking;

/// <summary>
/// Several CI jobs, each its own <c>mlops train</c> process on its own checkout, recording into one PostgreSQL
/// run store at once (a schema of the test's own in the database MLOPS_TEST_POSTGRES names): every run is kept,
/// none twice, and the password reaches mlops through PGPASSWORD, not the location.
/// </summary>
public sealed class SharedRunStoreTests
{
    private const int Jobs = 3;
    private static readonly TimeSpan Limit = TimeSpan.FromMinutes(4);

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task TrainInSeveralProcessesAtOnce_RecordsEveryRunOnceInOnePostgresStore()
    {
        var (database, unavailable) = await PostgresTestDatabase.TryCreateAsync(Ct);
        Assert.False(database is null && PostgresTestDatabase.Required, unavailable);
        Assert.SkipWhen(database is null, unavailable ?? "");
        await using var _ = database;
        var settings = new NpgsqlConnectionStringBuilder(database.ConnectionString);
        var password = settings.Password;
        settings.Password = null;
        var location = $"postgresql://{settings.Username}@{settings.Host}:{settings.Port}/{settings.Database}?search_path={database.Schema}";
        var environment = new Dictionary<string, string?> { ["PGPASSWORD"] = password, [TrackingLocation.EnvironmentVariable] = null };

        var repos = Enumerable.Range(0, Jobs).Select(_ => new ExampleRepository()).ToList();
        var jobs = repos.Select(repo => DotNetProcess.Start(typeof(MlopsApp).Assembly.Location,
            ["train", "--repo", repo.Path, "--tracking-db", location, "--force", "--json"], repo.Path, environment)).ToList();
        try
        {
            foreach (var job in jobs)
            {
                var exit = await job.WaitForExitAsync(Limit, Ct);
                Assert.True(exit == ExitCodes.Success, $"mlops train exited {exit}: {job.Error}{job.Out}");
                Assert.Contains($"\"database\": \"postgresql://{settings.Username}@{settings.Host}:{settings.Port}/", job.Out, StringComparison.Ordinal);
            }

            await using var store = await RunStore.OpenAsync(database.ConnectionString, cancellationToken: Ct);
            var runs = await store.ListAsync(limit: 100, cancellationToken: Ct);
            Assert.Equal(Jobs, runs.Count(r => r.Status == RunStatus.Succeeded && r.Metrics.Count > 0 && r.Artifact is not null));
            Assert.Equal(runs.Count, runs.Select(r => r.Id).Distinct().Count());
            Assert.Equal(jobs.Select(j => j.Process.Id).Order(), runs.Select(r => r.ProcessId ?? 0).Distinct().Order());
            Assert.DoesNotContain(password!, string.Concat(jobs.Select(j => j.Out + j.Error)), StringComparison.Ordinal);

            // A password written into the location is used but never shown.
            var withPassword = location.Replace($"{settings.Username}@", $"{settings.Username}:{Uri.EscapeDataString(password!)}@", StringComparison.Ordinal);
            using var list = DotNetProcess.Start(typeof(MlopsApp).Assembly.Location,
                ["runs", "list", "--tracking-db", withPassword, "--json"], repos[0].Path, new Dictionary<string, string?> { ["PGPASSWORD"] = null });
            Assert.Equal(ExitCodes.Success, await list.WaitForExitAsync(Limit, Ct));
            Assert.Equal(Jobs, System.Text.Json.JsonDocument.Parse(list.Out).RootElement.GetProperty("runs").GetArrayLength());
            Assert.Contains($"\"database\": \"{location}\"", list.Out, StringComparison.Ordinal);
            Assert.DoesNotContain(password!, list.Out + list.Error, StringComparison.Ordinal);
        }
        finally
        {
            foreach (var job in jobs)
            {
                job.Dispose();
            }

            foreach (var repo in repos)
            {
                repo.Dispose();
            }
        }
    }
}
