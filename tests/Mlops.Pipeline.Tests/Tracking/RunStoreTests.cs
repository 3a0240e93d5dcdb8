using System.Data.Common;
using Mlops.Declarations.Diagnostics;
using Mlops.Pipeline.Evaluation;
using Mlops.Pipeline.Tracking;
using Mlops.Testing;

namespace Mlops.Pipeline.Tests.Tracking;

/// <summary>The run store's behaviour, the same on every database: <see cref="SqliteRunStoreTests"/> and <see cref="PostgresRunStoreTests"/> run these.</summary>
public abstract class RunStoreTests
{
    protected static CancellationToken Ct => TestContext.Current.CancellationToken;

    /// <summary>A database of the test's own.</summary>
    protected abstract Task<TrackingBackend> CreateBackendAsync();

    private protected async Task<TrackingFixture> CreateFixtureAsync() => await TrackingFixture.CreateAsync(await CreateBackendAsync());

    [Fact]
    public async Task OpenAsync_ExistingStore_KeepsRunsAndAppliesEachMigrationOnce()
    {
        await using var fixture = await CreateFixtureAsync();
        var id = await fixture.SucceededRunAsync(TrackingFixture.StartOf("churn"), TimeSpan.FromSeconds(3));

        await using (var again = await RunStore.OpenAsync(fixture.Location, fixture.Time, Ct))
        {
            Assert.NotNull(await again.GetAsync(id, Ct));
        }

        Assert.Equal((long)RunStoreSchema.Version, Convert.ToInt64(await fixture.Backend.ScalarAsync("SELECT COUNT(*) FROM schema_version"), System.Globalization.CultureInfo.InvariantCulture));
    }

    [Fact]
    public async Task CompleteRunAsync_MetricIntervals_RoundTripAndMetricsWithoutOneReadNull()
    {
        await using var fixture = await CreateFixtureAsync();

        var id = await fixture.SucceededRunAsync(TrackingFixture.StartOf("churn"), TimeSpan.FromSeconds(1),
            new RunMetric("auc", 0.842) { Interval = new MetricInterval(0.818, 0.866) },
            new RunMetric("recall", 0.61, Slice: RunMetric.SliceOf("contract", "One year")) { Interval = new MetricInterval(0.5, 0.7) },
            new RunMetric("p99LatencyMs", 0.07));
        await fixture.Store.AddMetricsAsync(id, [new RunMetric("f1", 0.6) { Interval = new MetricInterval(0.55, 0.65) }], Ct);
        var run = await fixture.Store.GetAsync(id, Ct);

        Assert.NotNull(run);
        Assert.Equal(new MetricInterval(0.818, 0.866), run.FindMetric("auc")?.Interval);
        Assert.Equal(new MetricInterval(0.5, 0.7), run.FindMetric("recall", slice: "contract=One year")?.Interval);
        Assert.Equal(new MetricInterval(0.55, 0.65), run.FindMetric("f1")?.Interval);
        Assert.Null(run.FindMetric("p99LatencyMs")!.Interval);
    }

    [Fact]
    public async Task CompleteRunAsync_CrossValidation_ReadsBackAsMeansSpreadIntervalsAndFolds()
    {
        await using var fixture = await CreateFixtureAsync();
        var cv = new Mlops.Pipeline.Training.CrossValidationResult(
            [new Dictionary<string, double> { ["auc"] = 0.82, ["f1"] = 0.5 }, new Dictionary<string, double> { ["auc"] = 0.86, ["f1"] = double.NaN }, new Dictionary<string, double> { ["auc"] = 0.84, ["f1"] = 0.6 }],
            [100, 101, 99]);

        var id = await fixture.SucceededRunAsync(TrackingFixture.StartOf("churn"), TimeSpan.FromSeconds(1), [.. Mlops.Pipeline.Stages.TrainStage.CrossValidationMetrics(cv)]);
        var run = await fixture.Store.GetAsync(id, Ct);

        var read = RunCrossValidation.Of(run!)!;
        Assert.Equal(3, read.Folds);
        var auc = read.Metrics.Single(m => m.Name == "auc");
        Assert.Equal(0.84, auc.Mean, 12);
        Assert.Equal(0.02, auc.StandardDeviation!.Value, 12);
        Assert.Equal(cv.Interval("auc"), auc.Interval);
        Assert.Equal(0.84 - (4.3026527299 * 0.02 / Math.Sqrt(3)), auc.Interval!.Low, 9);
        Assert.Equal([0.82, 0.86, 0.84], auc.Folds.Select(v => v!.Value));
        var f1 = read.Metrics.Single(m => m.Name == "f1");
        Assert.Equal(0.55, f1.Mean, 12); // the fold where f1 is undefined is left out of the mean
        Assert.True(double.IsNaN(f1.Folds[1]!.Value));
        Assert.Equal(101, run!.FindMetric("rows", RunMetric.CrossValidationFold(2))!.Value);
        Assert.Null(run.FindMetric("auc", RunMetric.CrossValidationSd)!.Interval);
    }

    [Fact]
    public async Task OpenAsync_StoreWrittenBeforeIntervals_AddsTheColumnsAndKeepsItsMetrics()
    {
        await using var backend = await CreateBackendAsync();
        var firstMigration = backend is PostgresBackend ? RunStoreSchema.Postgres[0] : RunStoreSchema.Sqlite[0];
        if (backend is SqliteBackend sqlite)
        {
            Directory.CreateDirectory(Path.GetDirectoryName(sqlite.Location)!);
        }
        else if (backend is PostgresBackend postgres)
        {
            await backend.ExecuteAsync($"CREATE SCHEMA \"{postgres.Database.Schema}\"");
        }

        await backend.ExecuteAsync(firstMigration);
        await backend.ExecuteAsync("CREATE TABLE schema_version (version INTEGER PRIMARY KEY, applied_at TEXT NOT NULL)");
        await backend.ExecuteAsync("INSERT INTO schema_version (version, applied_at) VALUES (1, '2026-01-01T00:00:00Z')");
        await backend.ExecuteAsync("""
            INSERT INTO runs (id, model, status, started_at, ended_at, os, dotnet_version)
            VALUES ('20260101T000000Z-0a1b2c3d', 'churn', 'succeeded', '2026-01-01T00:00:00.0000000Z', '2026-01-01T00:00:05.0000000Z', 'linux', '10.0')
            """);
        await backend.ExecuteAsync("INSERT INTO metrics (run_id, name, split, slice, value) VALUES ('20260101T000000Z-0a1b2c3d', 'auc', 'holdout', '', 0.8)");

        await using (var store = await RunStore.OpenAsync(backend.Location, TimeProvider.System, Ct))
        {
            var run = await store.GetAsync("20260101T000000Z-0a1b2c3d", Ct);
            Assert.NotNull(run);
            var auc = run.FindMetric("auc");
            Assert.Equal(0.8, auc?.Value);
            Assert.Null(auc?.Interval);

            await store.AddMetricsAsync(run.Id, [new RunMetric("auc", 0.8) { Interval = new MetricInterval(0.75, 0.85) }], Ct);
            Assert.Equal(new MetricInterval(0.75, 0.85), (await store.GetAsync(run.Id, Ct))!.FindMetric("auc")?.Interval);
        }

        Assert.Equal((long)RunStoreSchema.Version, Convert.ToInt64(await backend.ScalarAsync("SELECT MAX(version) FROM schema_version"), System.Globalization.CultureInfo.InvariantCulture));
    }

    [Fact]
    public async Task OpenAsync_SchemaFromNewerMlops_ThrowsAskingForAnUpdate()
    {
        await using var fixture = await CreateFixtureAsync();
        await fixture.Backend.ExecuteAsync("INSERT INTO schema_version (version, applied_at) VALUES (99, 'later')");

        var error = await Assert.ThrowsAsync<TrackingStoreException>(() => RunStore.OpenAsync(fixture.Location, fixture.Time, Ct));

        Assert.Contains("schema version 99", error.Message, StringComparison.Ordinal);
        Assert.Contains("Update mlops", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task StartRunAsync_RecordsARunningRunWithEverythingKnownAtTheStart()
    {
        await using var fixture = await CreateFixtureAsync();
        var start = TrackingFixture.StartOf("churn", "sha256:key1", ("trainer", "lbfgs"), ("l2Regularization", "0.1"), ("seed", "42"))
            with { Git = new GitState("0123456789abcdef0123456789abcdef01234567", true, "main") };

        var id = await fixture.Store.StartRunAsync(start, Ct);
        var run = await fixture.Store.GetAsync(id, Ct);

        Assert.NotNull(run);
        Assert.StartsWith("20261123T085238Z-", id, StringComparison.Ordinal);
        Assert.Equal(RunId.Length, id.Length);
        Assert.Equal(RunStatus.Running, run.Status);
        Assert.Equal("churn", run.Model);
        Assert.Equal(TrackingFixture.Start, run.StartedAt);
        Assert.Null(run.EndedAt);
        Assert.Null(run.Duration);
        Assert.Equal("sha256:key1", run.CacheKey);
        Assert.Equal("sha256:data", run.DataDigest);
        Assert.Equal("sha256:declarations", run.DeclarationsDigest);
        Assert.Equal(start.Git, run.Git);
        Assert.Equal("5.0.1", run.Toolchain.MlNet);
        Assert.StartsWith(".NET ", run.Toolchain.DotNet, StringComparison.Ordinal);
        Assert.False(string.IsNullOrEmpty(run.Toolchain.Os));
        Assert.Equal(42, run.Seed);
        Assert.Equal(Environment.ProcessId, run.ProcessId);
        Assert.Equal([("trainer", "lbfgs"), ("l2Regularization", "0.1"), ("seed", "42")], run.Params.Select(p => (p.Key, p.Value)));
    }

    [Fact]
    public async Task CompleteRunAsync_RecordsMetricsArtifactLateParamsAttachmentsAndDuration()
    {
        await using var fixture = await CreateFixtureAsync();
        var id = await fixture.Store.StartRunAsync(TrackingFixture.StartOf("churn", parameters: ("trainer", "lbfgs")), Ct);
        fixture.Time.Advance(TimeSpan.FromSeconds(7.5));

        await fixture.Store.CompleteRunAsync(id, new RunCompletion
        {
            Metrics = [new RunMetric("auc", 0.84), new RunMetric("auc", 0.91, RunMetric.Holdout, RunMetric.SliceOf("contract", "One year")), new RunMetric("logLoss", 0.41, RunMetric.Train)],
            Artifact = new RunArtifact("artifacts/churn/model.zip", "sha256:abc"),
            Params = new Dictionary<string, string> { ["historySize"] = "20" },
            Attachments = new Dictionary<string, string> { ["evaluation"] = """{"auc": 0.84}""" },
        }, Ct);
        var run = await fixture.Store.GetAsync(id, Ct);

        Assert.NotNull(run);
        Assert.Equal(RunStatus.Succeeded, run.Status);
        Assert.Equal(TimeSpan.FromSeconds(7.5), run.Duration);
        Assert.Equal(new RunArtifact("artifacts/churn/model.zip", "sha256:abc"), run.Artifact);
        Assert.Equal(["trainer", "historySize"], run.Params.Keys);
        Assert.Equal(3, run.Metrics.Count);
        Assert.Equal(0.91, run.FindMetric("auc", slice: "contract=One year")?.Value);
        Assert.Equal(0.41, run.FindMetric("logLoss", RunMetric.Train)?.Value);
        Assert.Equal(["evaluation"], run.Attachments);
        Assert.Equal("""{"auc": 0.84}""", await fixture.Store.GetAttachmentAsync(id, "evaluation", Ct));
        Assert.Null(run.Error);
    }

    [Fact]
    public async Task FailRunAsync_MarksTheRunFailedWithItsErrorAndNoResults()
    {
        await using var fixture = await CreateFixtureAsync();
        var id = await fixture.Store.StartRunAsync(TrackingFixture.StartOf("churn", parameters: ("trainer", "lbfgs")), Ct);
        fixture.Time.Advance(TimeSpan.FromSeconds(2));
        var error = new RunError("data file 'data/telco-churn.csv' has digest sha256:1, not the declared sha256:2.", "MLOPS0402", new SourceLocation("models/churn.yaml", 9, 11));

        await fixture.Store.FailRunAsync(id, error, Ct);
        var run = await fixture.Store.GetAsync(id, Ct);

        Assert.NotNull(run);
        Assert.Equal(RunStatus.Failed, run.Status);
        Assert.Equal(error, run.Error);
        Assert.Equal("models/churn.yaml(9,11): error MLOPS0402: data file 'data/telco-churn.csv' has digest sha256:1, not the declared sha256:2.", run.Error?.ToString());
        Assert.Equal(TimeSpan.FromSeconds(2), run.Duration);
        Assert.Empty(run.Metrics);
        Assert.Null(run.Artifact);
        Assert.Equal(["trainer"], run.Params.Keys);
        Assert.Null(await fixture.Store.FindCachedAsync("churn", "sha256:key", Ct));
    }

    [Fact]
    public async Task CompleteRunAsync_WhenAWriteFailsMidway_RollsBackAndLeavesTheRunRunning()
    {
        await using var fixture = await CreateFixtureAsync();
        var id = await fixture.Store.StartRunAsync(TrackingFixture.StartOf("churn"), Ct);
        var broken = new RunCompletion { Metrics = [new RunMetric("auc", 0.8), new RunMetric("recall", 0.5, Split: null!)] };

        await Assert.ThrowsAnyAsync<DbException>(() => fixture.Store.CompleteRunAsync(id, broken, Ct));
        var run = await fixture.Store.GetAsync(id, Ct);

        Assert.Equal(RunStatus.Running, run?.Status);
        Assert.Empty(run!.Metrics);
        Assert.Null(run.EndedAt);
    }

    [Fact]
    public async Task CompleteRunAsync_WithAnAttachmentThatIsNotJson_ThrowsBeforeWritingAnything()
    {
        await using var fixture = await CreateFixtureAsync();
        var id = await fixture.Store.StartRunAsync(TrackingFixture.StartOf("churn"), Ct);

        var error = await Assert.ThrowsAsync<ArgumentException>(() => fixture.Store.CompleteRunAsync(id,
            new RunCompletion { Metrics = [new RunMetric("auc", 0.8)], Attachments = new Dictionary<string, string> { ["evaluation"] = "{not json" } }, Ct));

        Assert.Contains("attachment 'evaluation' is not valid JSON", error.Message, StringComparison.Ordinal);
        Assert.Equal(RunStatus.Running, (await fixture.Store.GetAsync(id, Ct))?.Status);
    }

    [Fact]
    public async Task CompleteRunAsync_OnAFailedRun_ThrowsAndKeepsTheFailure()
    {
        await using var fixture = await CreateFixtureAsync();
        var id = await fixture.Store.StartRunAsync(TrackingFixture.StartOf("churn"), Ct);
        await fixture.Store.FailRunAsync(id, new RunError("boom"), Ct);

        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => fixture.Store.CompleteRunAsync(id, new RunCompletion(), Ct));

        Assert.Contains("it is failed", error.Message, StringComparison.Ordinal);
        Assert.Equal(RunStatus.Failed, (await fixture.Store.GetAsync(id, Ct))?.Status);
    }

    [Fact]
    public async Task FailRunAsync_UnknownId_ThrowsRunNotFound()
    {
        await using var fixture = await CreateFixtureAsync();

        await Assert.ThrowsAsync<RunNotFoundException>(() => fixture.Store.FailRunAsync("20261123T000000Z-00000000", new RunError("boom"), Ct));
    }

    [Fact]
    public async Task AddMetricsAsync_ToASucceededRun_AddsNewOnesAndReplacesEqualOnes()
    {
        await using var fixture = await CreateFixtureAsync();
        var id = await fixture.SucceededRunAsync(TrackingFixture.StartOf("churn"), TimeSpan.FromSeconds(1), new RunMetric("auc", 0.80));

        await fixture.Store.AddMetricsAsync(id, [new RunMetric("auc", 0.84), new RunMetric("p99LatencyMs", 0.07)], Ct);
        var run = await fixture.Store.GetAsync(id, Ct);

        Assert.Equal([("auc", 0.84), ("p99LatencyMs", 0.07)], run!.Metrics.Select(m => (m.Name, m.Value)));
    }

    [Fact]
    public async Task AttachAsync_SameNameTwice_KeepsTheLatestDocument()
    {
        await using var fixture = await CreateFixtureAsync();
        var id = await fixture.SucceededRunAsync(TrackingFixture.StartOf("churn"), TimeSpan.FromSeconds(1));

        await fixture.Store.AttachAsync(id, "evaluation", """{"v": 1}""", Ct);
        await fixture.Store.AttachAsync(id, "evaluation", """{"v": 2}""", Ct);

        Assert.Equal("""{"v": 2}""", await fixture.Store.GetAttachmentAsync(id, "evaluation", Ct));
    }

    [Theory]
    [InlineData(double.NaN)]
    [InlineData(double.PositiveInfinity)]
    [InlineData(-0.125)]
    public async Task Metrics_NonFiniteAndNegativeValues_RoundTrip(double value)
    {
        await using var fixture = await CreateFixtureAsync();
        var id = await fixture.SucceededRunAsync(TrackingFixture.StartOf("churn"), TimeSpan.FromSeconds(1), new RunMetric("logLoss", value));

        Assert.Equal(value, (await fixture.Store.GetAsync(id, Ct))!.Metrics.Single().Value);
    }

    [Fact]
    public async Task FindCachedAsync_ReturnsTheLatestSucceededRunOfThatModelWithThatKey()
    {
        await using var fixture = await CreateFixtureAsync();
        await fixture.SucceededRunAsync(TrackingFixture.StartOf("churn", "sha256:k"), TimeSpan.FromSeconds(1));
        var latest = await fixture.SucceededRunAsync(TrackingFixture.StartOf("churn", "sha256:k"), TimeSpan.FromSeconds(1));
        var failed = await fixture.Store.StartRunAsync(TrackingFixture.StartOf("churn", "sha256:k"), Ct);
        await fixture.Store.FailRunAsync(failed, new RunError("boom"), Ct);
        await fixture.Store.StartRunAsync(TrackingFixture.StartOf("churn", "sha256:k"), Ct); // still running
        await fixture.SucceededRunAsync(TrackingFixture.StartOf("other", "sha256:k"), TimeSpan.FromSeconds(1));

        Assert.Equal(latest, (await fixture.Store.FindCachedAsync("churn", "sha256:k", Ct))?.Id);
        Assert.Null(await fixture.Store.FindCachedAsync("churn", "sha256:other", Ct));
    }

    [Fact]
    public async Task ListAsync_NewestFirst_FilteredByModelAndLimited()
    {
        await using var fixture = await CreateFixtureAsync();
        var first = await fixture.SucceededRunAsync(TrackingFixture.StartOf("churn"), TimeSpan.FromSeconds(1));
        var other = await fixture.SucceededRunAsync(TrackingFixture.StartOf("other"), TimeSpan.FromSeconds(1));
        var third = await fixture.SucceededRunAsync(TrackingFixture.StartOf("churn"), TimeSpan.FromSeconds(1));

        Assert.Equal([third, other, first], (await fixture.Store.ListAsync(cancellationToken: Ct)).Select(r => r.Id));
        Assert.Equal([third, first], (await fixture.Store.ListAsync("churn", cancellationToken: Ct)).Select(r => r.Id));
        Assert.Equal([third], (await fixture.Store.ListAsync(limit: 1, cancellationToken: Ct)).Select(r => r.Id));
    }

    [Fact]
    public async Task ListAsync_ManyRuns_EachGetsItsOwnParamsMetricsAndAttachmentsInOrder()
    {
        await using var fixture = await CreateFixtureAsync();
        var ids = new List<string>();
        for (var i = 0; i < 5; i++)
        {
            var text = i.ToString(System.Globalization.CultureInfo.InvariantCulture);
            var id = await fixture.SucceededRunAsync(TrackingFixture.StartOf(i % 2 == 0 ? "churn" : "other", parameters: [("i", text), ("trainer", "lbfgs")]),
                TimeSpan.FromSeconds(1), new RunMetric("auc", i / 10.0), new RunMetric("f1", i / 100.0));
            if (i != 3)
            {
                await fixture.Store.AttachAsync(id, "z" + text, "{}", Ct);
                await fixture.Store.AttachAsync(id, "a" + text, "{}", Ct);
            }

            ids.Add(id);
        }

        var runs = await fixture.Store.ListAsync(limit: 4, cancellationToken: Ct);
        var churn = await fixture.Store.ListAsync("churn", cancellationToken: Ct);

        Assert.Equal(ids.Skip(1).Reverse(), runs.Select(r => r.Id));
        Assert.Equal(["4", "3", "2", "1"], runs.Select(r => r.Params["i"]));
        Assert.All(runs, r => Assert.Equal(["i", "trainer"], r.Params.Keys));
        Assert.All(runs, r => Assert.Equal([("auc", int.Parse(r.Params["i"], System.Globalization.CultureInfo.InvariantCulture) / 10.0), ("f1", int.Parse(r.Params["i"], System.Globalization.CultureInfo.InvariantCulture) / 100.0)],
            r.Metrics.Select(m => (m.Name, m.Value))));
        Assert.Equal(["a4", "z4"], runs[0].Attachments);
        Assert.Empty(runs[1].Attachments);
        Assert.Equal(["4", "2", "0"], churn.Select(r => r.Params["i"]));
    }

    [Fact]
    public async Task ListAsync_RunsStartedInTheSameSecond_KeepTheirOrder()
    {
        await using var fixture = await CreateFixtureAsync();
        var first = await fixture.Store.StartRunAsync(TrackingFixture.StartOf("churn"), Ct);
        var second = await fixture.Store.StartRunAsync(TrackingFixture.StartOf("churn"), Ct);

        Assert.NotEqual(first, second);
        Assert.Equal([second, first], (await fixture.Store.ListAsync(cancellationToken: Ct)).Select(r => r.Id));
    }

    [Fact]
    public async Task ResolveAsync_AcceptsIdsPrefixesModelNamesAndLatest()
    {
        await using var fixture = await CreateFixtureAsync();
        var churn = await fixture.SucceededRunAsync(TrackingFixture.StartOf("churn"), TimeSpan.FromSeconds(1));
        fixture.Time.Advance(TimeSpan.FromDays(1));
        var other = await fixture.SucceededRunAsync(TrackingFixture.StartOf("other"), TimeSpan.FromSeconds(1));

        Assert.Equal(churn, (await fixture.Store.ResolveAsync(churn, Ct)).Id);
        Assert.Equal(churn, (await fixture.Store.ResolveAsync("20261123", Ct)).Id);
        Assert.Equal(churn, (await fixture.Store.ResolveAsync("20261123t085238z", Ct)).Id);
        Assert.Equal(other, (await fixture.Store.ResolveAsync(other[RunId.SuffixStart..], Ct)).Id);
        Assert.Equal(churn, (await fixture.Store.ResolveAsync("churn", Ct)).Id);
        Assert.Equal(other, (await fixture.Store.ResolveAsync("latest", Ct)).Id);
    }

    [Fact]
    public async Task ResolveAsync_AmbiguousPrefix_ThrowsListingTheCandidates()
    {
        await using var fixture = await CreateFixtureAsync();
        var a = await fixture.SucceededRunAsync(TrackingFixture.StartOf("churn"), TimeSpan.FromSeconds(1));
        var b = await fixture.SucceededRunAsync(TrackingFixture.StartOf("churn"), TimeSpan.FromSeconds(1));

        var error = await Assert.ThrowsAsync<RunNotFoundException>(() => fixture.Store.ResolveAsync("2026", Ct));

        Assert.Equal([b, a], error.Candidates);
        Assert.Contains("run '2026' is ambiguous: it matches 2 runs", error.Message, StringComparison.Ordinal);
        Assert.Contains("Give more characters of the id", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ResolveAsync_NothingMatches_ThrowsSayingWhatToRun()
    {
        await using var fixture = await CreateFixtureAsync();
        await fixture.SucceededRunAsync(TrackingFixture.StartOf("churn"), TimeSpan.FromSeconds(1));

        var error = await Assert.ThrowsAsync<RunNotFoundException>(() => fixture.Store.ResolveAsync("nosuchrun", Ct));

        Assert.Contains("no run matches 'nosuchrun'", error.Message, StringComparison.Ordinal);
        Assert.Contains("mlops runs list", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task GetAsync_RunLeftRunningByAProcessThatIsGone_IsReportedAbandonedButNotRewritten()
    {
        await using var fixture = await CreateFixtureAsync();
        var id = await fixture.Store.StartRunAsync(TrackingFixture.StartOf("churn"), Ct);
        await fixture.Backend.ExecuteAsync($"UPDATE runs SET pid = {int.MaxValue} WHERE id = '{id}'");

        Assert.Equal(RunStatus.Abandoned, (await fixture.Store.GetAsync(id, Ct))?.Status);
        Assert.Equal("running", await fixture.Backend.ScalarAsync($"SELECT status FROM runs WHERE id = '{id}'"));
    }

    [Fact]
    public async Task CompareAsync_ShowsParamsSideBySideAndMetricDeltas()
    {
        await using var fixture = await CreateFixtureAsync();
        var a = await fixture.SucceededRunAsync(TrackingFixture.StartOf("churn", "sha256:a", ("trainer", "lbfgs"), ("l2Regularization", "1")),
            TimeSpan.FromSeconds(1), new RunMetric("auc", 0.80), new RunMetric("recall", 0.5, Slice: "contract=One year"));
        var b = await fixture.SucceededRunAsync(TrackingFixture.StartOf("churn", "sha256:b", ("trainer", "lbfgs"), ("l2Regularization", "0.1"), ("historySize", "50")),
            TimeSpan.FromSeconds(1), new RunMetric("auc", 0.84), new RunMetric("f1", 0.6));

        var comparison = await fixture.Store.CompareAsync(a, b, Ct);

        Assert.Equal(
            [new ValueChange("trainer", "lbfgs", "lbfgs"), new ValueChange("l2Regularization", "1", "0.1"), new ValueChange("historySize", null, "50")],
            comparison.Params);
        Assert.Equal([false, true, true], comparison.Params.Select(p => p.Changed));
        Assert.Equal(["auc", "f1", "recall"], comparison.Metrics.Select(m => m.Name));
        Assert.Equal(0.04, comparison.Metrics[0].Delta);
        Assert.Null(comparison.Metrics[1].Delta);
        Assert.Equal("contract=One year", comparison.Metrics[2].Slice);
        Assert.Contains(comparison.Inputs, i => i.Name == "cacheKey" && i.Changed);
        Assert.Contains(comparison.Inputs, i => i.Name == "dataDigest" && !i.Changed);
    }
}
