using Mlops.Declarations.Digests;
using Mlops.Declarations.FeatureSets;
using Mlops.Declarations.Models;
using Mlops.Runtime.Bundles;
using Mlops.Runtime.Features;
using Mlops.Runtime.Monitoring.Predictions;
using Mlops.Runtime.Scoring;
using Mlops.Runtime.Serving;
using Mlops.Runtime.Tests.Features;

namespace Mlops.Runtime.Tests.Monitoring.Predictions;

/// <summary>Schemas, rows, answers and manifests for prediction log tests (no model: the answers are made up, the rows are checked as requests are).</summary>
internal static class LogTestData
{
    public const string Digest = "sha256:1111111111111111111111111111111111111111111111111111111111111111";

    /// <summary>tenure (float), contract (category, a slice), total_charges (nullable float), email (text), with the given sensitivities.</summary>
    public static InputSchema Schema(FeatureSensitivity contract = FeatureSensitivity.None, FeatureSensitivity email = FeatureSensitivity.None) => new(
    [
        new BundleInput("tenure", FeatureType.Float, false, []),
        new BundleInput("contract", FeatureType.Category, false, ["Month-to-month", "One year", "Two year"]) { OnUnknown = UnknownCategoryPolicy.Reject, Sensitive = contract == FeatureSensitivity.None ? null : contract },
        new BundleInput("total_charges", FeatureType.Float, true, []),
        new BundleInput("email", FeatureType.Text, true, []) { OnUnknown = UnknownCategoryPolicy.Reject, Sensitive = email == FeatureSensitivity.None ? null : email },
    ]);

    public static Dictionary<string, object?> Row(float tenure = 12, string contract = "One year", float? charges = 700, string? email = "ann@example.com") =>
        new(StringComparer.Ordinal) { ["tenure"] = tenure, ["contract"] = contract, ["total_charges"] = charges, ["email"] = email };

    public static FeatureBatch Batch(InputSchema schema, params Dictionary<string, object?>[] rows) => TestBatches.Of(schema, rows);

    /// <summary>A binary answer: each probability, positive above 0.5, score = logit-ish.</summary>
    public static ServedBatch Binary(params float[] probabilities) => new(
        new BatchPredictions([.. probabilities.Select(p => (p - 0.5f) * 4)], probabilities, [.. probabilities.Select(p => p > 0.5f)], null, null, []),
        "churn", 1, Digest, "c0ffee", ServedRole.Primary);

    /// <summary>A manifest with slices on contract and training metrics.</summary>
    public static BundleManifest Manifest(string model = "churn") => new(
        BundleManifest.CurrentFormat, model, ModelTask.BinaryClassification, "model.zip", ModelFormat.MlNet, Digest,
        new BundleFeatureSet("customer", 1, Digest), Schema().Inputs.Select(i => new BundleInput(i.Name, i.Type, i.Nullable, i.Categories.Declared)).ToList(),
        new BundleLabel("churn", "Yes"), new BundleTrainer("lbfgs", 42, new Dictionary<string, string>()),
        new BundleLineage(Digest, Digest, "5.0.1"),
        new BundleMetrics(
            new Dictionary<string, double> { ["auc"] = 0.84, ["accuracy"] = 0.8, ["f1"] = 0.6, ["logLoss"] = 0.42, ["precision"] = 0.7 },
            new Dictionary<string, IReadOnlyDictionary<string, double>>
            {
                ["contract=Month-to-month"] = new Dictionary<string, double> { ["auc"] = 0.7, ["accuracy"] = 0.7 },
                ["contract=One year"] = new Dictionary<string, double> { ["auc"] = 0.75, ["accuracy"] = 0.9 },
            }));

    public static LiveQuality Quality(int remembered = 1000, int labelled = 1000) =>
        new(remembered, labelled, (model, version) => version == 1 ? Manifest(model) : null);

    public static string HashOf(string text) => Sha256Digest.OfText(text);
}
