using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Mlops.Cli.Tests.Commands.Predict;
using Mlops.Server.Hosting;
using Mlops.Testing;

namespace Mlops.Cli.Tests.Commands.Replay;

/// <summary>The promoted example served on 127.0.0.1 with a prediction log, to see what a replay sent as the server read it.</summary>
public sealed class ReplayServer : IAsyncLifetime
{
    public PromotedExample Example { get; } = new();

    public string Url { get; private set; } = "";

    public string LogFolder => Example.Repo.Combine("prediction-log");

    public string Data => Example.Repo.Combine("data/telco-churn.csv");

    private WebApplication? _app;

    public async ValueTask InitializeAsync()
    {
        await Example.InitializeAsync();
        int port;
        using (var probe = new TcpListener(IPAddress.Loopback, 0))
        {
            probe.Start();
            port = ((IPEndPoint)probe.LocalEndpoint).Port;
        }

        Url = string.Create(CultureInfo.InvariantCulture, $"http://127.0.0.1:{port}");
        _app = MlopsServer.Build(["--urls", Url], o =>
        {
            o.Environment = "staging";
            o.Repo = Example.Repo.Path;
            o.PredictionLog.Folder = LogFolder;
            o.PredictionLog.FlushInterval = TimeSpan.FromMilliseconds(20);
        });
        await ServerStartup.StartAsync(_app, TestContext.Current.CancellationToken);
        await WaitUntilReadyAsync();
    }

    /// <summary>The server listens before it has loaded the pinned bundle; a replay sent then is told "serves no model yet".</summary>
    private async Task WaitUntilReadyAsync()
    {
        using var http = new HttpClient { BaseAddress = new Uri(Url), Timeout = TimeSpan.FromSeconds(5) };
        await ServerReadiness.WaitAsync(http, TimeSpan.FromSeconds(60), TestContext.Current.CancellationToken);
    }

    /// <summary>The prediction lines logged so far, in the order they were written.</summary>
    public IReadOnlyList<JsonElement> Predictions() =>
        [.. Directory.Exists(LogFolder)
            ? Directory.GetFiles(LogFolder, "predictions-*.jsonl").Order(StringComparer.Ordinal)
                .SelectMany(CompleteLines)
                .Select(l => JsonDocument.Parse(l).RootElement)
                .Where(l => l.GetProperty("type").GetString() == "prediction")
            : []];

    /// <summary>The lines the writer has ended: the log is read while it is written, and its last line may be half there.</summary>
    private static IEnumerable<string> CompleteLines(string file)
    {
        var text = File.ReadAllText(file);
        return text[..(text.LastIndexOf('\n') + 1)].Split('\n', StringSplitOptions.RemoveEmptyEntries);
    }

    /// <summary>Waits (at most ten seconds) until the log holds <paramref name="count"/> predictions.</summary>
    public async Task<IReadOnlyList<JsonElement>> WaitForPredictionsAsync(int count)
    {
        for (var attempt = 0; attempt < 200; attempt++)
        {
            var lines = Predictions();
            if (lines.Count >= count)
            {
                return lines;
            }

            await Task.Delay(50, TestContext.Current.CancellationToken);
        }

        Assert.Fail($"the prediction log holds {Predictions().Count} predictions after 10 s; {count} expected");
        return [];
    }

    public async ValueTask DisposeAsync()
    {
        if (_app is not null)
        {
            await _app.DisposeAsync();
        }

        await Example.DisposeAsync();
    }
}

/// <summary><c>mlops replay</c> against the real server on 127.0.0.1: the rows arrive as the file holds them, or changed as the drift spec says.</summary>
public sealed class ReplayCommandTests(ReplayServer server) : IClassFixture<ReplayServer>
{
    [Fact]
    public async Task Replay_SendsTheFileRows_AndTheServerScoresEachAsTheFileHoldsIt()
    {
        var before = server.Predictions().Count;

        var result = await CliRunner.RunAsync("replay", "--server", server.Url, "--input", server.Data, "--limit", "30", "--rate", "200");

        Assert.True(result.ExitCode == 0, result.Error + result.Out);
        Assert.Contains("replay: sent 30 rows to model churn in ", result.Out, StringComparison.Ordinal);
        Assert.Contains(": 30 answered, 0 refused", result.Out, StringComparison.Ordinal);
        var logged = (await server.WaitForPredictionsAsync(before + 30)).Skip(before).ToList();
        var rows = DataRows(server.Data).Take(30).ToList();
        Assert.Equal(rows.Select(r => double.Parse(r["monthly_charges"], CultureInfo.InvariantCulture)), logged.Select(l => Math.Round(Feature(l, "monthly_charges").GetDouble(), 2)));
        Assert.Equal(rows.Select(r => r["contract"]), logged.Select(l => Feature(l, "contract").GetString()));
        Assert.Equal(rows.Select(r => r["partner"] == "1"), logged.Select(l => Feature(l, "partner").GetBoolean()));
    }

    [Fact]
    public async Task Replay_DriftSpec_MultipliesReplacesAndEmptiesTheValuesAsWritten()
    {
        var before = server.Predictions().Count;

        var result = await CliRunner.RunAsync("replay", "--server", server.Url, "--model", "churn", "--input", server.Data, "--skip", "100", "--limit", "90", "--rate", "300",
            "--drift", "monthly_charges*1.3; contract=Month-to-month@0.5; total_charges=@0.33", "--seed", "7");

        Assert.True(result.ExitCode == 0, result.Error + result.Out);
        Assert.Contains("changed by monthly_charges*1.3; contract=Month-to-month@0.5; total_charges=@0.33", result.Out, StringComparison.Ordinal);
        var logged = (await server.WaitForPredictionsAsync(before + 90)).Skip(before).ToList();
        var rows = DataRows(server.Data).Skip(100).Take(90).ToList();
        Assert.Equal(rows.Select(r => r["tenure"]), logged.Select(l => Feature(l, "tenure").GetDouble().ToString(CultureInfo.InvariantCulture)));
        Assert.All(rows.Zip(logged), p => Assert.Equal(double.Parse(p.First["monthly_charges"], CultureInfo.InvariantCulture) * 1.3, Feature(p.Second, "monthly_charges").GetDouble(), 0.001));
        var contracts = rows.Zip(logged).Select(p => (Was: p.First["contract"], Is: Feature(p.Second, "contract").GetString())).ToList();
        Assert.All(contracts, c => Assert.True(c.Is == c.Was || c.Is == "Month-to-month", $"{c.Was} became {c.Is}"));
        Assert.InRange(contracts.Count(c => c.Was != "Month-to-month" && c.Is == "Month-to-month"), 5, contracts.Count(c => c.Was != "Month-to-month"));
        var emptied = rows.Zip(logged).Count(p => p.First["total_charges"].Length > 0 && Feature(p.Second, "total_charges").ValueKind == JsonValueKind.Null);
        Assert.InRange(emptied, 15, 45); // a third of 90, give or take the draw
    }

    [Theory]
    [InlineData("monthly_charges/1.3", "'monthly_charges/1.3' is not a change")]
    [InlineData("contract=Month-to-month@1.5", "'contract=Month-to-month@1.5' is not a change")]
    [InlineData("tenure*x", "'tenure*x' is not a change")]
    public async Task Replay_BadDriftSpec_ExitsTwoSayingHowToWriteIt_AndSendsNothing(string spec, string message)
    {
        var before = server.Predictions().Count;

        var result = await CliRunner.RunAsync("replay", "--server", server.Url, "--input", server.Data, "--drift", spec);

        Assert.Equal(2, result.ExitCode);
        Assert.Contains(message, result.Error, StringComparison.Ordinal);
        Assert.Contains("write NAME*FACTOR, NAME=VALUE or NAME= (empty)", result.Error, StringComparison.Ordinal);
        await Task.Delay(100, TestContext.Current.CancellationToken);
        Assert.Equal(before, server.Predictions().Count);
    }

    [Fact]
    public async Task Replay_DriftOfAFeatureTheModelLacks_ExitsTwoListingTheFeatures()
    {
        var result = await CliRunner.RunAsync("replay", "--server", server.Url, "--input", server.Data, "--drift", "salary*2");

        Assert.Equal(2, result.ExitCode);
        Assert.Contains("--drift 'salary*2': model 'churn' has no feature 'salary'. The model's features are female, ", result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Replay_ModelTheServerDoesNotServe_ExitsTwoSayingSo()
    {
        var result = await CliRunner.RunAsync("replay", "--server", server.Url, "--model", "fraud", "--input", server.Data);

        Assert.Equal(2, result.ExitCode);
        Assert.Contains("/v2/models/fraud answered 404 Not Found: the server does not serve 'fraud' (yet).", result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Replay_ServerNotOnLoopback_IsRefusedBeforeAnyRequest()
    {
        var result = await CliRunner.RunAsync("replay", "--server", "http://203.0.113.7:8080", "--input", server.Data);

        Assert.Equal(2, result.ExitCode);
        Assert.Contains("is not on this machine (loopback)", result.Error, StringComparison.Ordinal);
        Assert.Contains("--allow-remote", result.Error, StringComparison.Ordinal);
    }

    private static JsonElement Feature(JsonElement line, string name) => line.GetProperty("features").GetProperty(name);

    /// <summary>The data file's rows by column, read with the project's CSV reader.</summary>
    private static IEnumerable<Dictionary<string, string>> DataRows(string path)
    {
        using var text = new StreamReader(path);
        var rows = Mlops.Runtime.Data.CsvReader.ReadAsync(text).ToBlockingEnumerable().ToList();
        var header = rows[0].Fields;
        return [.. rows.Skip(1).Select(r => header.Select((h, i) => (h, r.Fields[i])).ToDictionary(p => p.h, p => p.Item2))];
    }
}
