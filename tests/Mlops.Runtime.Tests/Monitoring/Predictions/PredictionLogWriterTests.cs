using System.Collections.Concurrent;
using System.Text.Json;
using Microsoft.Extensions.Time.Testing;
using Mlops.Declarations.FeatureSets;
using Mlops.Runtime.Monitoring.Predictions;
using Mlops.Testing;

namespace Mlops.Runtime.Tests.Monitoring.Predictions;

/// <summary>The prediction log on real files: line format, sensitive features, rotation, retention, drops, permissions, write failures, replay.</summary>
public sealed class PredictionLogWriterTests : IDisposable
{
    private static readonly DateTimeOffset s_start = new(2026, 12, 2, 17, 0, 0, 123, TimeSpan.Zero);
    private readonly TempDirectory _root = new("mlops-predlog");
    private readonly ConcurrentQueue<string> _reports = new();

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private string Folder => _root.Combine("log");

    public void Dispose() => _root.Dispose();

    [Fact]
    public async Task Prediction_IsOneLineWithIdTimeModelVersionDigestRoleFeaturesAndOutput()
    {
        var schema = LogTestData.Schema();
        await using (var writer = Start(new FakeTimeProvider(s_start)))
        {
            writer.TryWrite("req-1", null, schema, LogTestData.Batch(schema, LogTestData.Row(tenure: 12.5f, charges: null, email: null)), LogTestData.Binary(0.83f));
        }

        var line = Assert.Single(Lines());
        Assert.Equal(
            """{"type":"prediction","id":"req-1","time":"2026-12-02T17:00:00.123Z","model":"churn","version":1,"digest":"sha256:1111111111111111111111111111111111111111111111111111111111111111","role":"primary","features":{"tenure":12.5,"contract":"One year","total_charges":null,"email":null},"output":{"predicted":true,"probability":0.83,"score":1.3199999}}""",
            line);
    }

    [Fact]
    public async Task SeveralRows_EachGetsItsIdAsRequestIdSlashRow()
    {
        var schema = LogTestData.Schema();
        await using (var writer = Start(TimeProvider.System))
        {
            writer.TryWrite("req", null, schema, LogTestData.Batch(schema, LogTestData.Row(), LogTestData.Row(tenure: 3)), LogTestData.Binary(0.2f, 0.9f));
        }

        Assert.Equal(["req/0", "req/1"], Lines().Select(l => JsonDocument.Parse(l).RootElement.GetProperty("id").GetString()));
    }

    [Fact]
    public async Task SensitiveFeatures_DropLeavesTheKeyOut_HashWritesSha256_TheClearValueIsNeverWritten()
    {
        var schema = LogTestData.Schema(contract: FeatureSensitivity.Hash, email: FeatureSensitivity.Drop);
        await using (var writer = Start(TimeProvider.System))
        {
            writer.TryWrite("req", null, schema, LogTestData.Batch(schema, LogTestData.Row(contract: "Month-to-month", email: "ann@example.com")), LogTestData.Binary(0.6f));
        }

        var text = string.Concat(Directory.GetFiles(Folder).Select(File.ReadAllText));
        Assert.DoesNotContain("Month-to-month", text, StringComparison.Ordinal);
        Assert.DoesNotContain("ann@example.com", text, StringComparison.Ordinal);
        var features = JsonDocument.Parse(Assert.Single(Lines())).RootElement.GetProperty("features");
        Assert.False(features.TryGetProperty("email", out _));
        Assert.Equal(LogTestData.HashOf("Month-to-month"), features.GetProperty("contract").GetString());
        Assert.Equal("sha256:" + Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData("Month-to-month"u8)), features.GetProperty("contract").GetString());
    }

    [Fact]
    public async Task Files_AreRotatedBySize_AndTheOldestDeletedWhenAllTogetherExceedTheLimit()
    {
        var time = new FakeTimeProvider(s_start);
        var schema = LogTestData.Schema();
        var options = Options();
        options.MaxFileBytes = 1; // every line starts a new file
        options.MaxTotalBytes = 1000; // room for about three lines of 350 bytes
        await using (var writer = Start(time, options))
        {
            for (var i = 0; i < 10; i++)
            {
                writer.TryWrite($"r{i}", null, schema, LogTestData.Batch(schema, LogTestData.Row()), LogTestData.Binary(0.5f));
                Assert.True(await writer.CaughtUpAsync(TimeSpan.FromSeconds(10), Ct));
                time.Advance(TimeSpan.FromSeconds(1));
            }
        }

        var files = Directory.GetFiles(Folder).Order(StringComparer.Ordinal).ToList();
        var longest = files.Max(f => new FileInfo(f).Length);
        Assert.InRange(longest, 300, 400);

        // Checked as each file starts: the closed files fit, plus the line of the newest.
        Assert.InRange(files.Count, 2, 4);
        Assert.InRange(files.Sum(f => new FileInfo(f).Length), options.MaxTotalBytes - longest, options.MaxTotalBytes + longest);
        Assert.Equal("r" + (10 - files.Count), JsonDocument.Parse(File.ReadAllLines(files[0]).Single()).RootElement.GetProperty("id").GetString());
        Assert.Equal("r9", JsonDocument.Parse(File.ReadAllLines(files[^1]).Single()).RootElement.GetProperty("id").GetString());
        Assert.EndsWith("predictions-20261202T170009123Z.jsonl", files[^1], StringComparison.Ordinal);
    }

    [Fact]
    public async Task Files_AreRotatedByAge_AndThoseOlderThanMaxAgeDeleted()
    {
        var time = new FakeTimeProvider(s_start);
        var schema = LogTestData.Schema();
        var options = Options();
        options.MaxFileAge = TimeSpan.FromHours(1);
        options.MaxAge = TimeSpan.FromHours(3);
        await using (var writer = Start(time, options))
        {
            for (var hour = 0; hour < 6; hour++)
            {
                writer.TryWrite($"h{hour}", null, schema, LogTestData.Batch(schema, LogTestData.Row()), LogTestData.Binary(0.5f));
                Assert.True(await writer.CaughtUpAsync(TimeSpan.FromSeconds(10), Ct));
                time.Advance(TimeSpan.FromHours(1));
            }
        }

        // Files started at 17:00 ... 22:00; at 22:00 a file ending before 19:00 is past 3 hours.
        var names = Directory.GetFiles(Folder).Select(Path.GetFileName).Order(StringComparer.Ordinal).ToList();
        Assert.Equal(["predictions-20261202T190000123Z.jsonl", "predictions-20261202T200000123Z.jsonl", "predictions-20261202T210000123Z.jsonl", "predictions-20261202T220000123Z.jsonl"], names);
    }

    [Fact]
    public async Task FullQueue_DropsAndCounts_TheQueuedOnesAreWritten()
    {
        var schema = LogTestData.Schema();
        var options = Options();
        options.QueueCapacity = 2;
        var writer = new PredictionLogWriter(options, LogTestData.Quality(), TimeProvider.System, _reports.Enqueue);
        await using (writer)
        {
            for (var i = 0; i < 5; i++)
            {
                writer.TryWrite($"r{i}", null, schema, LogTestData.Batch(schema, LogTestData.Row(), LogTestData.Row()), LogTestData.Binary(0.5f, 0.7f));
            }

            Assert.Equal(6, writer.Status.Dropped); // three requests of two rows
            writer.Start();
        }

        Assert.Equal((4L, 6L, 0L), (writer.Status.Written, writer.Status.Dropped, writer.Status.Failed));
        Assert.Equal(["r0/0", "r0/1", "r1/0", "r1/1"], Lines().Select(l => JsonDocument.Parse(l).RootElement.GetProperty("id").GetString()));
    }

    [Fact]
    [System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
    public async Task Folder_IsOwnerOnly_AndFilesOwnerReadWriteOnly_EvenWhenTheFolderExistedOpen()
    {
        Assert.SkipWhen(OperatingSystem.IsWindows(), "Unix file modes");
        Directory.CreateDirectory(Folder);
        File.SetUnixFileMode(Folder, (UnixFileMode)Convert.ToInt32("755", 8));
        var schema = LogTestData.Schema();
        await using (var writer = Start(TimeProvider.System))
        {
            writer.TryWrite("r", null, schema, LogTestData.Batch(schema, LogTestData.Row()), LogTestData.Binary(0.5f));
        }

        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute, File.GetUnixFileMode(Folder));
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(Assert.Single(Directory.GetFiles(Folder))));
    }

    [Fact]
    [System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
    public async Task NewFolder_IsCreatedOwnerOnly()
    {
        Assert.SkipWhen(OperatingSystem.IsWindows(), "Unix file modes");
        var schema = LogTestData.Schema();
        await using (var writer = Start(TimeProvider.System))
        {
            writer.TryWrite("r", null, schema, LogTestData.Batch(schema, LogTestData.Row()), LogTestData.Binary(0.5f));
        }

        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute, File.GetUnixFileMode(Folder));
    }

    [Fact]
    public async Task AFileWhereTheFolderShouldBe_IsReportedOnceAndCounted_NeverThrown_AndWritingResumesWhenItIsGone()
    {
        var time = new FakeTimeProvider(s_start);
        File.WriteAllText(Folder, "not a folder");
        var schema = LogTestData.Schema();
        var options = Options();
        options.RetryInterval = TimeSpan.FromSeconds(10);
        var writer = Start(time, options);
        await using (writer)
        {
            for (var i = 0; i < 5; i++)
            {
                writer.TryWrite($"lost{i}", null, schema, LogTestData.Batch(schema, LogTestData.Row()), LogTestData.Binary(0.5f));
            }

            Assert.True(await writer.CaughtUpAsync(TimeSpan.FromSeconds(10), Ct));
            Assert.Equal((0L, 5L), (writer.Status.Written, writer.Status.Failed));
            Assert.NotNull(writer.Status.Error);
            var report = Assert.Single(_reports);
            Assert.Contains(Folder, report, StringComparison.Ordinal);
            Assert.Contains("still served", report, StringComparison.Ordinal);

            File.Delete(Folder);
            time.Advance(TimeSpan.FromSeconds(11));
            writer.TryWrite("kept", null, schema, LogTestData.Batch(schema, LogTestData.Row()), LogTestData.Binary(0.5f));
            Assert.True(await writer.CaughtUpAsync(TimeSpan.FromSeconds(10), Ct));
        }

        Assert.Equal((1L, 5L, null), (writer.Status.Written, writer.Status.Failed, writer.Status.Error));
        Assert.Equal(2, _reports.Count);
        Assert.Contains("writing again", _reports.Last(), StringComparison.Ordinal);
        Assert.Equal("kept", JsonDocument.Parse(Assert.Single(Lines())).RootElement.GetProperty("id").GetString());
    }

    [Fact]
    public async Task AFolderUnderAFile_CannotBeCreated_IsCountedNotThrown()
    {
        File.WriteAllText(_root.Combine("file"), "x");
        var options = Options();
        options.Folder = _root.Combine("file/log");
        var schema = LogTestData.Schema();
        var writer = new PredictionLogWriter(options, LogTestData.Quality(), TimeProvider.System, _reports.Enqueue);
        writer.Start();
        await using (writer)
        {
            writer.TryWrite("r", null, schema, LogTestData.Batch(schema, LogTestData.Row()), LogTestData.Binary(0.5f));
            Assert.True(await writer.CaughtUpAsync(TimeSpan.FromSeconds(10), Ct));
        }

        Assert.Equal(1, writer.Status.Failed);
        Assert.Single(_reports);
    }

    [Fact]
    public async Task Restart_ReadsTheFolderBack_RememberedPredictionsAndFeedbackSurvive()
    {
        var schema = LogTestData.Schema();
        var probabilities = new[] { 0.9f, 0.8f, 0.3f, 0.6f, 0.1f };
        var labels = new[] { true, false, false, true, false };
        LiveQualitySnapshot before;
        var firstQuality = LogTestData.Quality();
        await using (var writer = new PredictionLogWriter(Options(), firstQuality, TimeProvider.System, _reports.Enqueue))
        {
            writer.Start();
            for (var i = 0; i < probabilities.Length; i++)
            {
                writer.TryWrite($"p{i}", null, schema, LogTestData.Batch(schema, LogTestData.Row(contract: i % 2 == 0 ? "One year" : "Month-to-month")), LogTestData.Binary(probabilities[i]));
            }

            Assert.True(await writer.CaughtUpAsync(TimeSpan.FromSeconds(10), Ct));
            var problems = new Dictionary<string, string[]>();
            var results = firstQuality.Record([.. labels.Select((l, i) => new FeedbackItem($"feedback[{i}].label", $"p{i}", FeedbackLabel.Of(l)))], problems);
            Assert.Empty(problems);
            foreach (var result in results)
            {
                writer.TryWrite(new LoggedFeedback(result.Id, TimeProvider.System.GetUtcNow(), FeedbackLabel.Of(labels[int.Parse(result.Id[1..], System.Globalization.CultureInfo.InvariantCulture)])));
            }

            Assert.True(await writer.CaughtUpAsync(TimeSpan.FromSeconds(10), Ct));
            before = firstQuality.Snapshot(DateTimeOffset.MinValue, DateTimeOffset.MaxValue);
        }

        var again = LogTestData.Quality();
        await using (var writer = new PredictionLogWriter(Options(), again, TimeProvider.System, _reports.Enqueue))
        {
            writer.Start();
            Assert.True(await writer.CaughtUpAsync(TimeSpan.FromSeconds(10), Ct));
            await WaitUntilAsync(() => writer.Status.Replayed == 10);
            var after = again.Snapshot(DateTimeOffset.MinValue, DateTimeOffset.MaxValue);
            Assert.Equal(5, again.RememberedCount);
            var (b, a) = (Assert.Single(before.Versions), Assert.Single(after.Versions));
            Assert.Equal(5, a.Overall.Labelled);
            Assert.Equal(b.Overall.Metrics, a.Overall.Metrics);
            Assert.Equal(b.Slices.Keys, a.Slices.Keys);
            Assert.Equal(b.Slices["contract=One year"].Metrics, a.Slices["contract=One year"].Metrics);

            // The first feedback still counts: sending it again is a duplicate.
            var duplicate = again.Record([new FeedbackItem("label", "p0", FeedbackLabel.Of(true))], []);
            Assert.Equal(FeedbackStatus.Duplicate, Assert.Single(duplicate).Status);
        }

        Assert.Empty(_reports);
    }

    [Fact]
    public async Task Replay_SkipsACutLine_AndReportsIt()
    {
        Directory.CreateDirectory(Folder);
        File.WriteAllText(Path.Combine(Folder, "predictions-20261202T170000000Z.jsonl"), """{"type":"feedback","id":"x","time":"2026-12-02T17:00:00.000Z","label":true}""" + "\n{\"type\":\"predic");
        var writer = new PredictionLogWriter(Options(), LogTestData.Quality(), TimeProvider.System, _reports.Enqueue);
        writer.Start();
        await using (writer)
        {
            await WaitUntilAsync(() => !_reports.IsEmpty);
        }

        Assert.Contains("1 lines", Assert.Single(_reports), StringComparison.Ordinal);
    }

    private static async Task WaitUntilAsync(Func<bool> condition)
    {
        for (var i = 0; i < 500 && !condition(); i++)
        {
            await Task.Delay(10, Ct);
        }

        Assert.True(condition());
    }

    private PredictionLogOptions Options() => new() { Folder = Folder };

    private PredictionLogWriter Start(TimeProvider time, PredictionLogOptions? options = null)
    {
        var writer = new PredictionLogWriter(options ?? Options(), LogTestData.Quality(), time, _reports.Enqueue);
        writer.Start();
        return writer;
    }

    private List<string> Lines() => [.. Directory.GetFiles(Folder).Order(StringComparer.Ordinal).SelectMany(File.ReadAllLines)];
}
