using System.Text.Json;
using Mlops.Pipeline.Tracking;
using Mlops.Runtime.Bundles;
using Mlops.Runtime.Reconcile;
using Mlops.Runtime.Scoring;
using Mlops.Runtime.Store;
using Mlops.Testing;

namespace Mlops.Cli.Tests.Commands.Register;

/// <summary>
/// <c>mlops register --onnx</c> on a git copy of the example with a model declared as external
/// (models/churn-onnx.yaml), using the ONNX files that Onnx/make_churn_onnx.py builds with python3-onnx.
/// </summary>
public sealed class RegisterCommandTests
{
    private const string ModelYaml = """
        model: churn-onnx
        description: The churn model, trained elsewhere and exported to ONNX.
        task: binary-classification
        featureSet: customer@1
        label: { column: churn, positive: "Yes" }
        data:
          path: data/telco-churn.csv
          digest: DIGEST
          split: { holdout: 0.2, seed: 42 }
        trainer: { name: external }
        slices: [contract]
        gate:
          - { metric: auc, threshold: 0.75 }
          - { metric: auc, threshold: 0.5, slice: contract }
        """;

    // The weights make_churn_onnx.py writes into churn-logistic.onnx.
    private static readonly (string Feature, float Weight)[] s_weights =
        [("tenure", -0.053f), ("monthly_charges", 0.028f), ("senior_citizen", 0.514f), ("paperless_billing", 0.559f), ("dependents", -0.346f)];

    private const float Bias = -1.855f;

    private static string Onnx(string name) => Path.Combine(AppContext.BaseDirectory, "Commands", "Register", "Onnx", name);

    /// <summary>The example with models/churn-onnx.yaml, committed on main.</summary>
    private static ExampleRepository Repository(string modelYaml = ModelYaml)
    {
        var repo = new ExampleRepository();
        var churn = repo.Read("models/churn.yaml");
        var start = churn.IndexOf("sha256:", StringComparison.Ordinal);
        repo.Write("models/churn-onnx.yaml", modelYaml.Replace("DIGEST", churn[start..(start + 71)], StringComparison.Ordinal));
        Git.InitAndCommit(repo.Path);
        return repo;
    }

    private static async Task<CliResult> OkAsync(params string[] args)
    {
        var result = await CliRunner.RunAsync(args);
        Assert.True(result.ExitCode == ExitCodes.Success, $"mlops {string.Join(' ', args)} exited {result.ExitCode}: {result.Error}{result.Out}");
        return result;
    }

    private static Task<CliResult> RegisterAsync(string repo, string file, string model = "churn-onnx", string featureSet = "customer@1", bool json = true) =>
        CliRunner.RunAsync(["register", "--onnx", file, "--model", model, "--feature-set", featureSet, "--repo", repo, .. json ? new[] { "--json" } : []]);

    private static string Store(string repo) => Path.Combine(repo, ".mlops", "store");

    private static async Task<IReadOnlyList<Run>> RunsAsync(string repo)
    {
        await using var runs = await RunStore.OpenAsync(TrackingLocation.Resolve(repo, null), TimeProvider.System, TestContext.Current.CancellationToken);
        return await runs.ListAsync(cancellationToken: TestContext.Current.CancellationToken);
    }

    [Fact]
    public async Task Register_LogisticOnnx_TagsVersionAndStoresAnOnnxBundleOfTheFile()
    {
        using var repo = Repository();

        var result = await RegisterAsync(repo.Path, Onnx("churn-logistic.onnx"));

        Assert.True(result.ExitCode == ExitCodes.Success, result.Error + result.Out);
        var json = JsonDocument.Parse(result.Out).RootElement;
        Assert.Equal("churn-onnx@v1", json.GetProperty("tag").GetString());
        Assert.True(json.GetProperty("newVersion").GetBoolean());
        Assert.Equal("per-feature", json.GetProperty("inputs").GetString());
        Assert.Equal("mlops-tests", json.GetProperty("producer").GetString());
        Assert.InRange(json.GetProperty("metrics").GetProperty("auc").GetDouble(), 0.78, 0.86);
        Assert.Equal("churn-onnx@v1", Git.Run(repo.Path, "tag", "--list").Trim());
        Assert.Equal(Git.Run(repo.Path, "rev-parse", "HEAD"), Git.Run(repo.Path, "rev-list", "-n", "1", "churn-onnx@v1"));
        var digest = json.GetProperty("digest").GetString()!;
        Assert.Contains($"bundle: {digest}", Git.Run(repo.Path, "tag", "--list", "-n99", "churn-onnx@v1"), StringComparison.Ordinal);

        var bundle = Bundle.Read(File.ReadAllBytes(new LocalFolderStore(Store(repo.Path)).GetObjectPath(digest)));
        Assert.Equal(ModelFormat.Onnx, bundle.Manifest.ModelFormat);
        Assert.Equal("model.onnx", bundle.Manifest.ModelFile);
        Assert.Equal("external", bundle.Manifest.Trainer.Name);
        Assert.Equal(File.ReadAllBytes(Onnx("churn-logistic.onnx")), bundle.ModelBytes);
        Assert.Equal(19, bundle.Manifest.Inputs.Count);
        Assert.Contains("contract=Two year", bundle.Manifest.Metrics.Slices.Keys);
        Assert.Contains(Bundle.ProfileEntry, bundle.EntryNames);

        var run = Assert.Single(await RunsAsync(repo.Path));
        Assert.Equal(RunStatus.Succeeded, run.Status);
        Assert.Equal(json.GetProperty("runId").GetString(), run.Id);
        Assert.Equal("onnx", run.Params["trainer.format"]);
        Assert.NotNull(run.FindMetric("p99LatencyMs"));
        Assert.NotNull(run.FindMetric("auc", slice: "contract=One year"));
    }

    [Fact]
    public async Task Register_SameFileTwice_KeepsTheVersionAndTheBundleDigest()
    {
        using var repo = Repository();
        var first = JsonDocument.Parse((await OkAsync("register", "--onnx", Onnx("churn-logistic.onnx"), "--model", "churn-onnx", "--feature-set", "customer@1", "--repo", repo.Path, "--json")).Out).RootElement;

        var second = JsonDocument.Parse((await OkAsync("register", "--onnx", Onnx("churn-logistic.onnx"), "--model", "churn-onnx", "--feature-set", "customer@1", "--repo", repo.Path, "--json")).Out).RootElement;

        Assert.Equal(first.GetProperty("digest").GetString(), second.GetProperty("digest").GetString());
        Assert.Equal("churn-onnx@v1", second.GetProperty("tag").GetString());
        Assert.False(second.GetProperty("newVersion").GetBoolean());
        Assert.Equal("churn-onnx@v1", Git.Run(repo.Path, "tag", "--list").Trim());
    }

    public static TheoryData<string, string, string, string[]> BadInputs => new()
    {
        { "unknown feature set", "churn-logistic.onnx", "customer@7", ["feature set 'customer@7' is not declared in features/", "(declared: customer@1)"] },
        { "malformed feature set", "churn-logistic.onnx", "customer", ["--feature-set 'customer' is not NAME@VERSION"] },
        { "misnamed input", "churn-misnamed.onnx", "customer@1", ["churn-misnamed.onnx", "no input named 'tenure'", "features/customer.yaml", "'tenure_months' is not a feature of customer@1"] },
        { "packed input over categories", "churn-packed.onnx", "customer@1", ["single float input 'features' cannot hold 'multiple_lines'", "'payment_method'"] },
        { "category as a float input", "churn-float-contract.onnx", "customer@1", ["input 'contract' is a Single tensor [N,1], but feature 'contract' is category", "string tensor"] },
        { "no float output", "churn-label-output.onnx", "customer@1", ["it has no float tensor output (outputs: 'label')"] },
        { "not an ONNX file", "not-onnx.onnx", "customer@1", ["not-onnx.onnx: ONNX Runtime cannot load it as an ONNX model"] },
        { "missing file", "absent.onnx", "customer@1", ["the ONNX file", "absent.onnx' does not exist", "--onnx"] },
    };

    [Theory]
    [MemberData(nameof(BadInputs))]
    public async Task Register_BadInput_ExitsTwoWithTheCauseAndChangesNothing(string scenario, string file, string featureSet, string[] expected)
    {
        using var repo = Repository();
        using var scratch = new TempDirectory("mlops-register-input");
        scratch.Write("not-onnx.onnx", "model,weights\nchurn,0.5\n");
        var path = file is "not-onnx.onnx" or "absent.onnx" ? scratch.Combine(file) : Onnx(file);

        var result = await RegisterAsync(repo.Path, path, featureSet: featureSet, json: false);

        Assert.True(result.ExitCode == ExitCodes.BadInput, $"{scenario}: exit {result.ExitCode}: {result.Error}{result.Out}");
        foreach (var text in expected)
        {
            Assert.Contains(text, result.Error, StringComparison.Ordinal);
        }

        Assert.Equal("", Git.Run(repo.Path, "tag", "--list"));
        Assert.False(Directory.Exists(Store(repo.Path)) && Directory.EnumerateFiles(Store(repo.Path), "*", SearchOption.AllDirectories).Any(), $"{scenario}: the store holds an object");
        Assert.Empty(await RunsAsync(repo.Path));
        Assert.Equal("", Git.Run(repo.Path, "status", "--porcelain"));
    }

    [Fact]
    public async Task Register_MulticlassModel_IsRefusedAndChangesNothing()
    {
        using var repo = Repository(ModelYaml.Replace("binary-classification", "multiclass-classification", StringComparison.Ordinal).Replace("metric: auc", "metric: microAccuracy", StringComparison.Ordinal));

        var result = await RegisterAsync(repo.Path, Onnx("churn-logistic.onnx"), json: false);

        Assert.Equal(ExitCodes.BadInput, result.ExitCode);
        Assert.Contains("ONNX models are served for binary-classification and regression, and this model declares multiclass-classification", result.Error, StringComparison.Ordinal);
        Assert.Equal("", Git.Run(repo.Path, "tag", "--list"));
        Assert.Empty(await RunsAsync(repo.Path));
    }

    [Fact]
    public async Task Register_ModelTrainedByMlops_IsRefusedWithTheTrainerLocation()
    {
        using var repo = Repository();

        var result = await RegisterAsync(repo.Path, Onnx("churn-logistic.onnx"), model: "churn", json: false);

        Assert.Equal(ExitCodes.BadInput, result.ExitCode);
        Assert.Contains("models/churn.yaml(", result.Error, StringComparison.Ordinal);
        Assert.Contains("is trained by mlops (trainer: lbfgs)", result.Error, StringComparison.Ordinal);
        Assert.Equal("", Git.Run(repo.Path, "tag", "--list"));
    }

    [Fact]
    public async Task Register_UndeclaredModel_SaysHowToDeclareIt()
    {
        using var repo = Repository();

        var result = await RegisterAsync(repo.Path, Onnx("churn-logistic.onnx"), model: "upsell", json: false);

        Assert.Equal(ExitCodes.BadInput, result.ExitCode);
        Assert.Contains("no model is named 'upsell' in models/", result.Error, StringComparison.Ordinal);
        Assert.Contains("models/upsell.yaml with 'trainer: { name: external }'", result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Train_ExternalModel_ExitsTwoAndPointsAtRegister()
    {
        using var repo = Repository();

        var result = await CliRunner.RunAsync("train", "churn-onnx", "--repo", repo.Path);

        Assert.Equal(ExitCodes.BadInput, result.ExitCode);
        Assert.Contains("mlops register --onnx FILE --model churn-onnx --feature-set customer@1", result.Error, StringComparison.Ordinal);
        Assert.Empty(await RunsAsync(repo.Path));
    }

    [Fact]
    public async Task Train_EveryModel_SkipsTheExternalOneAndTrainsTheOthers()
    {
        using var repo = Repository();

        var result = await OkAsync("train", "--repo", repo.Path);

        Assert.Contains("train churn-onnx: skipped, trained outside mlops", result.Out, StringComparison.Ordinal);
        Assert.Contains("train churn: trained lbfgs", result.Out, StringComparison.Ordinal);
        Assert.Equal("churn", Assert.Single(await RunsAsync(repo.Path)).Model);
    }

    [Fact]
    public async Task Reproduce_RegisteredOnnxVersion_IsRefusedAsNotRetrainable()
    {
        using var repo = Repository();
        await OkAsync("register", "--onnx", Onnx("churn-logistic.onnx"), "--model", "churn-onnx", "--feature-set", "customer@1", "--repo", repo.Path);

        var result = await CliRunner.RunAsync("reproduce", "churn-onnx@v1", "--repo", repo.Path);

        Assert.Equal(ExitCodes.BadInput, result.ExitCode);
        Assert.Contains("churn-onnx@v1 was registered from a file trained outside mlops", result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Package_RegisteredOnnxModel_RebuildsTheSameBundleAndKeepsTheVersion()
    {
        using var repo = Repository();
        var registered = JsonDocument.Parse((await OkAsync("register", "--onnx", Onnx("churn-logistic.onnx"), "--model", "churn-onnx", "--feature-set", "customer@1", "--repo", repo.Path, "--json")).Out).RootElement;

        var packaged = JsonDocument.Parse((await OkAsync("package", "churn-onnx", "--repo", repo.Path, "--json")).Out).RootElement[0];

        Assert.Equal(registered.GetProperty("digest").GetString(), packaged.GetProperty("digest").GetString());
        Assert.Equal("churn-onnx@v1", packaged.GetProperty("tag").GetString());
        Assert.False(packaged.GetProperty("newVersion").GetBoolean());
    }

    [Fact]
    public async Task Evaluate_SlicesAddedAfterRegistration_EvaluatesTheRegisteredOnnxFileAgain()
    {
        using var repo = Repository();
        await OkAsync("register", "--onnx", Onnx("churn-logistic.onnx"), "--model", "churn-onnx", "--feature-set", "customer@1", "--repo", repo.Path);
        repo.Replace("models/churn-onnx.yaml", "slices: [contract]", "slices: [contract, partner]");
        Git.CommitAll(repo.Path, "Slice churn-onnx by partner");

        var result = await OkAsync("evaluate", "churn-onnx", "--repo", repo.Path, "--json");

        var outcome = JsonDocument.Parse(result.Out).RootElement[0];
        Assert.False(outcome.GetProperty("cached").GetBoolean());
        var slices = outcome.GetProperty("report").GetProperty("slices").EnumerateArray().Select(s => s.GetProperty("feature").GetString()).Distinct().ToList();
        Assert.Equal(["contract", "partner"], slices);
        Assert.InRange(outcome.GetProperty("report").GetProperty("metrics").GetProperty("auc").GetDouble(), 0.78, 0.86);
    }

    [Fact]
    public async Task Gate_DeclarationsChangedSinceRegistration_SaysToRegisterAgain()
    {
        using var repo = Repository();
        await OkAsync("register", "--onnx", Onnx("churn-logistic.onnx"), "--model", "churn-onnx", "--feature-set", "customer@1", "--repo", repo.Path);
        repo.Replace("models/churn-onnx.yaml", "holdout: 0.2, seed: 42", "holdout: 0.3, seed: 42");
        Git.CommitAll(repo.Path, "Hold out more rows for churn-onnx");

        var result = await CliRunner.RunAsync("gate", "churn-onnx", "--environment", "staging", "--repo", repo.Path);

        Assert.Equal(ExitCodes.BadInput, result.ExitCode);
        Assert.Contains("was evaluated against other declarations or data than the repository holds now", result.Error, StringComparison.Ordinal);
        Assert.Contains("mlops register --onnx FILE --model churn-onnx --feature-set customer@1", result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Gate_ExternalModelNotRegistered_SaysToRegisterFirst()
    {
        using var repo = Repository();

        var result = await CliRunner.RunAsync("gate", "churn-onnx", "--environment", "staging", "--repo", repo.Path);

        Assert.Equal(ExitCodes.BadInput, result.ExitCode);
        Assert.Contains("has no registered model file yet", result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task RegisterGatePromote_ThenModelHost_ServesTheRegisteredOnnxVersion()
    {
        using var repo = Repository();
        await OkAsync("register", "--onnx", Onnx("churn-logistic.onnx"), "--model", "churn-onnx", "--feature-set", "customer@1", "--repo", repo.Path);

        var gate = await OkAsync("gate", "churn-onnx", "--environment", "staging", "--repo", repo.Path);
        var promote = await OkAsync("promote", "churn-onnx", "--to", "staging", "--on-current-branch", "--repo", repo.Path);

        Assert.Contains("auc", gate.Out, StringComparison.Ordinal);
        Assert.Contains("Promote churn-onnx v1 to staging", Git.Run(repo.Path, "log", "-1", "--format=%s"), StringComparison.Ordinal);
        Assert.Contains("Gate: passed", Git.Run(repo.Path, "log", "-1", "--format=%b"), StringComparison.Ordinal);
        Assert.Contains("version: 1", repo.Read("environments/staging.yaml"), StringComparison.Ordinal);
        Assert.NotEmpty(promote.Out);

        using var host = new ModelHost(new FolderDesiredStateSource(repo.Path, "staging"), new LocalFolderStore(Store(repo.Path)), "staging",
            new ModelHostOptions { CacheFolder = Path.Combine(repo.Path, ".mlops", "serve-cache") });
        var status = await host.ReconcileAsync(TestContext.Current.CancellationToken);

        Assert.Equal(HealthStatus.Healthy, status.Health);
        var served = host.Snapshot.Models["churn-onnx"];
        Assert.IsType<OnnxScorer>(served.Primary!.Scorer);
        var row = new Dictionary<string, object?>(StringComparer.Ordinal)
        {
            ["female"] = true, ["senior_citizen"] = false, ["partner"] = false, ["dependents"] = false, ["tenure"] = 2f,
            ["phone_service"] = true, ["multiple_lines"] = "No", ["internet_service"] = "Fiber optic", ["online_security"] = "No",
            ["online_backup"] = "No", ["device_protection"] = "No", ["tech_support"] = "No", ["streaming_tv"] = "No",
            ["streaming_movies"] = "No", ["contract"] = "Month-to-month", ["paperless_billing"] = true,
            ["payment_method"] = "Electronic check", ["monthly_charges"] = 70.7f, ["total_charges"] = 151.65f,
        };
        var problems = new List<string>();
        var batch = served.Schema!.CheckRows([row], problems);
        Assert.Empty(problems);
        var answer = (await host.Router.ScoreAsync(served, batch, "customer-1", cancellationToken: TestContext.Current.CancellationToken)).Row(0);

        Assert.Equal(1, answer.Version);
        Assert.Equal(JsonDocument.Parse((await OkAsync("registry", "list", "churn-onnx", "--json", "--repo", repo.Path)).Out).RootElement[0].GetProperty("digest").GetString(), answer.Digest);
        var logit = Bias + s_weights.Sum(w => w.Weight * Convert.ToSingle(row[w.Feature] is bool b ? (b ? 1f : 0f) : row[w.Feature], System.Globalization.CultureInfo.InvariantCulture));
        Assert.Equal(1 / (1 + MathF.Exp(-logit)), answer.Prediction.Probability!.Value, 5);
        Assert.True(answer.Prediction.IsPositive);
    }
}
