using Mlops.Pipeline.Evaluation;
using Mlops.Pipeline.Tracking;

namespace Mlops.Pipeline.Tests.Tracking;

/// <summary>
/// Child runs (the trials of trainer auto) on every database: <see cref="SqliteChildRunTests"/> and
/// <see cref="PostgresChildRunTests"/> run these.
/// </summary>
public abstract class ChildRunTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    /// <summary>A database of the test's own.</summary>
    protected abstract Task<TrackingBackend> CreateBackendAsync();

    private async Task<(TrackingFixture Fixture, string Parent, string[] Children)> ParentWithChildrenAsync()
    {
        var fixture = await TrackingFixture.CreateAsync(await CreateBackendAsync());
        var parent = await fixture.Store.StartRunAsync(TrackingFixture.StartOf("churn", "sha256:parent"), Ct);
        var children = new List<string>();
        for (var trial = 1; trial <= 3; trial++)
        {
            children.Add(await fixture.SucceededRunAsync(
                TrackingFixture.StartOf("churn", cacheKey: null!, ("trial", trial.ToString(System.Globalization.CultureInfo.InvariantCulture))) with { ParentId = parent },
                TimeSpan.FromSeconds(1),
                new RunMetric("auc", 0.8 + (trial / 100.0), "cv") { Interval = new MetricInterval(0.79, 0.85) }));
        }

        await fixture.Store.CompleteRunAsync(parent, new RunCompletion { Artifact = new RunArtifact("m.zip", "sha256:m") }, Ct);
        return (fixture, parent, [.. children]);
    }

    [Fact]
    public async Task ChildrenAsync_ReturnsTheTrialsInStartOrderWithTheirParentIdParamsAndMetrics()
    {
        var (fixture, parent, children) = await ParentWithChildrenAsync();
        await using var _ = fixture;

        var read = await fixture.Store.ChildrenAsync(parent, Ct);

        Assert.Equal(children, read.Select(r => r.Id));
        Assert.All(read, r => Assert.Equal(parent, r.ParentId));
        Assert.Equal(["1", "2", "3"], read.Select(r => r.Params["trial"]));
        Assert.Equal(new MetricInterval(0.79, 0.85), read[2].FindMetric("auc", "cv")!.Interval);
        Assert.Equal(0.83, read[2].FindMetric("auc", "cv")!.Value, 10);
        Assert.Null((await fixture.Store.GetAsync(parent, Ct))!.ParentId);
    }

    [Fact]
    public async Task ListLatestAndCache_LeaveChildrenOut()
    {
        var (fixture, parent, children) = await ParentWithChildrenAsync();
        await using var _ = fixture;

        // The children started (and ended) after their parent: only the parent_id filter keeps them out.
        Assert.Equal([parent], (await fixture.Store.ListAsync("churn", cancellationToken: Ct)).Select(r => r.Id));
        Assert.Equal(parent, (await fixture.Store.LatestAsync("churn", cancellationToken: Ct))?.Id);
        Assert.Equal(parent, (await fixture.Store.ResolveAsync("churn", Ct)).Id);
        Assert.Equal(parent, (await fixture.Store.FindCachedAsync("churn", "sha256:parent", Ct))?.Id);
        Assert.Equal(children[1], (await fixture.Store.ResolveAsync(children[1], Ct)).Id);
    }

    [Fact]
    public async Task ChildrenAsync_RunWithoutChildren_IsEmpty()
    {
        await using var fixture = await TrackingFixture.CreateAsync(await CreateBackendAsync());
        var id = await fixture.SucceededRunAsync(TrackingFixture.StartOf("churn"), TimeSpan.FromSeconds(1));

        Assert.Empty(await fixture.Store.ChildrenAsync(id, Ct));
    }
}

/// <summary><see cref="ChildRunTests"/> on SQLite.</summary>
public sealed class SqliteChildRunTests : ChildRunTests
{
    protected override Task<TrackingBackend> CreateBackendAsync() => Task.FromResult<TrackingBackend>(new SqliteBackend());
}

/// <summary><see cref="ChildRunTests"/> on PostgreSQL (skipped without a server outside CI).</summary>
public sealed class PostgresChildRunTests : ChildRunTests
{
    protected override async Task<TrackingBackend> CreateBackendAsync() => await PostgresBackend.CreateAsync();
}
