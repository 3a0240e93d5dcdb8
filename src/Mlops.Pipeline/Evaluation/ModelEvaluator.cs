using Microsoft.ML;
using Microsoft.ML.Data;
using Mlops.Declarations.FeatureSets;
using Mlops.Declarations.Models;
using Mlops.Pipeline.Training;
using Mlops.Runtime.Monitoring;
using Mlops.Runtime.Scoring;

namespace Mlops.Pipeline.Evaluation;

/// <summary>
/// Evaluates a trained model on the holdout rows of its data (the same split code as training, so the
/// same rows): task metrics overall and per slice, single-row latency through the runtime's
/// <see cref="IScorer"/> (the one serving uses), the model file's size, and the reference profile.
/// An ML.NET zip is scored in one batch transform; an ONNX model (<see cref="EvaluationRequest.ModelFormat"/>)
/// row by row through <see cref="OnnxScorer"/>, so an externally trained model is measured by the code that serves it.
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
        progress?.Report(new TrainingProgress(TrainingStage.LoadingData, $"Reading {spec.Data.Path}"));
        var data = await TrainingData.LoadAsync(request.RepositoryRoot, request.Model, request.FeatureSet, cancellationToken).ConfigureAwait(false);
        ModelTrainer.CheckSplit(data);

        progress?.Report(new TrainingProgress(TrainingStage.Evaluating, $"Scoring {data.Holdout.Length:N0} holdout rows"));
        var scorer = LoadScorer(request, data);
        try
        {
            return await EvaluateAsync(request, data, scorer, progress, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            (scorer as IDisposable)?.Dispose(); // an ONNX Runtime session holds native memory
        }
    }

    private async Task<EvaluationReport> EvaluateAsync(EvaluationRequest request, TrainingData data, IScorer scorer, IProgress<TrainingProgress>? progress, CancellationToken cancellationToken)
    {
        var spec = request.Model.Value;
        var scored = await Task.Run(
            () => scorer is OnnxScorer onnx ? HoldoutPredictions.Score(onnx, data) : HoldoutPredictions.Score(request.ModelPath, data, spec.Trainer.Seed),
            cancellationToken).ConfigureAwait(false);
        var rows = Enumerable.Range(0, data.Holdout.Length).ToArray();
        var (metrics, confusion, classes) = Metrics(data, scored, rows);
        var slices = Slices(data, scored);

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
            profile);
    }

    private static (Dictionary<string, double> Metrics, ConfusionMatrix? Confusion, IReadOnlyList<ClassMetrics>? Classes) Metrics(
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
                    var labels = rows.Select(i => Data.FeatureValueParser.TryParseNumber(data.Labels[data.Holdout[i]], out var v) ? (float)v : float.NaN).ToArray();
                    var keep = rows.Where((_, j) => !float.IsNaN(labels[j])).ToArray();
                    return (TaskMetrics.Regression([.. labels.Where(l => !float.IsNaN(l))], [.. keep.Select(i => scored.Scores[i])]), null, null);
                }
        }
    }

    private static List<SliceMetrics> Slices(TrainingData data, HoldoutPredictions scored)
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
                slices.Add(new SliceMetrics(name, value, rows.Length, new SortedDictionary<string, double>(metrics, StringComparer.Ordinal)));
            }
        }

        return slices;
    }

    private static string? SliceValue(TrainingData data, int column, int row)
    {
        if (data.Numbers(column) is { } numbers)
        {
            var value = numbers[row];
            return float.IsNaN(value) ? null
                : data.Features[column].Type == FeatureType.Bool ? (value == 1f ? "true" : "false")
                : value.ToString(System.Globalization.CultureInfo.InvariantCulture);
        }

        return data.Texts(column)![row];
    }

    /// <summary>The scorer serving would load for this model file.</summary>
    private static IScorer LoadScorer(EvaluationRequest request, TrainingData data) => request.ModelFormat switch
    {
        Scorers.MlNet => ModelScorer.Load(request.ModelPath),
        Scorers.Onnx => OnnxScorer.Load(File.ReadAllBytes(request.ModelPath), [.. data.Features.Select(f => f.Name)], ModelTrainer.TaskName(data.Model.Value.Task)),
        _ => throw new ArgumentException($"Model format '{request.ModelFormat}' is not one this evaluator scores ('{Scorers.MlNet}', '{Scorers.Onnx}').", nameof(request)),
    };

    private LatencySummary MeasureLatency(IScorer scorer, TrainingData data, CancellationToken cancellationToken)
    {
        var requests = data.Holdout.Select(data.ToRequest).ToArray();
        for (var i = 0; i < WarmupPredictions; i++)
        {
            scorer.Score(requests[i % requests.Length]);
        }

        var samples = new double[LatencyPredictions];
        for (var i = 0; i < samples.Length; i++)
        {
            if (i % 100 == 0)
            {
                cancellationToken.ThrowIfCancellationRequested();
            }

            var request = requests[i % requests.Length];
            var start = _time.GetTimestamp();
            scorer.Score(request);
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

    private static ReferenceProfile Profile(TrainingData data, HoldoutPredictions scored)
    {
        var features = new List<FeatureProfile>();
        for (var i = 0; i < data.Features.Count; i++)
        {
            var feature = data.Features[i];
            if (data.Numbers(i) is { } numbers)
            {
                var values = data.Holdout.Select(r => numbers[r]);
                features.Add(feature.Type == FeatureType.Bool
                    ? ProfileBuilder.Categorical(feature.Name, values.Select(v => float.IsNaN(v) ? null : v == 1f ? "true" : "false"), ["false", "true"])
                    : ProfileBuilder.Numeric(feature.Name, values.Select(v => (double)v)));
            }
            else
            {
                var texts = data.Texts(i)!;
                features.Add(ProfileBuilder.Categorical(feature.Name, data.Holdout.Select(r => texts[r]), feature.Type == FeatureType.Category ? feature.Values : null));
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

/// <summary>The model's outputs for the holdout rows, in holdout order: from one batch transform (ML.NET) or row by row (ONNX).</summary>
internal sealed class HoldoutPredictions
{
    public float[] Scores { get; private init; } = [];

    public float[]? Probabilities { get; private init; }

    public bool[]? IsPositive { get; private init; }

    public int[]? PredictedClass { get; private init; }

    public float[][]? ClassScores { get; private init; }

    public IReadOnlyList<string> Classes { get; private init; } = [];

    /// <summary>Scores each holdout row through the ONNX scorer serving uses; binary and regression are all it serves.</summary>
    public static HoldoutPredictions Score(OnnxScorer scorer, TrainingData data)
    {
        var predictions = data.Holdout.Select(row => scorer.Score(data.ToRequest(row))).ToArray();
        return scorer.Kind == PredictionKind.Binary
            ? new HoldoutPredictions
            {
                Scores = [.. predictions.Select(p => p.Score)],
                Probabilities = [.. predictions.Select(p => p.Probability ?? p.Score)],
                IsPositive = [.. predictions.Select(p => p.IsPositive ?? false)],
            }
            : new HoldoutPredictions { Scores = [.. predictions.Select(p => p.Score)] };
    }

    public static HoldoutPredictions Score(string modelPath, TrainingData data, int seed)
    {
        var ml = new MLContext(seed);
        ITransformer model;
        using (var stream = File.OpenRead(modelPath))
        {
            model = ml.Model.Load(stream, out _);
        }

        var view = data.RowType.ToDataView(ml, [.. data.Holdout.Select(data.FeatureRow)]);
        var output = model.Transform(view);
        var predicted = output.Schema.GetColumnOrNull(ModelColumns.PredictedLabel);
        if (predicted is null)
        {
            return new HoldoutPredictions { Scores = [.. output.GetColumn<float>(ModelColumns.Score)] };
        }

        if (predicted.Value.Type is KeyDataViewType)
        {
            VBuffer<ReadOnlyMemory<char>> names = default;
            output.Schema[ModelColumns.Score].GetSlotNames(ref names);
            var classScores = output.GetColumn<float[]>(ModelColumns.Score).ToArray();
            var keys = output.GetColumn<uint>(ModelColumns.PredictedLabel).ToArray();
            return new HoldoutPredictions
            {
                Classes = [.. names.DenseValues().Select(n => n.ToString())],
                ClassScores = classScores,
                PredictedClass = [.. keys.Select(k => (int)k - 1)],
                Scores = [.. keys.Select((k, i) => k >= 1 && k <= classScores[i].Length ? classScores[i][k - 1] : float.NaN)],
            };
        }

        return new HoldoutPredictions
        {
            Scores = [.. output.GetColumn<float>(ModelColumns.Score)],
            Probabilities = output.Schema.GetColumnOrNull(ModelColumns.Probability) is null ? null : [.. output.GetColumn<float>(ModelColumns.Probability)],
            IsPositive = [.. output.GetColumn<bool>(ModelColumns.PredictedLabel)],
        };
    }
}
