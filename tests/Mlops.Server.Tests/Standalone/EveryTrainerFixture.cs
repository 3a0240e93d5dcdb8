using System.Globalization;
using System.Text;
using System.Text.Json;
using Mlops.Declarations.Models;
using Mlops.Declarations.Schema;
using Mlops.Pipeline.Stages;
using Mlops.Pipeline.Training;
using Mlops.Runtime.Store;
using Mlops.Testing;

namespace Mlops.Server.Tests.Standalone;

/// <summary>One trained bundle, as the environment file pins it.</summary>
/// <param name="Model">The model's name: task and trainer, <c>binary-lightgbm</c>.</param>
/// <param name="Task">The task.</param>
/// <param name="Version">The version pinned (a different one per model, so an answer shows whose it is).</param>
/// <param name="Digest">The bundle's digest in the store.</param>
public sealed record PinnedBundle(string Model, ModelTask Task, int Version, string Digest);

/// <summary>
/// A repository declaring one model per entry of <see cref="TrainerCatalog"/> (every trainer of every
/// task, on generated data: the points feature set of <see cref="SyntheticRepository"/>), each trained,
/// evaluated and packaged by the pipeline's own stages into a folder store, and an environment file
/// pinning every bundle; then the standalone server serving it. Trained once per test class.
/// </summary>
public sealed class EveryTrainerFixture : IAsyncLifetime
{
    private const string Environment = "staging";

    private readonly List<PinnedBundle> _bundles = [];
    private StandaloneServer? _server;

    public TempDirectory Repository { get; } = new("mlops-every-trainer");

    public TempDirectory StoreFolder { get; } = new("mlops-every-trainer-store");

    public IReadOnlyList<PinnedBundle> Bundles => _bundles;

    public StandaloneServer Server => _server ?? throw new InvalidOperationException("The server has not started.");

    public HttpClient Client { get; private set; } = new();

    /// <summary>Every catalog entry's model name, for theories.</summary>
    public static TheoryData<string> ModelNames => [.. TrainerCatalog.All.Select(t => ModelName(t.Task, t.Name))];

    public static string ModelName(ModelTask task, string trainer) => $"{TaskPrefix(task)}-{trainer}";

    public PinnedBundle Bundle(string model) => _bundles.Single(b => b.Model == model);

    public async ValueTask InitializeAsync()
    {
        var cancellationToken = TestContext.Current.CancellationToken;
        WriteDeclarations();
        var store = new LocalFolderStore(StoreFolder.Path);
        await using (var workspace = await Workspace.OpenAsync(Repository.Path, trackingDb: null, TimeProvider.System, cancellationToken))
        {
            foreach (var (model, features) in workspace.Models(null))
            {
                await TrainStage.RunAsync(workspace, model, features, force: false, progress: null, cancellationToken);
                await EvaluateStage.RunAsync(workspace, model, features, force: false, progress: null, cancellationToken);
                var packaged = await PackageStage.RunAsync(workspace, model, features, store, register: false, cancellationToken);
                var spec = model.Value;
                _bundles.Add(new PinnedBundle(spec.Name, spec.Task, _bundles.Count + 1, packaged.Digest));
            }

            var schemaDigest = workspace.Declarations.FeatureSets.Single().Value.SchemaDigest;
            var pins = string.Concat(_bundles.Select(b =>
                $"  - model: {b.Model}\n    version: {b.Version}\n    digest: {b.Digest}\n    featureSet: points@1\n    featureSetDigest: {schemaDigest}\n"));
            Repository.Write($"environments/{Environment}.yaml", $"environment: {Environment}\nmodels:\n{pins}");
        }

        _server = await StandaloneServer.StartAsync(
            [
                $"--Mlops:Environment={Environment}",
                $"--Mlops:Repo={Repository.Path}",
                $"--Mlops:Store={StoreFolder.Path}",
                $"--Mlops:CacheFolder={Repository.Combine(".mlops/serve-cache")}",
            ],
            cancellationToken);
        Client = new HttpClient { BaseAddress = _server.Address };
        await WaitReadyAsync(cancellationToken);
    }

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        if (_server is not null)
        {
            await _server.DisposeAsync();
        }

        Repository.Dispose();
        StoreFolder.Dispose();
    }

    private static string TaskPrefix(ModelTask task) => task switch
    {
        ModelTask.BinaryClassification => "binary",
        ModelTask.MulticlassClassification => "multiclass",
        _ => "regression",
    };

    /// <summary>The points feature set, one data file per task, and a model file per catalog entry.</summary>
    private void WriteDeclarations()
    {
        foreach (var task in Enum.GetValues<ModelTask>())
        {
            var taskName = DeclarationSchemas.TaskNames[(int)task];
            using (var generated = SyntheticRepository.Create(taskName, "lbfgs"))
            {
                Repository.Write("features/points.yaml", generated.Read("features/points.yaml"));
                var data = generated.Read("data/points.csv");

                // Poisson regression (lbfgs) needs a label that is not negative: shift it for every regression model alike.
                Repository.Write($"data/{TaskPrefix(task)}.csv", task == ModelTask.Regression ? ShiftLabels(data, 10) : data);
            }

            var digest = SyntheticRepository.Digest(Repository, $"data/{TaskPrefix(task)}.csv");
            var positive = task == ModelTask.BinaryClassification ? ", positive: \"yes\"" : "";
            foreach (var trainer in TrainerCatalog.NamesFor(task))
            {
                var name = ModelName(task, trainer);
                Repository.Write($"models/{name}.yaml", $$"""
                    model: {{name}}
                    task: {{taskName}}
                    featureSet: points@1
                    label: { column: label{{positive}} }
                    data:
                      path: data/{{TaskPrefix(task)}}.csv
                      digest: {{digest}}
                      split: { holdout: 0.25, seed: 3 }
                    trainer:
                      name: {{trainer}}
                      seed: 5
                    """);
            }
        }
    }

    private static string ShiftLabels(string csv, double by)
    {
        var lines = csv.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        var shifted = new StringBuilder(lines[0]).Append('\n');
        foreach (var line in lines.Skip(1))
        {
            var comma = line.LastIndexOf(',');
            var label = double.Parse(line[(comma + 1)..], CultureInfo.InvariantCulture) + by;
            shifted.Append(line.AsSpan(0, comma + 1)).Append(label.ToString("0.####", CultureInfo.InvariantCulture)).Append('\n');
        }

        return shifted.ToString();
    }

    /// <summary>Waits until every pinned version answers; a refused bundle (Degraded) fails at once, naming each refusal.</summary>
    private async Task WaitReadyAsync(CancellationToken cancellationToken)
    {
        async Task NotDegradedAsync(CancellationToken ct)
        {
            using var status = JsonDocument.Parse(await Client.GetStringAsync("/status", ct));
            if (status.RootElement.GetProperty("health").GetString() == "Degraded")
            {
                var refused = status.RootElement.GetProperty("models").EnumerateArray()
                    .Where(m => m.GetProperty("health").GetString() != "Healthy")
                    .Select(m => m.TryGetProperty("message", out var message) ? message.GetString() : m.GetProperty("model").GetString());
                throw new InvalidOperationException($"the standalone server refused bundles:\n{string.Join('\n', refused)}");
            }
        }

        await ServerReadiness.WaitAsync(Client, TimeSpan.FromSeconds(60), cancellationToken, NotDegradedAsync,
            async () => $"/status: {await Client.GetStringAsync("/status", cancellationToken)}\nOutput:\n{Server.Output}");
    }
}
