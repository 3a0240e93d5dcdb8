using System.Collections.Generic;
using Mlops.Declarations.Digests;
using Mlops.Declarations.FeatureSets;

namespace Mlops.Declarations.Schema;

/// <summary>
/// The three file formats. Readers check files against these, and docs/schemas/*.schema.json are
/// generated from them by <see cref="JsonSchemaWriter"/>; a test keeps the committed files equal to its output.
/// </summary>
public static class DeclarationSchemas
{
    /// <summary>The form of a sha256 content address.</summary>
    public const string DigestPattern = Sha256Digest.Pattern;

    /// <summary>The form of feature names: usable as C# identifiers and CSV headers.</summary>
    public const string FeatureNamePattern = "[A-Za-z_][A-Za-z0-9_]*";

    /// <summary>The form of feature set, model and environment names.</summary>
    public const string NamePattern = "[a-z][a-z0-9_-]*";

    private static ScalarSchema Text(string description) => new(description, ScalarKind.String);

    private static ScalarSchema Name(string description) => new(description, ScalarKind.String, Pattern: NamePattern);

    private static ScalarSchema Digest(string description) => new(description, ScalarKind.String, Pattern: DigestPattern);

    private static ScalarSchema Version(string description) => new(description, ScalarKind.Integer, Minimum: 1);

    private static ScalarSchema Enum(string description, params string[] values) => new(description, ScalarKind.String, AllowedValues: values);

    private static PropertySchema Required(string name, SchemaNode schema) => new(name, schema, Required: true);

    private static PropertySchema Optional(string name, SchemaNode schema) => new(name, schema);

    /// <summary>Names of <see cref="FeatureType"/> as written in YAML.</summary>
    public static IReadOnlyList<string> FeatureTypeNames { get; } = ["float", "int", "bool", "category", "text"];

    /// <summary>Names of <see cref="FillStrategy"/> as written in YAML.</summary>
    public static IReadOnlyList<string> FillNames { get; } = ["none", "mean", "median", "min", "max", "zero", "mostFrequent"];

    /// <summary>How a feature's value is kept where request values are stored, in <see cref="FeatureSets.FeatureSensitivity"/> order (a feature set writes drop or hash; none is the default).</summary>
    public static IReadOnlyList<string> SensitivityNames { get; } = ["none", "hash", "drop"];

    /// <summary>The tasks a model can declare.</summary>
    public static IReadOnlyList<string> TaskNames { get; } = ["binary-classification", "multiclass-classification", "regression"];

    /// <summary>The drift methods an environment can ask for.</summary>
    public static IReadOnlyList<string> DriftMethodNames { get; } = ["auto", "psi", "ks", "wasserstein", "jensenshannon", "chisquare"];

    /// <summary>features/*.yaml.</summary>
    public static ObjectSchema FeatureSet { get; } = new(
        "A versioned feature set: the features a model is trained on and served with.",
        [
            Required("featureSet", Name("The feature set's name, used in references such as customer@3.")),
            Required("version", Version("The version; publish a change as a new version instead of editing a pinned one.")),
            Optional("entity", Text("Optional key column (not a feature) for sticky canary routing and joins.")),
            Optional("description", Text("Free text for people.")),
            Required("features", new ArraySchema("The features, in order.", new ObjectSchema(
                "One feature.",
                [
                    Required("name", new ScalarSchema("The column name in data and the field name in requests; a C# identifier.", ScalarKind.String, Pattern: FeatureNamePattern)),
                    Required("type", new ScalarSchema("The declared type.", ScalarKind.String, AllowedValues: [.. FeatureTypeNames])),
                    Optional("nullable", new ScalarSchema("Whether values may be missing. The default is false.", ScalarKind.Boolean)),
                    Optional("min", new ScalarSchema("Smallest allowed value (numbers).", ScalarKind.Number)),
                    Optional("max", new ScalarSchema("Largest allowed value (numbers).", ScalarKind.Number)),
                    Optional("values", new ArraySchema("The allowed values (categories).", new ScalarSchema("One allowed value.", ScalarKind.Any))),
                    Optional("fill", new ScalarSchema("How missing values are filled (nullable features). The default is none.", ScalarKind.String, AllowedValues: [.. FillNames])),
                    Optional("onUnknown", Enum("What serving does with an undeclared category. The default is reject.", "reject", "ignore")),
                    Optional("sensitive", Enum("Personal data: the prediction log leaves the value out (drop) or keeps only its SHA-256 (hash). The default keeps it.", "drop", "hash")),
                    Optional("transform", Enum("'code' when a C# method marked [FeatureTransform] computes the value.", "code")),
                    Optional("description", Text("Free text for people.")),
                ]))),
        ]);

    /// <summary>A rule comparing a metric with a threshold or a baseline (model gates and canary analysis).</summary>
    public static ObjectSchema GateRule { get; } = new(
        "A rule: a metric compared with an absolute threshold or with a baseline model.",
        [
            Required("metric", Text("The metric, for example auc, recall, p99LatencyMs, errorRate, modelSizeBytes.")),
            Optional("threshold", new ScalarSchema("The metric must be at least this.", ScalarKind.Number)),
            Optional("max", new ScalarSchema("The metric must be at most this.", ScalarKind.Number)),
            Optional("minAbsoluteChange", new ScalarSchema("Smallest allowed change against the baseline (negative: the most it may lose).", ScalarKind.Number)),
            Optional("minRelativeChange", new ScalarSchema("Smallest allowed relative change against the baseline (0.01 is 1%).", ScalarKind.Number)),
            Optional("baseline", Enum("What the change is measured against. The default is champion.", "champion", "primary")),
            Optional("slice", Text("Apply the rule to every value of this declared slice instead of overall.")),
            Optional("maxGap", new ScalarSchema("With slice: the most the metric may differ between the slice's best and worst values (max minus min).", ScalarKind.Number, Minimum: 0)),
        ]);

    /// <summary>models/*.yaml.</summary>
    public static ObjectSchema Model { get; } = new(
        "A model: what it learns, from which data and features, how it is trained, and the gate it must pass.",
        [
            Required("model", Name("The model's name; versions are tagged MODEL@vN.")),
            Optional("description", Text("Free text for people.")),
            Required("task", new ScalarSchema("The learning task.", ScalarKind.String, AllowedValues: [.. TaskNames])),
            Required("featureSet", new ScalarSchema("The feature set and version it is trained on, as name@version.", ScalarKind.String, Pattern: FeatureSetReference.Pattern, IsFeatureSetReference: true)),
            Required("label", new ObjectSchema("The column to predict.",
            [
                Required("column", Text("The label column in the data.")),
                Optional("positive", new ScalarSchema("The value of the positive class (binary classification).", ScalarKind.Any)),
            ])),
            Required("data", new ObjectSchema("The training data.",
            [
                Optional("path", Text("The CSV file, relative to the repository root. Leave it out to keep the file in the store instead of git: it is fetched by its digest (mlops data push stores it).")),
                Required("digest", Digest("The file's sha256, as sha256:<64 hex digits>; validation refuses a file that does not match. Without a path, the name of the file in the store.")),
                Optional("split", new ObjectSchema("How the holdout set is taken.",
                [
                    Optional("holdout", new ScalarSchema("Fraction of rows held out for evaluation, 0.01 to 0.9, or 0 with folds (cross-validation alone). The default is 0.2.", ScalarKind.Number, Minimum: 0, Maximum: 0.9)),
                    Optional("seed", new ScalarSchema("Seed of the random split. The default is 42.", ScalarKind.Integer)),
                    Optional("timeColumn", Text("Train on the earlier rows by this column and evaluate on the later ones.")),
                    Optional("folds", new ScalarSchema("Cross-validate on the training rows with this many folds (stratified by label, grouped by the entity). Leave it out for no cross-validation.", ScalarKind.Integer, Minimum: 2, Maximum: 20)),
                ])),
            ])),
            Required("trainer", new ObjectSchema("The ML.NET trainer, or external for a model trained elsewhere.",
            [
                Required("name", Text("The trainer, for example lightgbm, fasttree, sdca, lbfgs; auto to search the task's trainers and their parameters by cross-validation; external for a model trained outside mlops whose versions mlops register --onnx brings in.")),
                Optional("seed", new ScalarSchema("Seed of the training context. The default is 42.", ScalarKind.Integer)),
                Optional("params", new MapSchema("Trainer options by name.", new ScalarSchema("An option value.", ScalarKind.Any))),
                Optional("trials", new ScalarSchema("With name: auto, how many trainer and parameter combinations are cross-validated. The default is 20.", ScalarKind.Integer, Minimum: 1, Maximum: 200)),
                Optional("trainers", new ArraySchema("With name: auto, the trainers searched. The default is every trainer of the task.", Text("A trainer name, for example lightgbm."))),
            ])),
            Optional("slices", new ArraySchema("Features whose values get their own metrics.", new ScalarSchema("A category or boolean feature.", ScalarKind.String, Pattern: FeatureNamePattern))),
            Optional("gate", new ArraySchema("Rules a new version must pass to be packaged and promoted.", GateRule)),
        ]);

    private static ObjectSchema VersionPin(string description) => new(description,
    [
        Required("version", Version("The registered version (git tag MODEL@vN).")),
        Required("digest", Digest("The bundle's content address in the store.")),
    ]);

    /// <summary>environments/*.yaml.</summary>
    public static ObjectSchema Environment { get; } = new(
        "An environment: which model versions run, how, and how they are watched. A reviewed diff of this file is a deployment approval.",
        [
            Required("environment", Name("The environment's name.")),
            Optional("description", Text("Free text for people.")),
            Optional("requires", new ObjectSchema("What a version needs before it can be promoted here.",
            [
                Optional("promotedFrom", Name("The environment a version must have been promoted to first.")),
                Optional("gates", new ArraySchema("Metrics whose gate rules must have passed.", Text("A metric name."))),
            ])),
            Optional("models", new ArraySchema("The models served here.", new ObjectSchema("One served model.",
            [
                Required("model", Name("The model's name (models/NAME.yaml).")),
                Required("version", Version("The registered version (git tag MODEL@vN).")),
                Required("digest", Digest("The bundle's content address in the store.")),
                Optional("featureSet", new ScalarSchema("The feature set the version was trained on; written by promote.", ScalarKind.String, Pattern: FeatureSetReference.Pattern, IsFeatureSetReference: true)),
                Optional("featureSetDigest", Digest("The feature set's schema digest at training; written by promote.")),
                Optional("enabled", new ScalarSchema("false switches the model off and serves its fallback. The default is true.", ScalarKind.Boolean)),
                Optional("canary", new ObjectSchema("A new version taking a share of the traffic.",
                [
                    Required("version", Version("The canary's registered version.")),
                    Required("digest", Digest("The canary bundle's content address.")),
                    Required("weight", new ScalarSchema("Percent of requests sent to the canary.", ScalarKind.Integer, Minimum: 0, Maximum: 100)),
                    Optional("analysis", new ArraySchema("Rules the canary must keep to be completed.", GateRule)),
                ])),
                Optional("shadow", VersionPin("A version scored on every request and logged, never returned.")),
                Optional("fallback", new ObjectSchema("What answers when the model fails or is switched off.",
                [
                    Optional("constant", new MapSchema("A fixed answer by output name.", new ScalarSchema("An output value.", ScalarKind.Any))),
                    Optional("model", Name("Another registered model.")),
                    Optional("version", Version("That model's version.")),
                    Optional("digest", Digest("That version's bundle digest (mlops registry list shows it). Without it, the model must be pinned in this file.")),
                ])),
            ]))),
            Optional("monitoring", new ObjectSchema("How the served models are watched.",
            [
                Optional("window", new ScalarSchema("The window statistics are computed over, such as 30m, 1h or 1d. The default is 1h.", ScalarKind.String, Pattern: "[1-9][0-9]*(s|m|h|d)")),
                Optional("drift", new ObjectSchema("Feature drift against the training reference.",
                [
                    Optional("method", new ScalarSchema("The statistic. The default is auto (by feature type and sample size).", ScalarKind.String, AllowedValues: [.. DriftMethodNames])),
                    Optional("threshold", new ScalarSchema("A feature drifts when its statistic passes this. The default is 0.1.", ScalarKind.Number, Minimum: 0)),
                    Optional("driftShare", new ScalarSchema("The data set drifts when this share of features drift. The default is 0.5.", ScalarKind.Number, Minimum: 0, Maximum: 1)),
                ])),
                Optional("alerts", new ArraySchema("Alert rules, evaluated for every model served here (docs/file-formats.md, \"Alert rules\").", new ObjectSchema("One alert rule.",
                [
                    Required("when", new ScalarSchema("'drift', or a comparison: 'nullRate > 0.2', 'p99LatencyMs > 20', 'errorRate > 0.01', 'fallbackRate > 0.05', 'auc < 0.7', 'auc < training - 0.05' (live metrics: accuracy, auc, f1, logLoss, rmse, mae).", ScalarKind.String,
                        Pattern: Environments.AlertRuleReader.ConditionPattern) { ReaderChecksPattern = true }),
                    Optional("for", new ScalarSchema("How long the condition must hold before the alert fires, such as 5m. The default is 0s (at the first breach).", ScalarKind.String,
                        Pattern: Environments.AlertRuleReader.DurationPattern) { ReaderChecksPattern = true }),
                    Optional("notify", new ScalarSchema("The webhook told when the alert fires and resolves: an http:// or https:// URL; webhook://HOST/PATH means https://HOST/PATH.", ScalarKind.String,
                        Pattern: Environments.AlertRuleReader.NotifyPattern) { ReaderChecksPattern = true }),
                    Optional("runbook", Text("What to do when it fires: a file in the repository (mlops validate checks it exists), or an http(s) URL.")),
                ]))),
            ])),
        ]);
}
