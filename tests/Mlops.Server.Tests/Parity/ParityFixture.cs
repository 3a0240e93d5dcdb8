using System.Globalization;
using System.Text;
using Microsoft.AspNetCore.Mvc.Testing;
using Mlops.Declarations.Repository;
using Mlops.Pipeline.Stages;
using Mlops.Runtime.Bundles;
using Mlops.Runtime.Features;
using Mlops.Runtime.Scoring;
using Mlops.Runtime.Store;
using Mlops.Testing;

namespace Mlops.Server.Tests.Parity;

/// <summary>
/// A repository whose feature set has one feature of every kind the value rules treat differently
/// (a bounded nullable float with a fill, a non-nullable int, a bool, a category that rejects others
/// and one that ignores them), a linear regression trained on it by the pipeline's own stages (every
/// feature moves the score), packaged into a folder store and pinned in an environment that the
/// server serves. Built once per test class.
/// </summary>
public sealed class ParityFixture : IAsyncLifetime
{
    public const string FeatureSetYaml = """
        featureSet: parity
        version: 1
        entity: id
        features:
          - { name: amount, type: float, min: -1000, max: 1000, nullable: true, fill: zero }
          - { name: count, type: int, min: 0 }
          - { name: member, type: bool }
          - { name: plan, type: category, values: [basic, gold, "No"] }
          - { name: region, type: category, values: [north, south], nullable: true, onUnknown: ignore }
        """;

    public static readonly string[] Header = ["id", "amount", "count", "member", "plan", "region", "y"];

    /// <summary>The row every case starts from; a case replaces one field.</summary>
    public static readonly IReadOnlyDictionary<string, string> BaseRow = new Dictionary<string, string>
    {
        ["amount"] = "40.5", ["count"] = "3", ["member"] = "1", ["plan"] = "gold", ["region"] = "south", ["y"] = "1",
    };

    public TempDirectory Repository { get; } = new("mlops-parity");

    public TempDirectory StoreFolder { get; } = new("mlops-parity-store");

    public WebApplicationFactory<Program> Factory { get; private set; } = null!;

    public HttpClient Client { get; private set; } = null!;

    /// <summary>The served bundle's scorer and schema, loaded in process: the reference the entry points are held to.</summary>
    public IScorer Scorer { get; private set; } = null!;

    public InputSchema Schema { get; private set; } = null!;

    /// <summary>The trained model zip (what evaluation loads).</summary>
    public string ModelPath { get; private set; } = "";

    public async ValueTask InitializeAsync()
    {
        var cancellationToken = TestContext.Current.CancellationToken;
        Repository.Write("features/parity.yaml", FeatureSetYaml);
        Repository.Write("data/train.csv", TrainingCsv());
        WriteModel("data/train.csv");
        var store = new LocalFolderStore(StoreFolder.Path);
        string digest;
        await using (var workspace = await Workspace.OpenAsync(Repository.Path, trackingDb: null, TimeProvider.System, cancellationToken))
        {
            var (model, features) = workspace.Models("parity").Single();
            var trained = await TrainStage.RunAsync(workspace, model, features, force: false, progress: null, cancellationToken);
            ModelPath = Path.Combine(Repository.Path, trained.Run.Artifact!.Path);
            await EvaluateStage.RunAsync(workspace, model, features, force: false, progress: null, cancellationToken);
            digest = (await PackageStage.RunAsync(workspace, model, features, store, register: false, cancellationToken)).Digest;
        }

        Repository.Write("environments/staging.yaml", $"environment: staging\nmodels:\n  - model: parity\n    version: 1\n    digest: {digest}\n    featureSet: parity@1\n");
        using (var bytes = new MemoryStream())
        {
            await store.CopyToAsync(digest, bytes, cancellationToken);
            var bundle = Bundle.Read(bytes.ToArray());
            Scorer = Scorers.Load(bundle);
            var declarations = await RepositoryLoader.LoadAsync(Repository.Path, cancellationToken);
            Schema = new InputSchema(bundle.Manifest.Inputs, declarations.FeatureSets.Single().Value);
        }

        Factory = new WebApplicationFactory<Program>().WithWebHostBuilder(b => b
            .UseSetting("Mlops:Repo", Repository.Path)
            .UseSetting("Mlops:Store", StoreFolder.Path)
            .UseSetting("Mlops:CacheFolder", Repository.Combine(".cache")));
        Client = Factory.CreateClient();
        ServerFixture.WaitReady(Client);
    }

    /// <summary>Points the model at a data file (and its digest), as a user editing models/parity.yaml would.</summary>
    public void WriteModel(string dataPath) => Repository.Write("models/parity.yaml", $$"""
        model: parity
        task: regression
        featureSet: parity@1
        label: { column: y }
        data:
          path: {{dataPath}}
          digest: {{SyntheticRepository.Digest(Repository, dataPath)}}
          split: { holdout: 0.5, seed: 7 }
        trainer: { name: sdca, seed: 3 }
        """);

    /// <summary>Case rows in a data file: ids c0, c1, ... on lines 2 to 25.</summary>
    public const int CaseRows = 24;

    /// <summary>Base rows after them, enough that some land among the training rows whatever the split.</summary>
    public const int BaseRows = 16;

    /// <summary>
    /// A data file of <see cref="CaseRows"/> copies of the base row (ids c0, c1, ...) with one field replaced,
    /// then <see cref="BaseRows"/> base rows (ids b24, ...), so that no feature is empty in every training row.
    /// </summary>
    public static string CaseCsv(string feature, string field)
    {
        var csv = new StringBuilder(string.Join(',', Header)).Append('\n');
        for (var i = 0; i < CaseRows + BaseRows; i++)
        {
            csv.Append(CultureInfo.InvariantCulture, $"{(i < CaseRows ? "c" : "b")}{i}");
            foreach (var column in Header.Skip(1))
            {
                csv.Append(',').Append(column == feature && i < CaseRows ? field : BaseRow[column]);
            }

            csv.Append('\n');
        }

        return csv.ToString();
    }

    public async ValueTask DisposeAsync()
    {
        Client?.Dispose();
        if (Factory is not null)
        {
            await Factory.DisposeAsync();
        }

        (Scorer as IDisposable)?.Dispose();
        Repository.Dispose();
        StoreFolder.Dispose();
        await Task.CompletedTask;
    }

    /// <summary>400 generated rows in which every feature moves the label, so each has weight in the model.</summary>
    private static string TrainingCsv()
    {
        var random = new Random(11);
        string[] plans = ["basic", "gold", "No"];
        string[] regions = ["north", "south", ""];
        var csv = new StringBuilder(string.Join(',', Header)).Append('\n');
        for (var i = 0; i < 400; i++)
        {
            var amount = Math.Round((random.NextDouble() * 1600) - 800, 2);
            var count = random.Next(0, 10);
            var member = random.Next(2);
            var plan = plans[random.Next(3)];
            var region = regions[random.Next(3)];
            var y = (0.01 * amount) + (0.5 * count) + (2 * member) + (plan == "gold" ? 3 : plan == "No" ? -1 : 0) + (region == "north" ? 1 : region == "south" ? -1 : 0) + (random.NextDouble() * 0.1);
            csv.Append(CultureInfo.InvariantCulture, $"r{i},{(i % 13 == 0 ? "" : amount.ToString(CultureInfo.InvariantCulture))},{count},{member},{plan},{region},{y.ToString("0.####", CultureInfo.InvariantCulture)}\n");
        }

        return csv.ToString();
    }
}
