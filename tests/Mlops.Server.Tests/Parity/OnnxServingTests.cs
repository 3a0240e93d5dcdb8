using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Mvc.Testing;
using Mlops.Runtime.Data;
using Mlops.Pipeline.Export;
using Mlops.Pipeline.Stages;
using Mlops.Runtime.Bundles;
using Mlops.Runtime.Store;
using Mlops.Testing;

namespace Mlops.Server.Tests.Parity;

/// <summary>
/// The example, trained, evaluated and packaged by the pipeline's stages: its bundle carries
/// <c>model.onnx</c>, packaging twice gives the same bundle, and a server with <c>Mlops:Runtime=onnx</c>
/// answers v2 infer requests for holdout rows as the default (ML.NET) server does, within the
/// export's tolerance.
/// </summary>
public sealed class OnnxServingTests : IAsyncLifetime
{
    private readonly ExampleRepository _repo = new();
    private readonly TempDirectory _store = new("mlops-onnx-serving-store");
    private readonly List<WebApplicationFactory<Program>> _factories = [];
    private string _digest = "";
    private string _secondDigest = "";
    private PackageOutcome _outcome = null!;
    private string[] _header = [];
    private List<string[]> _rows = [];
    private List<int> _holdoutLines = [];

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync()
    {
        var store = new LocalFolderStore(_store.Path);
        await using (var workspace = await Workspace.OpenAsync(_repo.Path, trackingDb: null, TimeProvider.System, Ct))
        {
            var (model, features) = workspace.Models("churn").Single();
            await TrainStage.RunAsync(workspace, model, features, force: false, progress: null, Ct);
            await EvaluateStage.RunAsync(workspace, model, features, force: false, progress: null, Ct, _repo.Combine("holdout.csv"));
            _outcome = await PackageStage.RunAsync(workspace, model, features, store, register: false, Ct);
            _secondDigest = (await PackageStage.RunAsync(workspace, model, features, store, register: false, Ct)).Digest;
            _digest = _outcome.Digest;
        }

        _repo.Write("environments/staging.yaml", $"environment: staging\nmodels:\n  - model: churn\n    version: 1\n    digest: {_digest}\n    featureSet: customer@1\n");

        var lines = new List<string[]>();
        using (var reader = new StreamReader(_repo.Combine("data/telco-churn.csv")))
        {
            await foreach (var row in CsvReader.ReadAsync(reader, Ct))
            {
                lines.Add(row.Fields);
            }
        }

        _header = lines[0];
        _rows = [.. lines.Skip(1)];
        _holdoutLines = [.. File.ReadAllLines(_repo.Combine("holdout.csv")).Skip(1).Select(l => int.Parse(l.Split(',')[0], CultureInfo.InvariantCulture))];
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var factory in _factories)
        {
            await factory.DisposeAsync();
        }

        _repo.Dispose();
        _store.Dispose();
    }

    [Fact]
    public async Task Package_Example_CarriesModelOnnxCheckedOnTheHoldout()
    {
        var bundle = await ReadBundleAsync();

        Assert.Contains(OnnxExport.EntryName, bundle.EntryNames);
        var onnx = Assert.IsType<BundleOnnx>(bundle.Manifest.Onnx);
        Assert.Equal(_holdoutLines.Count, onnx.RowsCompared);
        Assert.InRange(onnx.MaxAbsoluteDifference, 0, onnx.Tolerance);
        Assert.Equal(OnnxExport.Tolerance, onnx.Tolerance);
        Assert.Equal("Probability.output", onnx.Output);
        Assert.StartsWith("Microsoft.ML.OnnxConverter 0.23.1", onnx.Converter, StringComparison.Ordinal);
        Assert.Equal(Mlops.Declarations.Digests.Sha256Digest.Of(bundle.OnnxBytes!), onnx.Digest);
        Assert.True(_outcome.Onnx!.Converted);
    }

    [Fact]
    public void Package_SameInputsTwice_GivesTheSameBundleWithModelOnnx()
    {
        Assert.Equal(_digest, _secondDigest);
    }

    [Fact]
    public async Task Infer_HoldoutRows_OnnxRuntimeAnswersAsMlNetWithinTolerance()
    {
        using var mlnet = Serve(runtime: null);
        using var onnx = Serve(runtime: "onnx");

        // What each server says it runs.
        Assert.Equal("mlnet", await PlatformAsync(mlnet));
        Assert.Equal("onnxruntime_onnx", await PlatformAsync(onnx));

        // Every holdout row in one request, then a sample of rows one request each.
        var expected = await InferAsync(mlnet, _holdoutLines);
        var actual = await InferAsync(onnx, _holdoutLines);
        Assert.Equal(_holdoutLines.Count, actual.Count);
        Assert.All(expected.Zip(actual), p => Assert.InRange(Math.Abs((double)p.First - p.Second), 0, OnnxExport.Tolerance));
        foreach (var line in _holdoutLines.Where((_, i) => i % 50 == 0))
        {
            var single = Assert.Single(await InferAsync(onnx, [line]));
            Assert.InRange(Math.Abs((double)single - Assert.Single(await InferAsync(mlnet, [line]))), 0, OnnxExport.Tolerance);
        }

        // The answers are the model's, not a constant: the holdout spans low and high probabilities.
        Assert.True(actual.Min() < 0.1f && actual.Max() > 0.7f, $"probabilities span {actual.Min()}..{actual.Max()}");
    }

    private async Task<Bundle> ReadBundleAsync()
    {
        using var bytes = new MemoryStream();
        await new LocalFolderStore(_store.Path).CopyToAsync(_digest, bytes, Ct);
        return Bundle.Read(bytes.ToArray());
    }

    private HttpClient Serve(string? runtime)
    {
        var cache = _repo.Combine($".cache-{runtime ?? "default"}");
        var factory = new WebApplicationFactory<Program>().WithWebHostBuilder(b =>
        {
            b.UseSetting("Mlops:Repo", _repo.Path)
                .UseSetting("Mlops:Store", _store.Path)
                .UseSetting("Mlops:CacheFolder", cache)
                .UseSetting("Mlops:MaxBodyBytes", (16 * 1024 * 1024).ToString(CultureInfo.InvariantCulture));
            if (runtime is not null)
            {
                b.UseSetting("Mlops:Runtime", runtime);
            }
        });
        _factories.Add(factory);
        var client = factory.CreateClient();
        ServerFixture.WaitReady(client);
        return client;
    }

    private static async Task<string?> PlatformAsync(HttpClient client)
    {
        using var answer = JsonDocument.Parse(await client.GetStringAsync("/v2/models/churn", Ct));
        return answer.RootElement.GetProperty("platform").GetString();
    }

    /// <summary>A v2 infer of the data file's rows on these lines (line 2 is the first row).</summary>
    private Task<List<float>> InferAsync(HttpClient client, IReadOnlyList<int> lines) => ExampleRequests.InferAsync(client, _header, [.. lines.Select(l => _rows[l - 2])], Ct);
}
