using Mlops.Declarations.Digests;
using Mlops.Declarations.FeatureSets;
using Mlops.Declarations.Models;
using Mlops.Declarations.Schema;
using Mlops.Pipeline.External;
using Mlops.Pipeline.Tracking;
using Mlops.Pipeline.Training;

namespace Mlops.Pipeline.Stages;

/// <summary>The outcome of training one model.</summary>
/// <param name="Model">The model's name.</param>
/// <param name="Run">The run that holds the model: a new one, or the cached one.</param>
/// <param name="CacheHit">True when nothing that determines the model changed and the cached run was reused.</param>
public sealed record TrainOutcome(string Model, Run Run, bool CacheHit);

/// <summary>
/// <c>mlops train</c>: for each model, reuses the run whose inputs hash to the same cache key, or
/// trains, recording the run; a failed training is recorded as failed with its error, never half-written.
/// </summary>
public static class TrainStage
{
    /// <summary>The folder under the repository root where runs keep their models.</summary>
    public const string RunsFolder = ".mlops/runs";

    /// <summary>Trains one model (or reuses its cached run).</summary>
    /// <exception cref="CheckFailedException">The model cannot be trained as declared (unknown trainer, one label class, ...); the run is marked failed.</exception>
    /// <exception cref="StageInputException">The model is trained outside mlops (<c>trainer: external</c>).</exception>
    public static async Task<TrainOutcome> RunAsync(Workspace workspace, Declared<ModelSpec> model, Declared<FeatureSet> features, bool force, IProgress<TrainingProgress>? progress, CancellationToken cancellationToken)
    {
        var spec = model.Value;
        if (ExternalModel.IsExternal(spec))
        {
            throw new StageInputException($"'{spec.Name}' is trained outside mlops ({model.Path}: trainer: {ExternalModel.TrainerName}), so there is nothing to train. Register its ONNX file with '{ExternalModel.RegisterCommand(spec)}'.");
        }

        var start = RunStart.FromDeclarations(spec, features.Value, spec.Data.Digest, TrainerCatalog.MlNetVersion, GitState.Read(workspace.Root));
        if (!force && start.CacheKey is { } key && await FindCachedAsync(workspace, spec.Name, key, cancellationToken).ConfigureAwait(false) is { } cached)
        {
            return new TrainOutcome(spec.Name, cached, CacheHit: true);
        }

        var runId = await workspace.Runs.StartRunAsync(start, cancellationToken).ConfigureAwait(false);
        try
        {
            var output = Path.Combine(workspace.Root, RunsFolder, runId);
            var request = new TrainingRequest(workspace.Root, model, features) { Data = workspace.DataOf(model) };
            var search = new RunCompletion();
            if (spec.Trainer.IsAuto)
            {
                // The trials are child runs of this one; the chosen trainer and params then train the model as declared ones would.
                (request, search) = await AutoTraining.SearchAsync(workspace, runId, model, features, progress, cancellationToken).ConfigureAwait(false);
            }

            var result = await new ModelTrainer(workspace.Time).TrainAsync(request, output, progress, cancellationToken).ConfigureAwait(false);
            var parameters = result.Parameters.ToDictionary(p => $"trainer.{p.Key}", p => p.Value);
            parameters["trainer"] = result.Trainer;
            foreach (var (name, value) in search.Params)
            {
                parameters[name] = value;
            }

            await workspace.Runs.CompleteRunAsync(runId, new RunCompletion
            {
                Artifact = new RunArtifact(workspace.Relative(result.ModelPath), result.ModelDigest),
                Params = parameters,
                Metrics =
                [
                    new RunMetric("trainRows", result.TrainRows, RunMetric.Train),
                    new RunMetric("holdoutRows", result.HoldoutRows),
                    new RunMetric("trainSeconds", result.Duration.TotalSeconds, RunMetric.Train),
                    // auto without declared folds: the chosen trial's cross-validation; with folds, training ran the same one again.
                    .. result.CrossValidation is null ? search.Metrics : CrossValidationMetrics(result.CrossValidation),
                ],
            }, cancellationToken).ConfigureAwait(false);
        }
        catch (TrainingException e)
        {
            await workspace.Runs.FailRunAsync(runId, RunError.From(e.Diagnostic), CancellationToken.None).ConfigureAwait(false);
            throw new CheckFailedException($"training '{spec.Name}' failed; run {runId} is recorded as failed", e.Diagnostics);
        }
        catch (Exception e)
        {
            // Stopped or broken midway: the run is recorded as failed (never left "running") and keeps
            // no model, so nothing half-made can be taken for a cache hit or packaged.
            DeleteOutput(Path.Combine(workspace.Root, RunsFolder, runId));
            var error = e is OperationCanceledException
                ? new RunError("training was stopped before it finished (Ctrl+C or SIGTERM); train again to complete it.")
                : RunError.From(e);
            await workspace.Runs.FailRunAsync(runId, error, CancellationToken.None).ConfigureAwait(false);
            throw;
        }

        return new TrainOutcome(spec.Name, await workspace.Runs.GetAsync(runId, cancellationToken).ConfigureAwait(false)
            ?? throw new InvalidOperationException($"Run {runId} vanished from the run store."), CacheHit: false);
    }

    /// <summary>
    /// A cross-validation as run metrics: each metric's mean on split <c>cv</c> with its interval, its standard deviation
    /// on <c>cv-sd</c>, and each fold's value on <c>cv-fold-1</c> to <c>cv-fold-K</c> (docs/tracking.md); none without folds.
    /// </summary>
    internal static IEnumerable<RunMetric> CrossValidationMetrics(CrossValidationResult? cv)
    {
        if (cv is null)
        {
            yield break;
        }

        foreach (var (name, mean) in cv.Mean)
        {
            yield return new RunMetric(name, mean, RunMetric.CrossValidation) { Interval = cv.Interval(name) };
            if (cv.StandardDeviation.TryGetValue(name, out var sd))
            {
                yield return new RunMetric(name, sd, RunMetric.CrossValidationSd);
            }
        }

        for (var k = 0; k < cv.Folds.Count; k++)
        {
            yield return new RunMetric("rows", cv.FoldRows[k], RunMetric.CrossValidationFold(k + 1));
            foreach (var (name, value) in cv.Folds[k])
            {
                yield return new RunMetric(name, value, RunMetric.CrossValidationFold(k + 1));
            }
        }
    }

    /// <summary>Removes a failed run's output folder: a run that did not complete keeps no files.</summary>
    internal static void DeleteOutput(string folder)
    {
        try
        {
            if (Directory.Exists(folder))
            {
                Directory.Delete(folder, recursive: true);
            }
        }
        catch (IOException)
        {
            // The run is still recorded as failed; a leftover folder of a failed run is never read.
        }
    }

    /// <summary>The latest succeeded run with this cache key whose model file is still present and intact.</summary>
    public static async Task<Run?> FindCachedAsync(Workspace workspace, string model, string cacheKey, CancellationToken cancellationToken)
    {
        var cached = await workspace.Runs.FindCachedAsync(model, cacheKey, cancellationToken).ConfigureAwait(false);
        if (cached?.Artifact is not { Digest: { } digest } artifact)
        {
            return null;
        }

        var path = Path.Combine(workspace.Root, artifact.Path);
        return File.Exists(path) && await Sha256Digest.OfFileAsync(path, cancellationToken).ConfigureAwait(false) == digest ? cached : null;
    }
}
