using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Mlops.Runtime.Store;
using Mlops.Runtime.Tests.Serving;
using Mlops.Server.Hosting;
using Mlops.Testing;

namespace Mlops.Server.Tests.Endpoints;

/// <summary>
/// The prediction log and feedback through the real server over HTTP on 127.0.0.1: ids in the
/// answers, lines in the folder, sensitive features, every feedback case, live metrics and a restart.
/// </summary>
public sealed class PredictionLogFileTests : IDisposable
{
    private readonly TempDirectory _repository = TestModels.Repository();
    private readonly TempDirectory _storeFolder = new("mlops-predlog-store");
    private readonly string _log;

    public PredictionLogFileTests()
    {
        var store = new LocalFolderStore(_storeFolder.Path);
        TestModels.WriteEnvironment(_repository, TestModels.Pin(TestModels.Put(store, 1), 1));
        _log = _repository.Combine(".mlops/predictions");
    }

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public void Dispose()
    {
        _repository.Dispose();
        _storeFolder.Dispose();
    }

    [Fact]
    public async Task BothEndpoints_ReturnPredictionIds_AndLogALinePerRow()
    {
        await using var server = await StartAsync();

        var predict = await server.Http.PostAsJsonAsync("/models/churn/predict", new[] { new { tenure = 3, contract = "Month-to-month", total_charges = 90 }, new { tenure = 40, contract = "Two year", total_charges = 4000 } }, Ct);
        var infer = await server.Http.PostAsJsonAsync("/v2/models/churn/infer", new
        {
            id = "req-7",
            inputs = new object[]
            {
                new { name = "tenure", shape = new[] { 2 }, datatype = "FP32", data = new[] { 5f, 6f } },
                new { name = "contract", shape = new[] { 2 }, datatype = "BYTES", data = new[] { "One year", "One year" } },
                new { name = "total_charges", shape = new[] { 2 }, datatype = "FP32", data = new[] { 100f, 200f } },
            },
        }, Ct);
        var anonymous = await server.Http.PostAsJsonAsync("/v2/models/churn/infer", ServerFixture.InferBody(), Ct);

        var predicted = await predict.Content.ReadFromJsonAsync<JsonElement>(Ct);
        var ids = predicted.GetProperty("predictions").EnumerateArray().Select(p => p.GetProperty("predictionId").GetString()!).ToList();
        var v2 = await infer.Content.ReadFromJsonAsync<JsonElement>(Ct);
        Assert.Equal("req-7", v2.GetProperty("id").GetString());
        Assert.Equal(["req-7/0", "req-7/1"], v2.GetProperty("parameters").GetProperty("prediction_ids").EnumerateArray().Select(e => e.GetString()));
        var third = await anonymous.Content.ReadFromJsonAsync<JsonElement>(Ct);
        var drawn = third.GetProperty("id").GetString()!;
        Assert.Equal([drawn], third.GetProperty("parameters").GetProperty("prediction_ids").EnumerateArray().Select(e => e.GetString()));

        var lines = await LinesAsync(5);
        Assert.Equal([.. ids, "req-7/0", "req-7/1", drawn], lines.Select(l => l.GetProperty("id").GetString()));
        Assert.All(lines, l => Assert.Equal(("prediction", "churn", 1, "primary"), (l.GetProperty("type").GetString(), l.GetProperty("model").GetString(), l.GetProperty("version").GetInt32(), l.GetProperty("role").GetString())));
        Assert.Equal("Month-to-month", lines[0].GetProperty("features").GetProperty("contract").GetString());
        Assert.Equal(40, lines[1].GetProperty("features").GetProperty("tenure").GetDouble());
        Assert.Equal(predicted.GetProperty("predictions")[0].GetProperty("probability").GetDouble(), lines[0].GetProperty("output").GetProperty("probability").GetDouble(), 6);
    }

    [Fact]
    public async Task SensitiveFeatures_DeclaredInTheFeatureSet_AreHashedAndDropped_NoLineHoldsTheClearValue()
    {
        _repository.Write("features/customer.yaml", TestModels.FeatureSetYaml
            .Replace("values: [Month-to-month, One year, Two year] }", "values: [Month-to-month, One year, Two year], sensitive: hash }", StringComparison.Ordinal)
            .Replace("type: float, nullable: true }", "type: float, nullable: true, sensitive: drop }", StringComparison.Ordinal));
        await using var server = await StartAsync();

        var response = await server.Http.PostAsJsonAsync("/models/churn/predict", new { tenure = 3, contract = "Month-to-month", total_charges = 1234.5 }, Ct);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);

        var features = Assert.Single(await LinesAsync(1)).GetProperty("features");
        var text = string.Concat(Directory.GetFiles(_log).Select(File.ReadAllText));
        Assert.DoesNotContain("Month-to-month", text, StringComparison.Ordinal);
        Assert.DoesNotContain("1234.5", text, StringComparison.Ordinal);
        Assert.False(features.TryGetProperty("total_charges", out _));
        Assert.Equal(Mlops.Declarations.Digests.Sha256Digest.OfText("Month-to-month"), features.GetProperty("contract").GetString());
    }

    [Fact]
    public async Task Feedback_OneOrABatch_AnswersEachItem_AndGivesLiveMetricsNextToTraining()
    {
        await using var server = await StartAsync();
        var ids = await PredictAsync(server, 4);

        var one = await server.Http.PostAsJsonAsync("/feedback", new { id = ids[0], label = true }, Ct);
        var batch = await server.Http.PostAsJsonAsync("/feedback", new
        {
            feedback = new object[] { new { id = ids[1], label = false }, new { id = "no-such-id", label = true }, new { id = ids[0], label = false }, new { id = ids[2], label = true } },
        }, Ct);

        Assert.Equal(HttpStatusCode.OK, one.StatusCode);
        Assert.Equal("accepted", (await one.Content.ReadFromJsonAsync<JsonElement>(Ct)).GetProperty("results")[0].GetProperty("status").GetString());
        var answer = await batch.Content.ReadFromJsonAsync<JsonElement>(Ct);
        Assert.Equal((2, 1, 1), (answer.GetProperty("accepted").GetInt32(), answer.GetProperty("unknown").GetInt32(), answer.GetProperty("duplicates").GetInt32()));
        Assert.Equal(["accepted", "unknown", "duplicate", "accepted"], answer.GetProperty("results").EnumerateArray().Select(r => r.GetProperty("status").GetString()));

        var live = await server.Http.GetFromJsonAsync<JsonElement>("/monitoring/live", Ct);
        var version = Assert.Single(live.GetProperty("quality").GetProperty("versions").EnumerateArray());
        Assert.Equal(("churn", 1, 3), (version.GetProperty("model").GetString(), version.GetProperty("version").GetInt32(), version.GetProperty("overall").GetProperty("labelled").GetInt32()));
        Assert.True(version.GetProperty("overall").GetProperty("metrics").TryGetProperty("accuracy", out _));
        Assert.Equal(0.8, version.GetProperty("overall").GetProperty("training").GetProperty("auc").GetDouble());
        Assert.Equal(3600, live.GetProperty("window").GetDouble());
        Assert.Equal(0, live.GetProperty("log").GetProperty("dropped").GetInt64());

        var feedbackLines = (await LinesAsync(4 + 3)).Where(l => l.GetProperty("type").GetString() == "feedback").ToList();
        Assert.Equal([ids[0], ids[1], ids[2]], feedbackLines.Select(l => l.GetProperty("id").GetString()));
        Assert.Equal([true, false, true], feedbackLines.Select(l => l.GetProperty("label").GetBoolean()));
    }

    [Fact]
    public async Task Feedback_WrongLabelType_Is400NamingTheField_AndRecordsNothing()
    {
        await using var server = await StartAsync();
        var ids = await PredictAsync(server, 2);

        var response = await server.Http.PostAsJsonAsync("/feedback", new { feedback = new object[] { new { id = ids[0], label = true }, new { id = ids[1], label = "Yes" } } }, Ct);
        var missing = await server.Http.PostAsJsonAsync("/feedback", new { id = ids[0] }, Ct);

        Assert.Equal((HttpStatusCode.BadRequest, HttpStatusCode.BadRequest), (response.StatusCode, missing.StatusCode));
        var errors = (await response.Content.ReadFromJsonAsync<JsonElement>(Ct)).GetProperty("errors");
        Assert.Contains("true or false", errors.GetProperty("feedback[1].label")[0].GetString(), StringComparison.Ordinal);
        Assert.True((await missing.Content.ReadFromJsonAsync<JsonElement>(Ct)).GetProperty("errors").TryGetProperty("label", out _));
        var accepted = await server.Http.PostAsJsonAsync("/feedback", new { id = ids[0], label = true }, Ct);
        Assert.Equal("accepted", (await accepted.Content.ReadFromJsonAsync<JsonElement>(Ct)).GetProperty("results")[0].GetProperty("status").GetString());
    }

    [Fact]
    public async Task Restart_ReadsTheLogBack_LiveMetricsSurvive_AndOldFeedbackStillCountsFirst()
    {
        List<string> ids;
        JsonElement before;
        await using (var server = await StartAsync())
        {
            ids = await PredictAsync(server, 3);
            await server.Http.PostAsJsonAsync("/feedback", new { feedback = ids.Select((id, i) => new { id, label = i != 1 }).ToArray() }, Ct);
            before = (await server.Http.GetFromJsonAsync<JsonElement>("/monitoring/live", Ct)).GetProperty("quality").GetProperty("versions")[0].GetProperty("overall");
        }

        await using (var server = await StartAsync())
        {
            JsonElement after = default;
            for (var i = 0; i < 100; i++)
            {
                var versions = (await server.Http.GetFromJsonAsync<JsonElement>("/monitoring/live", Ct)).GetProperty("quality").GetProperty("versions");
                if (versions.GetArrayLength() > 0)
                {
                    after = versions[0].GetProperty("overall");
                    break;
                }

                await Task.Delay(50, Ct);
            }

            Assert.Equal(JsonValueKind.Object, after.ValueKind);
            Assert.Equal(before.GetRawText(), after.GetRawText());
            var again = await server.Http.PostAsJsonAsync("/feedback", new { id = ids[0], label = false }, Ct);
            Assert.Equal("duplicate", (await again.Content.ReadFromJsonAsync<JsonElement>(Ct)).GetProperty("results")[0].GetProperty("status").GetString());
        }
    }

    [Fact]
    public async Task LogOff_FeedbackAndLiveAre404_SayingHowToTurnItOn()
    {
        await using var server = await StartAsync(logOn: false);

        var feedback = await server.Http.PostAsJsonAsync("/feedback", new { id = "x", label = true }, Ct);
        var live = await server.Http.GetAsync("/monitoring/live", Ct);
        var infer = await server.Http.PostAsJsonAsync("/v2/models/churn/infer", ServerFixture.InferBody(), Ct);

        Assert.Equal((HttpStatusCode.NotFound, HttpStatusCode.NotFound), (feedback.StatusCode, live.StatusCode));
        Assert.Contains("Mlops:PredictionLog:Folder", await feedback.Content.ReadAsStringAsync(Ct), StringComparison.Ordinal);
        Assert.False((await infer.Content.ReadFromJsonAsync<JsonElement>(Ct)).GetProperty("parameters").TryGetProperty("prediction_ids", out _));
        Assert.False(Directory.Exists(_log));
    }

    [Fact]
    public async Task UnwritableLogFolder_PredictionsAreStillServed_AndTheFailuresCounted()
    {
        Directory.CreateDirectory(Path.GetDirectoryName(_log)!);
        File.WriteAllText(_log, "a file where the folder should be");
        await using var server = await StartAsync();

        var ids = await PredictAsync(server, 3);

        Assert.Equal(3, ids.Count);
        JsonElement log = default;
        for (var i = 0; i < 100; i++)
        {
            log = (await server.Http.GetFromJsonAsync<JsonElement>("/monitoring/live", Ct)).GetProperty("log");
            if (log.GetProperty("failed").GetInt64() == 3)
            {
                break;
            }

            await Task.Delay(50, Ct);
        }

        Assert.Equal((0L, 3L), (log.GetProperty("written").GetInt64(), log.GetProperty("failed").GetInt64()));
        Assert.NotNull(log.GetProperty("error").GetString());
    }

    private async Task<List<string>> PredictAsync(RunningServer server, int rows)
    {
        var body = Enumerable.Range(0, rows).Select(i => new { tenure = 1 + (i * 10), contract = i % 2 == 0 ? "Month-to-month" : "Two year", total_charges = 100 + i }).ToArray();
        var response = await server.Http.PostAsJsonAsync("/models/churn/predict", body, Ct);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return [.. (await response.Content.ReadFromJsonAsync<JsonElement>(Ct)).GetProperty("predictions").EnumerateArray().Select(p => p.GetProperty("predictionId").GetString()!)];
    }

    /// <summary>The lines of the log folder once it holds at least <paramref name="count"/> (flushed every 200 ms).</summary>
    private async Task<List<JsonElement>> LinesAsync(int count)
    {
        List<JsonElement> lines = [];
        for (var i = 0; i < 100; i++)
        {
            lines = Directory.Exists(_log)
                ? [.. Directory.GetFiles(_log).Order(StringComparer.Ordinal).SelectMany(File.ReadAllLines).Select(l => JsonDocument.Parse(l).RootElement)]
                : [];
            if (lines.Count >= count)
            {
                return lines;
            }

            await Task.Delay(50, Ct);
        }

        Assert.Fail($"the log holds {lines.Count} lines after 5 s, not {count}.");
        return lines;
    }

    private async Task<RunningServer> StartAsync(bool logOn = true)
    {
        var app = MlopsServer.Build(["--urls", "http://127.0.0.1:0"], o =>
        {
            o.Repo = _repository.Path;
            o.Store = _storeFolder.Path;
            o.CacheFolder = _repository.Combine(".cache");
            o.PredictionLog.Folder = logOn ? _log : null;
        });
        await app.StartAsync(Ct);
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single();
        var http = new HttpClient { BaseAddress = new Uri(address) };
        ServerFixture.WaitReady(http);
        return new RunningServer(app, http);
    }

    private sealed class RunningServer(WebApplication app, HttpClient http) : IAsyncDisposable
    {
        public HttpClient Http { get; } = http;

        public async ValueTask DisposeAsync()
        {
            Http.Dispose();
            await app.StopAsync(CancellationToken.None);
            await app.DisposeAsync();
        }
    }
}
