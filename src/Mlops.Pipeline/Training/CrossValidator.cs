using Mlops.Pipeline.Evaluation;
using Mlops.Runtime.Scoring;

namespace Mlops.Pipeline.Training;

/// <summary>
/// K-fold cross-validation on a model's training rows (never its holdout): the rows are assigned to folds by
/// <see cref="TrainingData.AssignFolds"/> (stratified, grouped by split key, seeded), each fold's model is fitted on
/// the other folds by <see cref="ModelTrainer.Fit"/> (the packaged model's code path) with
/// <c>MLContext(trainer.seed + fold)</c>, folds numbered from 1, then the fold is scored by the runtime's
/// <see cref="ModelScorer"/> over the fitted zip and measured by evaluation's metric code. Folds are fitted one after
/// the other: they share the bound options object, which a trainer may touch, and the trainers that cost most
/// (LightGBM, FastTree) already use every core.
/// </summary>
internal sealed class CrossValidator
{
    /// <summary>Cross-validates <paramref name="trainer"/> with <paramref name="options"/> on <paramref name="data"/>'s training rows.</summary>
    /// <param name="data">The model's data, split; the folds are made of its <see cref="TrainingData.Train"/> rows.</param>
    /// <param name="trainer">The trainer to fit.</param>
    /// <param name="options">Its bound options (<see cref="TrainerParameters.Bind"/>).</param>
    /// <param name="folds">Folds, 2 to 20.</param>
    /// <param name="seed">The seed of the fold assignment (the model's split seed).</param>
    /// <param name="ct">Stops the work between folds.</param>
    /// <exception cref="TrainingException">A fold has no rows, or a fold's fit fails.</exception>
    public CrossValidationResult Run(TrainingData data, TrainerDefinition trainer, object options, int folds, int seed, CancellationToken ct) =>
        RunOutOfFold(data, trainer, options, folds, seed, ct).Result;

    /// <summary>
    /// <see cref="Run"/>, keeping every fold's predictions: <see cref="OutOfFold.Data"/> is <paramref name="data"/> with the
    /// training rows, fold after fold, as its evaluation rows, and <see cref="OutOfFold.Predictions"/> each row's prediction
    /// by the model of the folds that did not hold it (what evaluation reads when the folds alone evaluate the model).
    /// </summary>
    internal OutOfFold RunOutOfFold(TrainingData data, TrainerDefinition trainer, object options, int folds, int seed, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(data);
        ArgumentNullException.ThrowIfNull(trainer);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentOutOfRangeException.ThrowIfLessThan(folds, 2);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(folds, StudentT.MaximumDegreesOfFreedom + 1);
        var assignment = data.AssignFolds(folds, seed);
        var views = Enumerable.Range(0, folds).Select(k => data.Fold(assignment, k)).ToArray();
        if (views.FirstOrDefault(v => v.Holdout.Length == 0 || v.Train.Length == 0) is { } empty)
        {
            throw new TrainingException(TrainingDiagnostics.NoRowsAfterSplit.At(data.Model.Map["data.split.folds"],
                $"{folds} folds of the {data.Train.Length:N0} training rows of '{data.DataPath}' leave a fold with {empty.Holdout.Length} rows "
                + $"(rows of one {(data.FeatureSet.Value.Entity is { } entity ? $"'{entity}'" : "identical record")} stay in one fold). Use fewer folds, or add rows."));
        }

        var results = new IReadOnlyDictionary<string, double>[folds];
        var predictions = new HoldoutPredictions[folds];
        var trainerSeed = data.Model.Value.Trainer.Seed;
        for (var k = 0; k < folds; k++)
        {
            ct.ThrowIfCancellationRequested();
            var fold = views[k];
            var (bytes, _) = ModelTrainer.Fit(fold, trainer, options, unchecked(trainerSeed + k + 1), ct);
            using var stream = new MemoryStream(bytes, writable: false);
            var scorer = ModelScorer.Load(stream);
            var scored = predictions[k] = HoldoutPredictions.From(scorer.Score(fold.Rows.Select(fold.Holdout)), scorer.Classes);
            var metrics = ModelEvaluator.Metrics(fold, scored, [.. Enumerable.Range(0, fold.Holdout.Length)]).Metrics;
            results[k] = new SortedDictionary<string, double>(metrics, StringComparer.Ordinal);
        }

        return new OutOfFold(
            new CrossValidationResult(results, [.. views.Select(v => v.Holdout.Length)]),
            data.WithSplit(data.Train, [.. views.SelectMany(v => v.Holdout)]),
            HoldoutPredictions.Concat(predictions));
    }

    /// <summary>A cross-validation with its out-of-fold predictions.</summary>
    /// <param name="Result">The fold metrics.</param>
    /// <param name="Data">The data with the training rows, in fold order, as its evaluation (<see cref="TrainingData.Holdout"/>) rows.</param>
    /// <param name="Predictions">Each of those rows' prediction by the model that did not train on it.</param>
    internal sealed record OutOfFold(CrossValidationResult Result, TrainingData Data, HoldoutPredictions Predictions);
}
