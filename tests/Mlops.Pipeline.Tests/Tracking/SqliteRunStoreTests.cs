using Mlops.Pipeline.Tracking;
using Mlops.Testing;

namespace Mlops.Pipeline.Tests.Tracking;

/// <summary>The run store tests on SQLite, and what only SQLite does (a file, WAL mode, the .gitignore).</summary>
public sealed class SqliteRunStoreTests : RunStoreTests
{
    protected override Task<TrackingBackend> CreateBackendAsync() => Task.FromResult<TrackingBackend>(new SqliteBackend());

    [Fact]
    public async Task OpenAsync_NewFile_CreatesDatabaseInWalModeAndIgnoresTheFolderInGit()
    {
        await using var fixture = await CreateFixtureAsync();

        Assert.True(File.Exists(fixture.Store.DatabasePath));
        Assert.Equal("# Written by mlops: local run tracking, not for git.\n*\n", ((SqliteBackend)fixture.Backend).Folder.Read(".mlops/.gitignore"));
        Assert.Equal("wal", await fixture.Backend.ScalarAsync("PRAGMA journal_mode"));
    }

    [Fact]
    public async Task OpenAsync_FileIsNotADatabase_ThrowsWithPathAndWhatToDo()
    {
        using var folder = new TempDirectory("mlops-tracking");
        var path = folder.Write("tracking.db", "this is not sqlite, just text that is long enough to be read as a header.\n");

        var error = await Assert.ThrowsAsync<TrackingStoreException>(() => RunStore.OpenAsync(path, TimeProvider.System, Ct));

        Assert.Contains($"'{path}' is not a run store", error.Message, StringComparison.Ordinal);
        Assert.Contains("MLOPS_TRACKING_DB", error.Message, StringComparison.Ordinal);
    }
}
