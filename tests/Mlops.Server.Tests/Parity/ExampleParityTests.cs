using Mlops.Runtime.Data;
using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Mvc.Testing;
using Mlops.Pipeline.Data;
using Mlops.Pipeline.Predict;
using Mlops.Pipeline.Stages;
using Mlops.Runtime.Store;
using Mlops.Testing;

namespace Mlops.Server.Tests.Parity;

/// <summary>
/// The example, trained and packaged by the pipeline's stages and pinned in staging: the probability
/// of each of its 7,043 rows is the same, to the last bit, from <c>mlops predict</c>, one v2 infer of
/// every row, a v2 infer per row, /models/churn/predict of a sample, and evaluation's holdout predictions.
/// </summary>
public sealed class ExampleParityTests : IAsyncLifetime
{
    private readonly ExampleRepository _repo = new();
    private readonly TempDirectory _store = new("mlops-example-parity-store");
    private WebApplicationFactory<Program>? _factory;
    private HttpClient _client = null!;
    private string[] _header = [];
    private List<string[]> _rows = [];

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync()
    {
        var store = new LocalFolderStore(_store.Path);
        string digest;
        await using (var workspace = await Workspace.OpenAsync(_repo.Path, trackingDb: null, TimeProvider.System, Ct))
        {
            var (model, features) = workspace.Models("churn").Single();
            await TrainStage.RunAsync(workspace, model, features, force: false, progress: null, Ct);
            await EvaluateStage.RunAsync(workspace, model, features, force: false, progress: null, Ct, _repo.Combine("holdout.csv"));
            digest = (await PackageStage.RunAsync(workspace, model, features, store, register: false, Ct)).Digest;
        }

        _repo.Write("environments/staging.yaml", $"environment: staging\nmodels:\n  - model: churn\n    version: 1\n    digest: {digest}\n    featureSet: customer@1\n");
        _factory = new WebApplicationFactory<Program>().WithWebHostBuilder(b => b
            .UseSetting("Mlops:Repo", _repo.Path)
            .UseSetting("Mlops:Store", _store.Path)
            .UseSetting("Mlops:CacheFolder", _repo.Combine(".cache"))
            .UseSetting("Mlops:MaxBodyBytes", (16 * 1024 * 1024).ToString(CultureInfo.InvariantCulture)));
        _client = _factory.CreateClient();
        ServerFixture.WaitReady(_client);

        var lines = new List<string[]>();
        using var reader = new StreamReader(_repo.Combine("data/telco-churn.csv"));
        await foreach (var row in CsvReader.ReadAsync(reader, Ct))
        {
            lines.Add(row.Fields);
        }

        _header = lines[0];
        _rows = lines.Skip(1).ToList();
    }

    public async ValueTask DisposeAsync()
    {
        _client.Dispose();
        if (_factory is not null)
        {
            await _factory.DisposeAsync();
        }

        _repo.Dispose();
        _store.Dispose();
    }

    [Fact]
    public async Task Probabilities_EveryPathOfTheExample_AreIdentical()
    {
        // mlops predict: the offline half of serving, with what staging pins.
        var output = _repo.Combine("predicted.csv");
        var outcome = await PredictStage.RunAsync(_repo.Path, "churn", "staging", null, new LocalFolderStore(_store.Path),
            new PredictRequest(_repo.Combine("data/telco-churn.csv"), output, null, "telco-churn.csv"), null, TimeProvider.System, Ct);
        Assert.Equal((7043L, 7043L), (outcome.Counts.Rows, outcome.Counts.Scored));
        var predicted = File.ReadAllLines(output).Skip(1).Select(l => l.Split(',')).ToDictionary(f => int.Parse(f[0], CultureInfo.InvariantCulture), f => Parse(f[2]));
        var lines = Enumerable.Range(2, 7043).ToList();
        Assert.Equal(lines, predicted.Keys.Order());

        // One v2 infer of every row.
        var all = await InferAsync(Enumerable.Range(0, _rows.Count));
        Assert.Equal(lines.Select(l => predicted[l]), all);

        // A v2 infer per row.
        for (var i = 0; i < _rows.Count; i++)
        {
            Assert.Equal(predicted[i + 2], Assert.Single(await InferAsync([i])));
        }

        // /models/churn/predict of a sample: one row at a time, and the sample as one array.
        var sample = Enumerable.Range(0, _rows.Count).Where(i => i % 97 == 0).ToList();
        var array = await PredictAsync(sample);
        Assert.Equal(sample.Select(i => predicted[i + 2]), array);
        foreach (var i in sample.Take(20))
        {
            Assert.Equal(predicted[i + 2], Assert.Single(await PredictAsync([i])));
        }

        // Evaluation's holdout predictions.
        var holdout = File.ReadAllLines(_repo.Combine("holdout.csv")).Skip(1).Select(l => l.Split(',')).ToList();
        Assert.True(holdout.Count > 1000, $"the holdout has {holdout.Count} rows");
        Assert.All(holdout, f => Assert.Equal(predicted[int.Parse(f[0], CultureInfo.InvariantCulture)], Parse(f[3])));
    }

    private Task<List<float>> InferAsync(IEnumerable<int> rows) => ExampleRequests.InferAsync(_client, _header, [.. rows.Select(r => _rows[r])], Ct);

    private async Task<List<float>> PredictAsync(IReadOnlyList<int> rows)
    {
        var objects = rows.Select(r => "{" + string.Join(",", ExampleRequests.Features().Select(f => $"\"{f.Name}\": {ExampleRequests.Json(f.Type, _rows[r][Array.IndexOf(_header, f.Name)])}")) + "}").ToList();
        var body = objects.Count == 1 ? objects[0] : "[" + string.Join(",", objects) + "]";
        using var response = await _client.PostAsync("/models/churn/predict", new StringContent(body, Encoding.UTF8, "application/json"), Ct);
        var text = await response.Content.ReadAsStringAsync(Ct);
        Assert.True(response.StatusCode == HttpStatusCode.OK, text);
        using var answer = JsonDocument.Parse(text);
        return objects.Count == 1
            ? [answer.RootElement.GetProperty("probability").GetSingle()]
            : [.. answer.RootElement.GetProperty("predictions").EnumerateArray().Select(p => p.GetProperty("probability").GetSingle())];
    }

    private static float Parse(string text) => float.Parse(text, CultureInfo.InvariantCulture);
}
