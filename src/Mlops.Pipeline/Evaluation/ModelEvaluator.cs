using Mlops.Declarations.FeatureSets;
using Mlops.Declarations.Models;
using Mlops.Pipeline.Training;
using Mlops.Runtime.Bundles;
using Mlops.Runtime.Evaluation;
using Mlops.Runtime.Features;
using Mlops.Runtime.Monitoring;
using Mlops.Runtime.Scoring;

namespace Mlops.Pipeline.Evaluation;

/// <summary>
/// Evaluates a trained model on the holdout rows of its data (the same split code as training, so the
/// same rows): task metrics overall and per slice, single-row latency, the model file's size, and the
/// reference profile. The holdout rows are scored by the runtime's <see cref="IScorer"/> (ML.NET or
/// ONNX, <see cref="EvaluationRequest.ModelFormat"/>), the code that serves them, so evaluation's
/// predictions are serving's; latency is timed on the path a request takes after its body is read:
/// its values checked by the model's <see cref="InputSchema"/>, then scored.
/// </summary>
/// <param name="timeProvider">The clock latency is measured with; the default is the system clock.</param>
public sealed class ModelEvaluator(TimeProvider? timeProvider = null)
{
    private readonly TimeProvider _time = timeProvider ?? TimeProvider.System;

    /// <summary>Predictions made before timing starts.</summary>
    /// <value>The default value is 100.</value>
    public int WarmupPredictions { get; init; } = 100;

    /// <summary>Single-row predictions timed; cycles through the holdout rows.</summary>
    /// <value>The default value is 1,000.</value>
    public int LatencyPredictions { get; init; } = 1000;

    /// <summary>Bootstrap resamples of the holdout rows behind each metric's 95% interval (<see cref="MetricInterval"/>); 0 computes none.</summary>
    /// <value>The default value is 1,000.</value>
    public int BootstrapResamples { get; init; } = HoldoutBootstrap.DefaultResamples;

    /// <summary>Evaluates the model.</summary>
    /// <param name="request">The model zip and its declarations.</param>
    /// <param name="progress">Receives a report as each stage starts.</param>
    /// <param name="cancellationToken">Stops the work.</param>
    /// <exception cref="TrainingException">The data fails validation or cannot be split.</exception>
    /// <exception cref="FileNotFoundException">The model zip does not exist.</exception>
    public async Task<EvaluationReport> EvaluateAsync(EvaluationRequest request, IProgress<TrainingProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (!File.Exists(request.ModelPath))
        {
            throw new FileNotFoundException($"Model file '{request.ModelPath}' does not exist. Train the model first.", request.ModelPath);
        }

        var spec = request.Model.Value;
        TrainingData data;
        if (request.Data is { Rows: not null } read)
        {
            data = TrainingData.From(read);
        }
        else
        {
            progress?.Report(new TrainingProgress(TrainingStage.LoadingData, $"Reading {spec.Data.Path ?? spec.Data.Digest}"));
            data = await TrainingData.LoadAsync(request.RepositoryRoot, request.Model, request.FeatureSet, cancellationToken).ConfigureAwait(false);
        }

        ModelTrainer.CheckSplit(data);

        var scorer = LoadScorer(request, data);
        try
        {
            if (data.Holdout.Length == 0 && spec.Data.Split.Folds is { } folds)
            {
                return await EvaluateByFoldsAsync(request, data, folds, scorer, progress, cancellationToken).ConfigureAwait(false);
            }

            progress?.Report(new TrainingProgress(TrainingStage.Evaluating, $"Scoring {data.Holdout.Length:N0} holdout rows"));
            var holdout = data.Rows.Select(data.Holdout);
            var predictions = await Task.Run(() => scorer.Score(holdout), cancellationToken).ConfigureAwait(false);
            if (request.PredictionsFile is { } file)
            {
                await HoldoutPredictionsFile.WriteAsync(file, data, holdout, predictions, cancellationToken).ConfigureAwait(false);
            }

            return await EvaluateAsync(request, data, HoldoutPredictions.From(predictions, scorer.Classes), scorer, null, progress, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            (scorer as IDisposable)?.Dispose(); // an ONNX Runtime session holds native memory
        }
    }

    /// <summary>
    /// With <c>holdout: 0</c> the folds alone evaluate the model: the overall metrics and intervals are the cross-validation's
    /// means and across-fold intervals (the figures training recorded on split <c>cv</c>: the same folds, seeds and code),
    /// and the slices, confusion matrix, class metrics and profile are computed on the pooled out-of-fold predictions of the
    /// training rows. Latency and size are measured on the packaged model over the training rows.
    /// </summary>
    private async Task<EvaluationReport> EvaluateByFoldsAsync(EvaluationRequest request, TrainingData data, int folds, IScorer scorer, IProgress<TrainingProgress>? progress, CancellationToken cancellationToken)
    {
        var spec = request.Model.Value;
        if (request.PredictionsFile is not null)
        {
            throw new InvalidOperationException($"'{spec.Name}' holds out no rows (data.split.holdout: 0), so there are no holdout predictions to write. Leave out the predictions file, or hold out rows.");
        }

        if (request.ModelFormat == ModelFormat.Onnx)
        {
            throw new TrainingException(TrainingDiagnostics.NoRowsAfterSplit.At(request.Model.Map["data.split.holdout"],
                $"'{spec.Name}' holds out no rows and is evaluated by its folds, but its model is trained outside mlops, so no fold can be refitted. "
                + "Hold out rows (data.split.holdout: 0.2) to evaluate it."));
        }

        var trainer = ModelTrainer.ResolveTrainer(new TrainingRequest(request.RepositoryRoot, request.Model, request.FeatureSet));
        var errors = new List<Declarations.Diagnostics.Diagnostic>();
        var options = TrainerParameters.Bind(trainer, request.Model, errors);
        if (errors.Count > 0)
        {
            throw new TrainingException(errors);
        }

        progress?.Report(new TrainingProgress(TrainingStage.CrossValidating, $"Cross-validating {folds} folds of {data.Train.Length:N0} rows (no holdout)"));
        var outOfFold = await Task.Run(() => new CrossValidator().RunOutOfFold(data, trainer, options, folds, spec.Data.Split.Seed, cancellationToken), cancellationToken).ConfigureAwait(false);
        return await EvaluateAsync(request, outOfFold.Data, outOfFold.Predictions, scorer, outOfFold.Result, progress, cancellationToken).ConfigureAwait(false);
    }

    private async Task<EvaluationReport> EvaluateAsync(EvaluationRequest request, TrainingData data, HoldoutPredictions scored, IScorer scorer, CrossValidationResult? crossValidation, IProgress<TrainingProgress>? progress, CancellationToken cancellationToken)
    {
        var spec = request.Model.Value;
        var rows = Enumerable.Range(0, data.Holdout.Length).ToArray();
        var (metrics, confusion, classes) = Metrics(data, scored, rows);
        progress?.Report(new TrainingProgress(TrainingStage.Evaluating, $"Bootstrapping {BootstrapResamples:N0} resamples for 95% intervals"));
        var bootstrap = new HoldoutBootstrap(BootstrapResamples, spec.Data.Split.Seed);
        IReadOnlyDictionary<string, MetricInterval> intervals;
        if (crossValidation is null)
        {
            intervals = await Task.Run(() => bootstrap.Intervals(rows, draw => Metrics(data, scored, draw).Metrics, cancellationToken), cancellationToken).ConfigureAwait(false);
        }
        else
        {
            metrics = new Dictionary<string, double>(crossValidation.Mean, StringComparer.Ordinal);
            intervals = crossValidation.Intervals;
        }

        var slices = await Task.Run(() => Slices(data, scored, bootstrap, cancellationToken), cancellationToken).ConfigureAwait(false);

        cancellationToken.ThrowIfCancellationRequested();
        progress?.Report(new TrainingProgress(TrainingStage.MeasuringLatency, $"Timing {LatencyPredictions:N0} single-row predictions"));
        var latency = await Task.Run(() => MeasureLatency(scorer, data, cancellationToken), cancellationToken).ConfigureAwait(false);
        var size = new FileInfo(request.ModelPath).Length;
        metrics[MetricNames.P50LatencyMs] = latency.P50Ms;
        metrics[MetricNames.P99LatencyMs] = latency.P99Ms;
        metrics[MetricNames.ModelSizeBytes] = size;

        progress?.Report(new TrainingProgress(TrainingStage.Profiling, "Profiling features and predictions"));
        var profile = Profile(data, scored);
        return new EvaluationReport(
            spec.Name,
            ModelTrainer.TaskName(spec.Task),
            data.Holdout.Length,
            new SortedDictionary<string, double>(metrics, StringComparer.Ordinal),
            confusion,
            classes,
            slices,
            latency,
            size,
            profile)
        {
            Intervals = intervals,
            EvaluatedOn = crossValidation is null ? EvaluationReport.HoldoutRowsSplit : EvaluationReport.CrossValidationSplit,
        };
    }

    /// <summary>
    /// The task's metrics on <paramref name="rows"/> (positions in <paramref name="data"/>'s <see cref="TrainingData.Holdout"/>, which
    /// may repeat) from their predictions: the one metric code of evaluation, the bootstrap and cross-validation's folds.
    /// </summary>
    internal static (Dictionary<string, double> Metrics, ConfusionMatrix? Confusion, IReadOnlyList<ClassMetrics>? Classes) Metrics(
        TrainingData data, HoldoutPredictions scored, IReadOnlyList<int> rows)
    {
        var spec = data.Model.Value;
        switch (spec.Task)
        {
            case ModelTask.BinaryClassification:
                {
                    var labels = rows.Select(i => data.Labels[data.Holdout[i]] == spec.Label.Positive).ToArray();
                    var (metrics, confusion) = TaskMetrics.Binary(
                        labels,
                        [.. rows.Select(i => scored.Scores[i])],
                        scored.Probabilities is { } p ? [.. rows.Select(i => p[i])] : null,
                        [.. rows.Select(i => scored.IsPositive![i])]);
                    return (metrics, confusion, null);
                }

            case ModelTask.MulticlassClassification:
                {
                    var index = scored.Classes.Select((c, i) => (c, i)).ToDictionary(p => p.c, p => p.i, StringComparer.Ordinal);
                    var labels = rows.Select(i => index.TryGetValue(data.Labels[data.Holdout[i]], out var k) ? k : -1).ToArray();
                    var keep = rows.Where((_, j) => labels[j] >= 0).ToArray();
                    var (metrics, classes) = TaskMetrics.Multiclass(
                        scored.Classes,
                        [.. labels.Where(l => l >= 0)],
                        [.. keep.Select(i => scored.ClassScores![i])],
                        [.. keep.Select(i => scored.PredictedClass![i])]);
                    return (metrics, null, classes);
                }

            default:
                {
                    var labels = rows.Select(i => TrainingData.IsNumber(data.Labels[data.Holdout[i]], out var v) ? (float)v : float.NaN).ToArray();
                    var keep = rows.Where((_, j) => !float.IsNaN(labels[j])).ToArray();
                    return (TaskMetrics.Regression([.. labels.Where(l => !float.IsNaN(l))], [.. keep.Select(i => scored.Scores[i])]), null, null);
                }
        }
    }

    private static List<SliceMetrics> Slices(TrainingData data, HoldoutPredictions scored, HoldoutBootstrap bootstrap, CancellationToken cancellationToken)
    {
        var slices = new List<SliceMetrics>();
        foreach (var name in data.Model.Value.Slices)
        {
            var column = data.Features.ToList().FindIndex(f => f.Name == name);
            if (column < 0)
            {
                continue; // validation reports slices that are not features
            }

            var feature = data.Features[column];
            var values = Enumerable.Range(0, data.Holdout.Length)
                .Select(i => SliceValue(data, column, data.Holdout[i]))
                .ToArray();
            var order = feature.Type == FeatureType.Category
                ? feature.Values
                : feature.Type == FeatureType.Bool ? ["false", "true"] : values.OfType<string>().Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToList();
            foreach (var value in order)
            {
                var rows = Enumerable.Range(0, values.Length).Where(i => values[i] == value).ToArray();
                if (rows.Length == 0)
                {
                    continue;
                }

                var (metrics, _, _) = Metrics(data, scored, rows);
                slices.Add(new SliceMetrics(name, value, rows.Length, new SortedDictionary<string, double>(metrics, StringComparer.Ordinal))
                {
                    Intervals = bootstrap.Intervals(rows, draw => Metrics(data, scored, draw).Metrics, cancellationToken),
                });
            }
        }

        return slices;
    }

    private static string? SliceValue(TrainingData data, int column, int row)
    {
        if (data.IsNumber(column))
        {
            var value = data.NumberAt(column, row);
            return float.IsNaN(value) ? null
                : data.Features[column].Type == FeatureType.Bool ? (value == 1f ? "true" : "false")
                : value.ToString(System.Globalization.CultureInfo.InvariantCulture);
        }

        return data.TextAt(column, row);
    }

    /// <summary>The scorer serving would load for this model file.</summary>
    private static IScorer LoadScorer(EvaluationRequest request, TrainingData data) => request.ModelFormat switch
    {
        ModelFormat.Onnx => OnnxScorer.Load(File.ReadAllBytes(request.ModelPath), [.. data.Features.Select(f => f.Name)], data.Model.Value.Task),
        _ => ModelScorer.Load(request.ModelPath),
    };

    /// <summary>
    /// Times single rows from value to prediction the way serving takes them once a request's body is
    /// read: each row's values (as a JSON client sends them) checked by the schema, then scored.
    /// </summary>
    private LatencySummary MeasureLatency(IScorer scorer, TrainingData data, CancellationToken cancellationToken)
    {
        var schema = data.Schema;
        var requests = data.Holdout.Take(Math.Max(1, Math.Min(data.Holdout.Length, LatencyPredictions))).Select(r => Request(data, r)).ToArray();
        var problems = new List<string>();
        long Once(List<KeyValuePair<string, Array>> request)
        {
            var start = _time.GetTimestamp();
            var batch = schema.CheckColumns(request, problems, out _);
            if (problems.Count > 0)
            {
                throw new InvalidOperationException($"A holdout row was refused by its own schema: {problems[0]}");
            }

            scorer.Score(batch);
            return start;
        }

        for (var i = 0; i < WarmupPredictions; i++)
        {
            Once(requests[i % requests.Length]);
        }

        var samples = new double[LatencyPredictions];
        for (var i = 0; i < samples.Length; i++)
        {
            if (i % 100 == 0)
            {
                cancellationToken.ThrowIfCancellationRequested();
            }

            var start = Once(requests[i % requests.Length]);
            samples[i] = _time.GetElapsedTime(start).TotalMilliseconds;
        }

        if (samples.Length == 0)
        {
            return new LatencySummary(0, 0, 0, 0);
        }

        Array.Sort(samples);
        return new LatencySummary(samples.Length, NearestRank(samples, 0.50), NearestRank(samples, 0.99), samples.Average());
    }

    private static double NearestRank(double[] sorted, double q) => sorted[Math.Clamp((int)Math.Ceiling(q * sorted.Length) - 1, 0, sorted.Length - 1)];

    /// <summary>A row as a client sends it: one value per feature, typed as JSON types it (numbers, bools, strings), missing values left out.</summary>
    private static List<KeyValuePair<string, Array>> Request(TrainingData data, int row)
    {
        var request = new List<KeyValuePair<string, Array>>(data.Features.Count);
        for (var c = 0; c < data.Features.Count; c++)
        {
            var feature = data.Features[c];
            Array? value = null;
            if (data.IsNumber(c))
            {
                var number = data.NumberAt(c, row);
                value = float.IsNaN(number) ? null : feature.Type == FeatureType.Bool ? new[] { number == 1f } : new[] { (double)number };
            }
            else if (data.TextAt(c, row) is { } text)
            {
                value = new[] { text };
            }

            if (value is not null)
            {
                request.Add(KeyValuePair.Create(feature.Name, value));
            }
        }

        return request;
    }

    private static ReferenceProfile Profile(TrainingData data, HoldoutPredictions scored)
    {
        var features = new List<FeatureProfile>();
        for (var i = 0; i < data.Features.Count; i++)
        {
            var feature = data.Features[i];
            var column = i;
            if (data.IsNumber(i))
            {
                var values = data.Holdout.Select(r => data.NumberAt(column, r));
                features.Add(feature.Type == FeatureType.Bool
                    ? ProfileBuilder.Categorical(feature.Name, values.Select(v => float.IsNaN(v) ? null : v == 1f ? "true" : "false"), ["false", "true"])
                    : ProfileBuilder.Numeric(feature.Name, values.Select(v => (double)v)));
            }
            else
            {
                features.Add(ProfileBuilder.Categorical(feature.Name, data.Holdout.Select(r => data.TextAt(column, r)), feature.Type == FeatureType.Category ? feature.Values : null));
            }
        }

        var predictions = new List<FeatureProfile>();
        switch (data.Model.Value.Task)
        {
            case ModelTask.BinaryClassification:
                predictions.Add(scored.Probabilities is { } p
                    ? ProfileBuilder.Numeric("probability", p.Select(v => (double)v))
                    : ProfileBuilder.Numeric("score", scored.Scores.Select(v => (double)v)));
                predictions.Add(ProfileBuilder.Categorical("predictedLabel", scored.IsPositive!.Select(b => b ? "true" : "false"), ["false", "true"]));
                break;
            case ModelTask.MulticlassClassification:
                predictions.Add(ProfileBuilder.Categorical("predictedLabel",
                    scored.PredictedClass!.Select(k => k >= 0 ? scored.Classes[k] : null), scored.Classes));
                break;
            default:
                predictions.Add(ProfileBuilder.Numeric("score", scored.Scores.Select(v => (double)v)));
                break;
        }

        return new ReferenceProfile(data.Holdout.Length, features, predictions);
    }
}

/// <summary>The model's outputs for the holdout rows, in holdout order, as the metrics read them.</summary>
internal sealed class HoldoutPredictions
{
    public float[] Scores { get; private init; } = [];

    public float[]? Probabilities { get; private init; }

    public bool[]? IsPositive { get; private init; }

    public int[]? PredictedClass { get; private init; }

    public float[][]? ClassScores { get; private init; }

    public IReadOnlyList<string> Classes { get; private init; } = [];

    /// <summary>Several lists of predictions of one kind (cross-validation's folds), one after the other.</summary>
    /// <exception cref="InvalidOperationException">The lists name different classes.</exception>
    public static HoldoutPredictions Concat(IReadOnlyList<HoldoutPredictions> parts)
    {
        ArgumentNullException.ThrowIfNull(parts);
        var first = parts[0];
        if (parts.Any(p => !p.Classes.SequenceEqual(first.Classes, StringComparer.Ordinal)))
        {
            throw new InvalidOperationException("The folds' models name different classes; their predictions cannot be pooled.");
        }

        T[]? Join<T>(Func<HoldoutPredictions, T[]?> of) => of(first) is null ? null : [.. parts.SelectMany(p => of(p)!)];
        return new HoldoutPredictions
        {
            Classes = first.Classes,
            Scores = Join(p => p.Scores)!,
            Probabilities = Join(p => p.Probabilities),
            IsPositive = Join(p => p.IsPositive),
            PredictedClass = Join(p => p.PredictedClass),
            ClassScores = Join(p => p.ClassScores),
        };
    }

    /// <summary>The scorer's answers; a binary model without probabilities keeps its scores (metrics rank by them).</summary>
    public static HoldoutPredictions From(BatchPredictions predictions, IReadOnlyList<string> classes)
    {
        if (predictions.ClassProbabilities is not null)
        {
            var index = classes.Select((c, i) => (c, i)).ToDictionary(p => p.c, p => p.i, StringComparer.Ordinal);
            return new HoldoutPredictions
            {
                Classes = classes,
                Scores = predictions.Scores,
                ClassScores = [.. Enumerable.Range(0, predictions.Count).Select(r => predictions.ClassProbabilitiesOf(r).ToArray())],
                PredictedClass = [.. predictions.PredictedLabels!.Select(l => l is not null && index.TryGetValue(l, out var k) ? k : -1)],
            };
        }

        return new HoldoutPredictions
        {
            Scores = predictions.Scores,
            Probabilities = predictions.Probabilities,
            IsPositive = predictions.IsPositive,
        };
    }
}
