using Mlops.Declarations.FeatureSets;
using Mlops.Declarations.Models;
using Mlops.Declarations.Schema;
using Mlops.Pipeline.Tracking;

namespace Mlops.Pipeline.Tests.Tracking;

public sealed class CacheKeyTests
{
    private const string Data = "sha256:a55b84ce116b3d67bdf35b57033da03f95c3295ddec4ae32a0e7ce3e187187d7";
    private const string MlNet = "5.0.1";
    private const string PinnedKey = "sha256:ed42605eccdef8b128d21e46b6aa8204abe8c361b4d96519a0aee652adff382b";

    private static readonly FeatureSet s_features = new("customer", 1, "customer_id", "Customers.",
    [
        new Feature("tenure", FeatureType.Float, false, 0, 120, [], FillStrategy.None, UnknownCategoryPolicy.Reject, FeatureSource.Data, "Months"),
        new Feature("total_charges", FeatureType.Float, true, 0, null, [], FillStrategy.Median, UnknownCategoryPolicy.Reject, FeatureSource.Data, null),
        new Feature("contract", FeatureType.Category, false, null, null, ["Month-to-month", "One year", "Two year"], FillStrategy.None, UnknownCategoryPolicy.Reject, FeatureSource.Data, null),
    ]);

    private static readonly ModelSpec s_model = new(
        "churn",
        ModelTask.BinaryClassification,
        new FeatureSetReference("customer", 1),
        new LabelSpec("churn", "Yes"),
        new DataSpec("data/telco-churn.csv", Data, new SplitSpec(0.2, 42, null)),
        new TrainerSpec("lightgbm", 42, new Dictionary<string, ScalarValue>
        {
            ["numberOfLeaves"] = new("31", ScalarValueKind.Integer),
            ["learningRate"] = new("0.05", ScalarValueKind.Number),
        }),
        ["contract"],
        [new GateRule("auc", 0.8, null, null, null, GateBaseline.Champion, null)],
        "Predicts churn.");

    private static readonly string s_key = CacheKey.Compute(s_model, s_features, Data, MlNet);

    /// <summary>A churn-like model on lightgbm, for other tracking tests.</summary>
    internal static ModelSpec Model => s_model;

    /// <summary>The feature set <see cref="Model"/> references.</summary>
    internal static FeatureSet Features => s_features;

    public static TheoryData<string, Func<string>> DeterminingChanges => new()
    {
        { "data digest", () => CacheKey.Compute(s_model, s_features, "sha256:" + new string('0', 64), MlNet) },
        { "trainer version", () => CacheKey.Compute(s_model, s_features, Data, "5.0.2") },
        { "task", () => Key(s_model with { Task = ModelTask.Regression }) },
        { "feature set entity (rows are split by its hash)", () => Key(features: s_features with { Entity = "account_id" }) },
        { "label column", () => Key(s_model with { Label = new LabelSpec("left", "Yes") }) },
        { "positive label", () => Key(s_model with { Label = new LabelSpec("churn", "True") }) },
        { "holdout", () => Key(s_model with { Data = s_model.Data with { Split = new SplitSpec(0.25, 42, null) } }) },
        { "split seed", () => Key(s_model with { Data = s_model.Data with { Split = new SplitSpec(0.2, 7, null) } }) },
        { "time column", () => Key(s_model with { Data = s_model.Data with { Split = new SplitSpec(0.2, 42, "signup") } }) },
        { "folds declared", () => Key(s_model with { Data = s_model.Data with { Split = new SplitSpec(0.2, 42, null) { Folds = 5 } } }) },
        { "trainer name", () => Key(s_model with { Trainer = s_model.Trainer with { Name = "fasttree" } }) },
        { "trainer seed", () => Key(s_model with { Trainer = s_model.Trainer with { Seed = 1 } }) },
        { "param value", () => Key(WithParam("numberOfLeaves", new ScalarValue("63", ScalarValueKind.Integer))) },
        { "param added", () => Key(WithParam("minimumExampleCountPerLeaf", new ScalarValue("20", ScalarValueKind.Integer))) },
        { "param as text", () => Key(WithParam("numberOfLeaves", new ScalarValue("31", ScalarValueKind.Text))) },
        { "feature set version", () => CacheKey.Compute(s_model with { FeatureSet = new FeatureSetReference("customer", 2) }, s_features with { Version = 2 }, Data, MlNet) },
        { "feature range", () => Key(features: WithFeature(0, f => f with { Max = 100 })) },
        { "feature fill", () => Key(features: WithFeature(1, f => f with { Fill = FillStrategy.Mean })) },
        { "feature nullability", () => Key(features: WithFeature(0, f => f with { Nullable = true })) },
        { "category values", () => Key(features: WithFeature(2, f => f with { Values = ["Month-to-month", "One year"] })) },
        { "unknown category policy", () => Key(features: WithFeature(2, f => f with { OnUnknown = UnknownCategoryPolicy.Ignore })) },
        { "feature order", () => Key(features: s_features with { Features = [.. s_features.Features.Reverse()] }) },
        { "feature removed", () => Key(features: s_features with { Features = [.. s_features.Features.Take(2)] }) },
    };

    public static TheoryData<string, Func<string>> NonDeterminingChanges => new()
    {
        { "model description", () => Key(s_model with { Description = "Another text." }) },
        { "model name", () => Key(s_model with { Name = "churn-copy" }) },
        { "slices", () => Key(s_model with { Slices = [] }) },
        { "gate", () => Key(s_model with { Gate = [] }) },
        { "data path", () => Key(s_model with { Data = s_model.Data with { Path = "data/moved.csv" } }) },
        { "param order", () => Key(s_model with { Trainer = s_model.Trainer with { Params = s_model.Trainer.Params.Reverse().ToDictionary() } }) },
        { "number spelling", () => Key(WithParam("learningRate", new ScalarValue("5e-2", ScalarValueKind.Number))) },
        { "feature description", () => Key(features: WithFeature(0, f => f with { Description = "Tenure in months" })) },
        { "feature set description", () => Key(features: s_features with { Description = null }) },
    };

    [Fact]
    public void Compute_SameInputs_GivesTheSameKeyEveryTime()
    {
        var again = CacheKey.Compute(s_model with { }, s_features with { }, Data, MlNet);

        Assert.Equal(s_key, again);
        Assert.Matches("^sha256:[0-9a-f]{64}$", s_key);
    }

    [Fact]
    public void Compute_IsPinned_SoAnAccidentalChangeToTheCanonicalFormIsNoticed()
    {
        // If this fails, the key's canonical text changed: every cached run stops matching. That is right only
        // together with a raised PipelineFormatVersion; then update this value.
        Assert.True(PinnedKey == s_key, $"pinned {PinnedKey}, computed {s_key}");
    }

    [Theory]
    [MemberData(nameof(DeterminingChanges))]
    public void Compute_DeterminingInputChanged_GivesAnotherKey(string change, Func<string> key) =>
        Assert.True(key() != s_key, $"changing the {change} must change the cache key");

    [Theory]
    [MemberData(nameof(NonDeterminingChanges))]
    public void Compute_NonDeterminingInputChanged_KeepsTheKey(string change, Func<string> key) =>
        Assert.True(key() == s_key, $"changing the {change} must not change the cache key");

    [Fact]
    public void Compute_OtherNumberOfFolds_GivesAnotherKey()
    {
        static string Folds(int folds) => Key(s_model with { Data = s_model.Data with { Split = new SplitSpec(0.2, 42, null) { Folds = folds } } });

        Assert.NotEqual(Folds(5), Folds(10));
        Assert.Equal(Folds(5), Folds(5));
        Assert.Contains("split.folds: 5\n", CacheKey.Describe(s_model with { Data = s_model.Data with { Split = new SplitSpec(0.2, 42, null) { Folds = 5 } } }, s_features, Data, MlNet), StringComparison.Ordinal);
    }

    [Fact]
    public void Describe_ListsEveryInputOnItsOwnLine()
    {
        var text = CacheKey.Describe(s_model, s_features, Data, MlNet);

        Assert.Contains($"pipeline-format: {CacheKey.PipelineFormatVersion}\n", text, StringComparison.Ordinal);
        Assert.Contains("trainer.params.learningRate: 0.05\n", text, StringComparison.Ordinal);
        Assert.Contains("feature: \"contract\" type=category nullable=false min=null max=null values=[\"Month-to-month\",\"One year\",\"Two year\"] fill=none onUnknown=reject source=data\n", text, StringComparison.Ordinal);
        Assert.DoesNotContain("Predicts churn", text, StringComparison.Ordinal);
    }

    [Fact]
    public void DeclarationsDigest_IgnoresDataAndToolchainButFollowsTheDeclarations()
    {
        var digest = CacheKey.DeclarationsDigest(s_model, s_features);

        Assert.Equal(digest, CacheKey.DeclarationsDigest(s_model with { Description = "x" }, s_features));
        Assert.NotEqual(digest, CacheKey.DeclarationsDigest(WithParam("numberOfLeaves", new ScalarValue("63", ScalarValueKind.Integer)), s_features));
        Assert.NotEqual(digest, s_key);
    }

    [Fact]
    public void Compute_FeatureSetIsNotTheOneTheModelReferences_Throws()
    {
        var error = Assert.Throws<ArgumentException>(() => CacheKey.Compute(s_model, s_features with { Version = 2 }, Data, MlNet));

        Assert.Contains("references feature set customer@1, but customer@2 was given", error.Message, StringComparison.Ordinal);
    }

    private static string Key(ModelSpec? model = null, FeatureSet? features = null) => CacheKey.Compute(model ?? s_model, features ?? s_features, Data, MlNet);

    private static ModelSpec WithParam(string name, ScalarValue value) =>
        s_model with { Trainer = s_model.Trainer with { Params = new Dictionary<string, ScalarValue>(s_model.Trainer.Params) { [name] = value } } };

    private static FeatureSet WithFeature(int index, Func<Feature, Feature> change) =>
        s_features with { Features = [.. s_features.Features.Select((f, i) => i == index ? change(f) : f)] };
}
