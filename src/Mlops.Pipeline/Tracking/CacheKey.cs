using System.Globalization;
using System.Text;
using Mlops.Declarations.Digests;
using Mlops.Declarations.FeatureSets;
using Mlops.Declarations.Models;
using Mlops.Declarations.Schema;

namespace Mlops.Pipeline.Tracking;

/// <summary>
/// The cache key of a training run: the sha256 of a canonical text listing, in a fixed order, everything
/// that determines the trained model. A run with the key of an earlier succeeded run of the same model is a
/// cache hit (<see cref="RunStore.FindCachedAsync"/>).
/// </summary>
/// <remarks>
/// <para>In the key: <see cref="PipelineFormatVersion"/>; the trainer version (the ML.NET version string);
/// the data's actual digest; the model's task, label (column and positive value), split (holdout, seed,
/// time column, folds when declared), trainer (name, seed, every parameter, numbers compared by value; for auto its trials, trainers and search folds) and feature set reference;
/// the feature set's entity (training splits rows by its hash when declared), its schema digest and every feature in declared order with its type, nullability, range,
/// categories, fill, unknown-category policy and source.</para>
/// <para>Not in the key, because they do not change the trained model: the model's name (the cache is looked
/// up per model), description, slices and gate (they change evaluation and gating, which are cheap and rerun),
/// the data's path and declared digest (the actual content counts), and the
/// descriptions of features and sets.</para>
/// <para>Pure: the same records and strings give the same key on every machine and in every process.</para>
/// </remarks>
public static class CacheKey
{
    /// <summary>
    /// The version of how the pipeline turns declarations into a trained model. Raise it whenever training
    /// changes what it builds from the same declarations (a new transform, another default), so old cache entries stop matching.
    /// </summary>
    public const int PipelineFormatVersion = 3;

    /// <summary>The key, <c>sha256:&lt;hex&gt;</c>.</summary>
    /// <param name="model">The model declaration.</param>
    /// <param name="features">The feature set it references.</param>
    /// <param name="dataDigest">The actual sha256 of the training data, <c>sha256:...</c>.</param>
    /// <param name="trainerVersion">The trainer's version, for example the ML.NET version string.</param>
    /// <exception cref="ArgumentException"><paramref name="features"/> is not the set the model references.</exception>
    public static string Compute(ModelSpec model, FeatureSet features, string dataDigest, string trainerVersion) =>
        Digest(Describe(model, features, dataDigest, trainerVersion));

    /// <summary>
    /// The digest of the training-relevant declarations alone (the model file's training part and the feature set),
    /// <c>sha256:&lt;hex&gt;</c>: what a run records as its declarations digest.
    /// </summary>
    /// <param name="model">The model declaration.</param>
    /// <param name="features">The feature set it references.</param>
    /// <exception cref="ArgumentException"><paramref name="features"/> is not the set the model references.</exception>
    public static string DeclarationsDigest(ModelSpec model, FeatureSet features)
    {
        var text = new StringBuilder();
        AppendDeclarations(text, model, features);
        return Digest(text.ToString());
    }

    /// <summary>The canonical text the key hashes, one <c>name: value</c> a line; shows why two keys differ.</summary>
    /// <param name="model">The model declaration.</param>
    /// <param name="features">The feature set it references.</param>
    /// <param name="dataDigest">The actual sha256 of the training data.</param>
    /// <param name="trainerVersion">The trainer's version.</param>
    /// <exception cref="ArgumentException"><paramref name="features"/> is not the set the model references.</exception>
    public static string Describe(ModelSpec model, FeatureSet features, string dataDigest, string trainerVersion)
    {
        ArgumentNullException.ThrowIfNull(dataDigest);
        ArgumentNullException.ThrowIfNull(trainerVersion);
        var text = new StringBuilder();
        Line(text, "mlops-cache-key", "1");
        Line(text, "pipeline-format", Number(PipelineFormatVersion));
        Line(text, "trainer-version", Quote(trainerVersion));
        Line(text, "data.digest", Quote(dataDigest));
        AppendDeclarations(text, model, features);
        return text.ToString();
    }

    private static void AppendDeclarations(StringBuilder text, ModelSpec model, FeatureSet features)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(features);
        if (model.FeatureSet != features.Reference)
        {
            throw new ArgumentException($"model '{model.Name}' references feature set {model.FeatureSet}, but {features.Reference} was given.", nameof(features));
        }

        Line(text, "task", TaskName(model.Task));
        Line(text, "label.column", Quote(model.Label.Column));
        Line(text, "label.positive", Quote(model.Label.Positive));
        Line(text, "split.holdout", Number(model.Data.Split.Holdout));
        Line(text, "split.seed", Number(model.Data.Split.Seed));
        Line(text, "split.timeColumn", Quote(model.Data.Split.TimeColumn));
        if (model.Data.Split.Folds is { } folds)
        {
            Line(text, "split.folds", Number(folds)); // only when declared: keys of models without folds stay as they were
        }

        Line(text, "trainer.name", Quote(model.Trainer.Name));
        Line(text, "trainer.seed", Number(model.Trainer.Seed));
        foreach (var (name, value) in model.Trainer.Params.OrderBy(p => p.Key, StringComparer.Ordinal))
        {
            Line(text, "trainer.params." + name, Scalar(value));
        }

        // Only for auto, so the keys of every other run stay as they were.
        if (model.Trainer.IsAuto)
        {
            Line(text, "trainer.trials", Number(model.Trainer.Trials));
            Line(text, "trainer.searchFolds", Number(model.Data.Split.Folds ?? 5));
            Line(text, "trainer.trainers", "[" + string.Join(',', model.Trainer.Trainers.Select(t => Quote(t))) + "]");
        }

        Line(text, "featureSet", Quote(features.Reference.ToString()));
        Line(text, "featureSet.entity", Quote(features.Entity));
        Line(text, "featureSet.schemaDigest", Quote(features.SchemaDigest));
        foreach (var feature in features.Features)
        {
            Line(text, "feature", string.Join(' ',
                Quote(feature.Name),
                "type=" + feature.Type.ToString().ToLowerInvariant(),
                "nullable=" + (feature.Nullable ? "true" : "false"),
                "min=" + (feature.Min is { } min ? Number(min) : "null"),
                "max=" + (feature.Max is { } max ? Number(max) : "null"),
                "values=[" + string.Join(',', feature.Values.Select(v => Quote(v))) + "]",
                "fill=" + feature.Fill.ToString().ToLowerInvariant(),
                "onUnknown=" + feature.OnUnknown.ToString().ToLowerInvariant(),
                "source=" + feature.Source.ToString().ToLowerInvariant())
                // Written only when declared, so the keys of runs before sensitivity existed stay the same.
                + (feature.Sensitive == FeatureSensitivity.None ? "" : " sensitive=" + feature.Sensitive.ToString().ToLowerInvariant()));
        }
    }

    private static string TaskName(ModelTask task) => task switch
    {
        ModelTask.BinaryClassification => "binary-classification",
        ModelTask.MulticlassClassification => "multiclass-classification",
        ModelTask.Regression => "regression",
        _ => throw new ArgumentOutOfRangeException(nameof(task), task, "Unknown task."),
    };

    private static string Scalar(ScalarValue value) => value.Kind switch
    {
        ScalarValueKind.Null => "null",
        ScalarValueKind.Boolean => value.AsBoolean() == true ? "true" : "false",
        ScalarValueKind.Integer or ScalarValueKind.Number when value.AsNumber() is { } number => Number(number),
        _ => Quote(value.Text),
    };

    private static string Number(double value) => value.ToString("R", CultureInfo.InvariantCulture);

    private static string Number(int value) => value.ToString(CultureInfo.InvariantCulture);

    // Strings are quoted and escaped by hand, not by a JSON encoder whose escaping could change between runtimes.
    private static string Quote(string? value)
    {
        if (value is null)
        {
            return "null";
        }

        var quoted = new StringBuilder(value.Length + 2).Append('"');
        foreach (var c in value)
        {
            _ = c switch
            {
                '"' => quoted.Append("\\\""),
                '\\' => quoted.Append("\\\\"),
                < ' ' => quoted.Append("\\u").Append(((int)c).ToString("x4", CultureInfo.InvariantCulture)),
                _ => quoted.Append(c),
            };
        }

        return quoted.Append('"').ToString();
    }

    private static void Line(StringBuilder text, string name, string value) => text.Append(name).Append(": ").Append(value).Append('\n');

    private static string Digest(string text) => Sha256Digest.OfText(text);
}
