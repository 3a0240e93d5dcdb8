using Microsoft.ML;
using Mlops.Declarations.Digests;
using Mlops.Declarations.FeatureSets;
using Mlops.Runtime.Bundles;
using Mlops.Runtime.Scoring;
using Mlops.Runtime.Store;
using Mlops.Testing;

namespace Mlops.Runtime.Tests.Serving;

/// <summary>
/// A real but tiny churn-like model (lbfgs on 300 generated rows, trained once per test run) and
/// bundles of it for any version number: each version's manifest differs, so each has its own digest.
/// Also a repository folder with the feature set and an environment file the tests rewrite.
/// </summary>
public static class TestModels
{
    public const string FeatureSetYaml = """
        featureSet: customer
        version: 1
        entity: customer_id
        features:
          - { name: tenure, type: float, min: 0 }
          - { name: contract, type: category, values: [Month-to-month, One year, Two year] }
          - { name: total_charges, type: float, nullable: true }
        """;

    /// <summary>The model declarations the test environments pin (the server applies an environment only when they are valid).</summary>
    public static string ModelYaml(string model) => $$"""
        model: {{model}}
        task: binary-classification
        featureSet: customer@1
        label: { column: churn, positive: "Yes" }
        data:
          path: data/{{model}}.csv
          digest: sha256:{{new string('a', 64)}}
          split: { holdout: 0.2, seed: 42 }
        trainer: { name: lbfgs, seed: 42 }
        """;

    private static readonly string[] s_contracts = ["Month-to-month", "One year", "Two year"];
    private static readonly Lazy<byte[]> s_model = new(() => Train(ml => ml.BinaryClassification.Trainers.LbfgsLogisticRegression(ModelColumns.Label, ModelColumns.Features)));

    public static FeatureSet FeatureSet { get; } = new("customer", 1, "customer_id", null,
    [
        new Feature("tenure", FeatureType.Float, false, 0, null, [], FillStrategy.None, UnknownCategoryPolicy.Reject, FeatureSource.Data, null),
        new Feature("contract", FeatureType.Category, false, null, null, s_contracts, FillStrategy.None, UnknownCategoryPolicy.Reject, FeatureSource.Data, null),
        new Feature("total_charges", FeatureType.Float, true, null, null, [], FillStrategy.None, UnknownCategoryPolicy.Reject, FeatureSource.Data, null),
    ]);

    public static IReadOnlyList<BundleInput> Inputs { get; } =
    [
        new BundleInput("tenure", FeatureType.Float, false, []),
        new BundleInput("contract", FeatureType.Category, false, s_contracts),
        new BundleInput("total_charges", FeatureType.Float, true, []),
    ];

    /// <summary>The model's bytes (an ML.NET zip).</summary>
    public static byte[] Model => s_model.Value;

    /// <summary>A bundle of the model for a version; <paramref name="trainedOn"/> is the feature set its manifest records (the default is <see cref="FeatureSet"/>).</summary>
    public static byte[] Bundle(int version, string model = "churn", byte[]? modelBytes = null, ModelFormat format = ModelFormat.MlNet, string modelFile = "model.zip", FeatureSet? trainedOn = null)
    {
        var bytes = modelBytes ?? Model;
        var features = trainedOn ?? FeatureSet;
        var inputs = trainedOn is null ? Inputs : [.. trainedOn.Features.Select(f => new BundleInput(f.Name, f.Type, f.Nullable, f.Values))];
        var manifest = new BundleManifest(
            BundleManifest.CurrentFormat,
            model,
            Mlops.Declarations.Models.ModelTask.BinaryClassification,
            modelFile,
            format,
            Sha256Digest.Of(bytes),
            new BundleFeatureSet(features.Name, features.Version, features.SchemaDigest),
            inputs,
            new BundleLabel("churn", "Yes"),
            new BundleTrainer("lbfgs", 42, new Dictionary<string, string> { ["testVersion"] = version.ToString(System.Globalization.CultureInfo.InvariantCulture) }),
            new BundleLineage("sha256:" + new string('b', 64), "sha256:" + new string('c', 64), "5.0.1"),
            new BundleMetrics(new Dictionary<string, double> { ["auc"] = 0.8 }, new Dictionary<string, IReadOnlyDictionary<string, double>>()));
        return Runtime.Bundles.Bundle.Write(manifest, bytes, new Dictionary<string, byte[]>());
    }

    /// <summary>Puts a version's bundle in the store and returns its digest.</summary>
    public static string Put(IBundleStore store, int version, string model = "churn", FeatureSet? trainedOn = null) =>
        store.PutAsync(new MemoryStream(Bundle(version, model, trainedOn: trainedOn)), CancellationToken.None).GetAwaiter().GetResult();

    /// <summary>Puts a bundle whose stored bytes are then damaged: fetching it fails verification.</summary>
    public static string PutCorrupt(LocalFolderStore store, int version)
    {
        var digest = Put(store, version);
        var path = store.GetObjectPath(digest);
        File.SetAttributes(path, FileAttributes.Normal);
        var bytes = File.ReadAllBytes(path);
        bytes[bytes.Length / 2] ^= 0xFF;
        File.WriteAllBytes(path, bytes);
        return digest;
    }

    /// <summary>A repository folder with the feature set, the models churn and churn-rules, and an empty staging environment.</summary>
    public static TempDirectory Repository()
    {
        var repository = new TempDirectory("mlops-serve");
        repository.Write("features/customer.yaml", FeatureSetYaml);
        repository.Write("models/churn.yaml", ModelYaml("churn"));
        repository.Write("models/churn-rules.yaml", ModelYaml("churn-rules"));
        WriteEnvironment(repository, "");
        return repository;
    }

    /// <summary>Writes environments/staging.yaml with the given model entries (YAML list items, indented by two).</summary>
    public static void WriteEnvironment(TempDirectory repository, string models)
    {
        var text = "environment: staging\n" + (models.Length == 0 ? "models: []\n" : "models:\n" + models);
        var path = repository.Combine("environments/staging.yaml");
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        var temporary = path + ".tmp";
        File.WriteAllText(temporary, text);
        File.Move(temporary, path, overwrite: true);
    }

    /// <summary>One model entry.</summary>
    public static string Pin(string digest, int version, string model = "churn", string extra = "") =>
        $"  - model: {model}\n    version: {version}\n    digest: {digest}\n    featureSet: customer@1\n{extra}";

    /// <summary>A row the model accepts.</summary>
    public static Dictionary<string, object?> Row(float tenure = 12, string contract = "One year") =>
        new(StringComparer.Ordinal) { ["tenure"] = tenure, ["contract"] = contract, ["total_charges"] = 800f };

    /// <summary>The model's pipeline with the given trainer, fitted on the same 300 rows (an ML.NET zip).</summary>
    public static byte[] Train(Func<MLContext, IEstimator<ITransformer>> trainer)
    {
        var rowType = FeatureRowType.For(FeatureSet);
        var labelled = rowType.WithLabel(typeof(bool));
        var random = new Random(7);
        var rows = new List<object>();
        for (var i = 0; i < 300; i++)
        {
            var row = labelled.NewRow();
            var tenure = (float)(random.NextDouble() * 72);
            var contract = s_contracts[random.Next(3)];
            rowType.SetNumber(row, 0, tenure);
            rowType.SetText(row, 1, contract);
            rowType.SetNumber(row, 2, i % 10 == 0 ? float.NaN : tenure * 60);
            labelled.SetLabel(row, tenure < 20 && contract == "Month-to-month" ? random.NextDouble() < 0.8 : random.NextDouble() < 0.15);
            rows.Add(row);
        }

        var ml = new MLContext(42);
        var view = labelled.ToDataView(ml, rows);
        var pipeline = ml.Transforms.ReplaceMissingValues("total_charges")
            .Append(ml.Transforms.Categorical.OneHotEncoding("contract"))
            .Append(ml.Transforms.Concatenate(ModelColumns.Features, "tenure", "contract", "total_charges"))
            .Append(trainer(ml));
        var model = pipeline.Fit(view);
        using var stream = new MemoryStream();
        ml.Model.Save(model, view.Schema, stream);
        return stream.ToArray();
    }
}
