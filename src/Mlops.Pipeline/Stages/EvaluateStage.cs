using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Mlops.Declarations.Digests;
using Mlops.Declarations.FeatureSets;
using Mlops.Declarations.Models;
using Mlops.Declarations.Schema;
using Mlops.Pipeline.Evaluation;
using Mlops.Pipeline.External;
using Mlops.Pipeline.Tracking;
using Mlops.Pipeline.Training;
using Mlops.Runtime.Bundles;

namespace Mlops.Pipeline.Stages;

/// <summary>The outcome of evaluating one model.</summary>
/// <param name="Model">The model's name.</param>
/// <param name="Run">The run evaluated.</param>
/// <param name="Report">The evaluation.</param>
/// <param name="Cached">True when the run already held this evaluation.</param>
public sealed record EvaluateOutcome(string Model, Run Run, EvaluationReport Report, bool Cached);

/// <summary>
/// <c>mlops evaluate</c>: evaluates the run that the current declarations produce (the cache key
/// matches), records its metrics per split and slice, and attaches the full report. The
/// evaluation is cached per run and per evaluation key (slices and evaluator version), since the
/// training cache key leaves slices out.
/// </summary>
public static class EvaluateStage
{
    /// <summary>The attachment holding the evaluation report.</summary>
    public const string Attachment = "evaluation";

    /// <summary>Raise when evaluation computes something different from the same run.</summary>
    public const int EvaluatorVersion = 1;

    /// <summary>Options shared with serialisation of reports; the stored evaluation and the profile use metadata generated at compile time.</summary>
    public static JsonSerializerOptions Json { get; } = new(JsonSerializerDefaults.Web)
    {
        WriteIndented = true,
        TypeInfoResolver = JsonTypeInfoResolver.Combine(StageJsonContext.Default, new DefaultJsonTypeInfoResolver()),
    };

    /// <summary>Evaluates the current run of a model.</summary>
    /// <param name="workspace">The validated repository.</param>
    /// <param name="model">The model.</param>
    /// <param name="features">Its feature set.</param>
    /// <param name="force">Evaluate again even when the run holds this evaluation.</param>
    /// <param name="progress">Receives a report as each stage starts.</param>
    /// <param name="cancellationToken">Stops the work.</param>
    /// <param name="predictionsFile">A CSV file for each holdout row's prediction; asking for one evaluates again.</param>
    /// <exception cref="StageInputException">The current declarations have not been trained.</exception>
    public static async Task<EvaluateOutcome> RunAsync(Workspace workspace, Declared<ModelSpec> model, Declared<FeatureSet> features, bool force, IProgress<TrainingProgress>? progress, CancellationToken cancellationToken, string? predictionsFile = null)
    {
        if (predictionsFile is not null && model.Value.Data.Split is { Holdout: 0, Folds: not null })
        {
            throw new StageInputException($"'{model.Value.Name}' holds out no rows ({model.Path}: data.split.holdout: 0, evaluated by its folds), so there are no holdout predictions to write. Leave out --predictions, or hold out rows.");
        }

        var run = await CurrentRunAsync(workspace, model, features, cancellationToken).ConfigureAwait(false);
        var key = EvaluationKey(run, model.Value);
        if (!force && predictionsFile is null && await ReadAsync(workspace, run, cancellationToken).ConfigureAwait(false) is { } stored && stored.Key == key)
        {
            return new EvaluateOutcome(model.Value.Name, run, stored.Report, Cached: true);
        }

        var request = new EvaluationRequest(workspace.Root, model, features, Path.Combine(workspace.Root, run.Artifact!.Path))
        {
            ModelFormat = ExternalModel.IsExternal(model.Value) ? ModelFormat.Onnx : ModelFormat.MlNet,
            Data = workspace.DataOf(model),
            PredictionsFile = predictionsFile,
        };
        var report = await new ModelEvaluator(workspace.Time).EvaluateAsync(request, progress, cancellationToken).ConfigureAwait(false);
        await workspace.Runs.AddMetricsAsync(run.Id, RunMetrics(report), cancellationToken).ConfigureAwait(false);
        await workspace.Runs.AttachAsync(run.Id, Attachment, Serialize(key, report), cancellationToken).ConfigureAwait(false);
        return new EvaluateOutcome(model.Value.Name, await workspace.Runs.GetAsync(run.Id, cancellationToken).ConfigureAwait(false) ?? run, report, Cached: false);
    }

    /// <summary>
    /// The run the current declarations and data stand for: for a model mlops trains, the latest succeeded
    /// run whose cache key matches them; for an external model (<c>trainer: external</c>), its latest
    /// registration, provided it was registered with the current declarations and data.
    /// </summary>
    /// <exception cref="StageInputException">There is none: train (or register) first.</exception>
    public static async Task<Run> CurrentRunAsync(Workspace workspace, Declared<ModelSpec> model, Declared<FeatureSet> features, CancellationToken cancellationToken)
    {
        if (ExternalModel.IsExternal(model.Value))
        {
            return await ExternalModel.CurrentRunAsync(workspace, model.Value, features.Value, cancellationToken).ConfigureAwait(false);
        }

        var key = CacheKey.Compute(model.Value, features.Value, model.Value.Data.Digest, TrainerCatalog.MlNetVersion);
        return await TrainStage.FindCachedAsync(workspace, model.Value.Name, key, cancellationToken).ConfigureAwait(false)
            ?? throw new StageInputException($"'{model.Value.Name}' has no trained run for its current declarations and data. Run 'mlops train {model.Value.Name}' first.");
    }

    /// <summary>The evaluation stored on a run, if any.</summary>
    public static async Task<StoredEvaluation?> ReadAsync(Workspace workspace, Run run, CancellationToken cancellationToken)
    {
        var json = await workspace.Runs.GetAttachmentAsync(run.Id, Attachment, cancellationToken).ConfigureAwait(false);
        try
        {
            return json is null ? null : JsonSerializer.Deserialize<StoredEvaluation>(json, Json);
        }
        catch (JsonException)
        {
            return null; // written by another evaluator version: evaluate again
        }
    }

    /// <summary>
    /// The run metrics of a report: every overall metric, then every slice metric, on the split the report was evaluated on
    /// (holdout, or cv when the folds alone evaluate the model: then latency and size, measured on the training rows, are on train).
    /// </summary>
    internal static IEnumerable<RunMetric> RunMetrics(EvaluationReport report)
    {
        var split = report.EvaluatedOn;
        string SplitOf(string metric) => split != RunMetric.Holdout && GateMetrics.ModelWide.Contains(metric) ? RunMetric.Train : split;
        return report.Metrics.Select(m => new RunMetric(m.Key, m.Value, SplitOf(m.Key)) { Interval = report.Intervals.GetValueOrDefault(m.Key) })
            .Concat(report.Slices.SelectMany(s => s.Metrics.Select(m => new RunMetric(m.Key, m.Value, split, RunMetric.SliceOf(s.Feature, s.Value))
            {
                Interval = s.Intervals.GetValueOrDefault(m.Key),
            })));
    }

    /// <summary>The attachment text of an evaluation.</summary>
    internal static string Serialize(string key, EvaluationReport report) => JsonSerializer.Serialize(new StoredEvaluation(key, report), Json);

    private static string EvaluationKey(Run run, ModelSpec model) => EvaluationKey(run.CacheKey, model);

    /// <summary>What an evaluation was computed for: the run's cache key, the slices and the evaluator version.</summary>
    internal static string EvaluationKey(string? cacheKey, ModelSpec model)
    {
        var text = $"{cacheKey}\nslices={string.Join(",", model.Slices)}\nevaluator={EvaluatorVersion}";
        return Sha256Digest.OfText(text);
    }
}

/// <summary>An evaluation as attached to its run.</summary>
/// <param name="Key">What it was computed for: the run's cache key, the slices and the evaluator version.</param>
/// <param name="Report">The evaluation.</param>
public sealed record StoredEvaluation(string Key, EvaluationReport Report);
