using Microsoft.ML;
using Microsoft.ML.Data;
using Mlops.Declarations.Diagnostics;
using Mlops.Declarations.Digests;
using Mlops.Declarations.Models;
using Mlops.Runtime.Scoring;
using Mlops.Runtime.Bundles;

namespace Mlops.Pipeline.Training;

/// <summary>
/// Trains a model from its declarations: validates and reads the data, splits it, builds the ML.NET
/// pipeline (feature transforms and trainer, see docs/training.md), fits it with a fresh
/// <c>MLContext(trainer.seed)</c>, and writes a byte-for-byte reproducible model zip.
/// </summary>
/// <param name="timeProvider">The clock for <see cref="TrainingResult.Duration"/>; the default is the system clock.</param>
public sealed class ModelTrainer(TimeProvider? timeProvider = null)
{
    /// <summary>The file name of the model in the output folder.</summary>
    public const string ModelFileName = "model.zip";

    private readonly TimeProvider _time = timeProvider ?? TimeProvider.System;

    /// <summary>Trains the model and writes <see cref="ModelFileName"/> into <paramref name="outputDirectory"/>.</summary>
    /// <param name="request">The model and feature set.</param>
    /// <param name="outputDirectory">Created if needed; the model replaces any earlier one.</param>
    /// <param name="progress">Receives a report as each stage starts.</param>
    /// <param name="cancellationToken">Stops the work between stages (ML.NET cannot stop a fit midway).</param>
    /// <exception cref="TrainingException">Declarations or data do not allow training; every finding is listed.</exception>
    public async Task<TrainingResult> TrainAsync(TrainingRequest request, string outputDirectory, IProgress<TrainingProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(outputDirectory);
        var started = _time.GetTimestamp();
        var model = request.Model;
        var spec = model.Value;
        var trainer = ResolveTrainer(request);

        TrainingData data;
        if (request.Data is { Rows: not null } read)
        {
            data = TrainingData.From(read);
        }
        else
        {
            progress?.Report(new TrainingProgress(TrainingStage.LoadingData, $"Reading {spec.Data.Path ?? spec.Data.Digest}"));
            data = await TrainingData.LoadAsync(request.RepositoryRoot, model, request.FeatureSet, cancellationToken).ConfigureAwait(false);
        }
        CheckSplit(data);

        var errors = new List<Diagnostic>();
        var options = TrainerParameters.Bind(trainer, model, errors);
        if (errors.Count > 0)
        {
            throw new TrainingException(errors);
        }

        CrossValidationResult? crossValidation = null;
        if (spec.Data.Split.Folds is { } folds)
        {
            progress?.Report(new TrainingProgress(TrainingStage.CrossValidating,
                $"Cross-validating {trainer.Info.Name} with {folds} folds of {data.Train.Length:N0} rows"));
            crossValidation = await Task.Run(() => new CrossValidator().Run(data, trainer, options, folds, spec.Data.Split.Seed, cancellationToken), cancellationToken).ConfigureAwait(false);
        }

        // The packaged model is fitted on every training row exactly as without folds, so its bytes do not depend on them.
        progress?.Report(new TrainingProgress(TrainingStage.Fitting,
            $"Fitting {trainer.Info.Name} on {data.Train.Length:N0} rows ({data.Holdout.Length:N0} held out)"));
        var (bytes, transforms) = await Task.Run(() => Fit(data, trainer, options, spec.Trainer.Seed, cancellationToken), cancellationToken).ConfigureAwait(false);

        progress?.Report(new TrainingProgress(TrainingStage.Saving, $"Writing {ModelFileName}"));
        Directory.CreateDirectory(outputDirectory);
        var path = Path.Combine(outputDirectory, ModelFileName);
        var temporary = path + ".tmp";
        try
        {
            await File.WriteAllBytesAsync(temporary, bytes, cancellationToken).ConfigureAwait(false);
            File.Move(temporary, path, overwrite: true);
        }
        catch
        {
            // Stopped (Ctrl+C, SIGTERM) or failed mid-write: no half-written model is left behind.
            File.Delete(temporary);
            throw;
        }

        return new TrainingResult(
            path,
            Sha256Digest.Of(bytes),
            trainer.Info.Name,
            trainer.Info.TrainerType.FullName ?? trainer.Info.TrainerType.Name,
            $"{trainer.Info.Package} {trainer.Info.Version}",
            TrainerParameters.Effective(options),
            transforms,
            data.Train.Length,
            data.Holdout.Length,
            spec.Trainer.Seed,
            TrainerCatalog.MlNetVersion,
            data.DataDigest,
            _time.GetElapsedTime(started))
        {
            CrossValidation = crossValidation,
        };
    }

    /// <summary>The catalog entry the model names, or the error saying why there is none.</summary>
    internal static TrainerDefinition ResolveTrainer(TrainingRequest request)
    {
        var model = request.Model;
        var spec = model.Value;
        if (request.FeatureSet.Value.Reference != spec.FeatureSet)
        {
            throw new ArgumentException($"Model '{spec.Name}' is trained on {spec.FeatureSet}, not on {request.FeatureSet.Value.Reference}.", nameof(request));
        }

        var errors = new List<Diagnostic>();
        return Resolve(spec.Trainer.Name, spec.Task, model.Map["trainer.name"], errors) ?? throw new TrainingException(errors);
    }

    /// <summary>The catalog entry named <paramref name="name"/> for <paramref name="task"/>, or null after adding the error (at <paramref name="at"/>) saying why there is none.</summary>
    internal static TrainerDefinition? Resolve(string name, ModelTask task, SourceLocation at, List<Diagnostic> errors)
    {
        if (TrainerCatalog.FindDefinition(name, task) is { } found)
        {
            return found;
        }

        var taskName = TaskName(task);
        var names = TrainerCatalog.NamesFor(task);
        if (TrainerCatalog.Exists(name))
        {
            errors.Add(TrainingDiagnostics.TrainerNotForTask.At(at,
                $"trainer '{name}' does not train {taskName} models. Use one of: {string.Join(", ", names)}."));
            return null;
        }

        var suggestion = Suggestions.Nearest(name, names);
        errors.Add(TrainingDiagnostics.UnknownTrainer.At(at,
            $"there is no trainer '{name}'."
            + (suggestion is null ? "" : $" Did you mean '{suggestion}'?")
            + $" Trainers for {taskName}: {string.Join(", ", names)}."));
        return null;
    }

    internal static string TaskName(ModelTask task) => task switch
    {
        ModelTask.BinaryClassification => "binary-classification",
        ModelTask.MulticlassClassification => "multiclass-classification",
        _ => "regression",
    };

    /// <summary>Reports an empty side of the split, a single-class label, or a feature missing in every training row.</summary>
    internal static void CheckSplit(TrainingData data)
    {
        var model = data.Model;
        var spec = model.Value;
        var foldsAlone = spec.Data.Split is { Holdout: 0, Folds: not null };
        if (data.Train.Length == 0 || (data.Holdout.Length == 0 && !foldsAlone))
        {
            var field = spec.Data.Split.TimeColumn is null ? "data.split.holdout" : "data.split.timeColumn";
            throw new TrainingException(TrainingDiagnostics.NoRowsAfterSplit.At(model.Map[field],
                $"splitting the {data.Count:N0} row{(data.Count == 1 ? "" : "s")} of '{data.DataPath}' with holdout {spec.Data.Split.Holdout} leaves "
                + $"{data.Train.Length} training and {data.Holdout.Length} holdout rows; both need at least one. Add rows, or change 'data.split.holdout'."));
        }

        var errors = new List<Diagnostic>();
        if (spec.Task != ModelTask.Regression)
        {
            var classes = data.Train.Select(r => spec.Task == ModelTask.BinaryClassification ? (data.Labels[r] == spec.Label.Positive ? spec.Label.Positive! : "not " + spec.Label.Positive) : data.Labels[r])
                .Distinct(StringComparer.Ordinal).ToList();
            if (classes.Count < 2)
            {
                var only = spec.Task == ModelTask.BinaryClassification && classes[0] != spec.Label.Positive
                    ? $"never the positive value '{spec.Label.Positive}'"
                    : $"always '{classes[0]}'";
                errors.Add(TrainingDiagnostics.SingleClassLabel.At(model.Map["label.column"],
                    $"label column '{spec.Label.Column}' is {only} in the {data.Train.Length:N0} training rows of '{data.DataPath}': a classifier needs at least two classes. "
                    + "Add rows of the other class, or check 'label.column' and 'label.positive'."));
            }
        }

        for (var i = 0; i < data.Features.Count; i++)
        {
            var column = i;
            var present = data.Train.Any(r => data.IsNumber(column) ? !float.IsNaN(data.NumberAt(column, r)) : data.TextAt(column, r) is not null);
            if (!present)
            {
                var feature = data.Features[i];
                var index = data.FeatureSet.Value.Features.ToList().FindIndex(f => f.Name == feature.Name);
                errors.Add(TrainingDiagnostics.FeatureAllMissing.At(data.FeatureSet.Map[$"features[{index}].name"],
                    $"feature '{feature.Name}' is empty in all {data.Train.Length:N0} training rows of '{data.DataPath}', so nothing can be learned from it. "
                    + "Fill the column, or remove the feature from the feature set."));
            }
        }

        if (errors.Count > 0)
        {
            throw new TrainingException(errors);
        }
    }

    /// <summary>The label column as the trainer needs it, over <paramref name="rows"/> of <paramref name="data"/>.</summary>
    internal static IDataView LabelledView(MLContext ml, TrainingData data, IEnumerable<int> rows)
    {
        var spec = data.Model.Value;
        switch (spec.Task)
        {
            case ModelTask.BinaryClassification:
                {
                    var type = data.RowType.WithLabel(typeof(bool));
                    return type.ToDataView(ml, [.. rows.Select(r => data.LabelledRow(type, r, data.Labels[r] == spec.Label.Positive))]);
                }

            case ModelTask.MulticlassClassification:
                {
                    var type = data.RowType.WithLabel(typeof(string));
                    return type.ToDataView(ml, [.. rows.Select(r => data.LabelledRow(type, r, data.Labels[r]))]);
                }

            default:
                {
                    var type = data.RowType.WithLabel(typeof(float));
                    var values = new List<object>();
                    var bad = new List<int>();
                    foreach (var r in rows)
                    {
                        if (TrainingData.IsNumber(data.Labels[r], out var value))
                        {
                            values.Add(data.LabelledRow(type, r, (float)value));
                        }
                        else
                        {
                            bad.Add(r);
                        }
                    }

                    if (bad.Count > 0)
                    {
                        var examples = string.Join(", ", bad.Take(3).Select(r => $"'{data.Labels[r]}'"));
                        throw new TrainingException(TrainingDiagnostics.LabelNotNumeric.At(data.Model.Map["label.column"],
                            $"regression needs a number in label column '{spec.Label.Column}', but {bad.Count:N0} rows of '{data.DataPath}' hold other values ({examples}). "
                            + "Correct the data, or use a classification task."));
                    }

                    return type.ToDataView(ml, values);
                }
        }
    }

    /// <summary>The label values of a multiclass model, in key order: every value in the data, ordinal order.</summary>
    internal static IReadOnlyList<string> Classes(TrainingData data) =>
        [.. data.Labels.Where(l => l.Length > 0).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal)];

    /// <summary>
    /// Fits the pipeline on <paramref name="data"/>'s <see cref="TrainingData.Train"/> rows with a fresh
    /// <c>MLContext(<paramref name="seed"/>)</c>: the one fitting path of the packaged model and of each cross-validation fold
    /// (a fold is a <see cref="TrainingData.Fold"/> view), so both learn fill values and normalisation from the rows they fit on.
    /// </summary>
    /// <returns>The normalised model zip and a line per feature transform.</returns>
    internal static (byte[] Bytes, IReadOnlyList<string> Transforms) Fit(TrainingData data, TrainerDefinition trainer, object options, int seed, CancellationToken cancellationToken)
    {
        var model = data.Model;
        var ml = new MLContext(seed);
        cancellationToken.ThrowIfCancellationRequested(); // ML.NET offers no public way to stop a fit midway
        var training = LabelledView(ml, data, data.Train);
        if (model.Value.Task == ModelTask.MulticlassClassification)
        {
            // The label becomes a key outside the saved model (serving has no label); the trainer copies
            // the class names onto its Score slots, where the scorer reads them.
            var classes = ml.Data.LoadFromEnumerable(Classes(data).Select(c => new ClassValue { Value = c }));
            training = ml.Transforms.Conversion.MapValueToKey(ModelColumns.Label, ModelColumns.Label, keyData: classes).Fit(training).Transform(training);
        }

        var (features, transforms) = FeaturePipeline.Build(ml, data, trainer.Info);
        ITransformer fitted;
        try
        {
            var estimator = trainer.Create(ml, options);
            var pipeline = features is null ? estimator : features.Append(estimator);
            fitted = pipeline.Fit(training);
        }
        catch (Exception e) when (!cancellationToken.IsCancellationRequested && e is ArgumentException or InvalidOperationException or FormatException)
        {
            throw Translate(model, trainer, e);
        }

        cancellationToken.ThrowIfCancellationRequested();
        using var stream = new MemoryStream();
        ml.Model.Save(fitted, training.Schema, stream);
        return (DeterministicZip.Normalize(stream.ToArray()), transforms);
    }

    private static TrainingException Translate(Declarations.Schema.Declared<ModelSpec> model, TrainerDefinition trainer, Exception e)
    {
        var message = e.Message.ReplaceLineEndings(" ").Trim();
        if (!message.EndsWith('.'))
        {
            message += "."; // ML.NET's texts often lack the full stop our next sentence needs
        }

        var key = TrainerParameters.DeclaredKey(model, (e as ArgumentException)?.ParamName) ?? NativeParameter(model, message);
        if (key is not null)
        {
            return new TrainingException(TrainingDiagnostics.InvalidParameter.At(model.Map[$"trainer.params.{key}"],
                $"trainer '{trainer.Info.Name}' refused parameter '{key}' = {model.Value.Trainer.Params[key].Text}: {message} Correct the value."), e);
        }

        var field = model.Value.Trainer.Params.Count > 0 ? "trainer.params" : "trainer.name";
        return new TrainingException(TrainingDiagnostics.TrainingFailed.At(model.Map[field],
            $"trainer '{trainer.Info.Name}' failed: {message} Check 'trainer.params' and the data."), e);
    }

    /// <summary>LightGBM's native checks name its own parameters (num_leaves); map the common ones back.</summary>
    private static string? NativeParameter(Declarations.Schema.Declared<ModelSpec> model, string message)
    {
        (string Native, string Option)[] names =
        [
            ("num_leaves", "numberOfLeaves"), ("learning_rate", "learningRate"), ("num_iterations", "numberOfIterations"),
            ("min_data_in_leaf", "minimumExampleCountPerLeaf"), ("max_bin", "maximumBinCountPerFeature"),
            ("feature_fraction", "featureFraction"), ("lambda_l1", "l1Regularization"), ("lambda_l2", "l2Regularization"),
        ];
        return names.Where(n => message.Contains(n.Native, StringComparison.Ordinal))
            .Select(n => TrainerParameters.DeclaredKey(model, n.Option))
            .FirstOrDefault(k => k is not null);
    }

    private sealed class ClassValue
    {
        public string Value { get; set; } = string.Empty;
    }
}
