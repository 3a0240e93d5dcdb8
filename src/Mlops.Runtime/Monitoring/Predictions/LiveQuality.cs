using System.Globalization;
using System.Text.Json;
using Mlops.Runtime.Bundles;
using Mlops.Runtime.Evaluation;
using Mlops.Runtime.Scoring;
using Mlops.Runtime.Serving;

namespace Mlops.Runtime.Monitoring.Predictions;

/// <summary>What became of one feedback item.</summary>
public enum FeedbackStatus
{
    /// <summary>Joined with its prediction; it counts in the live metrics.</summary>
    Accepted,

    /// <summary>No remembered prediction has the id (never made, made before the remembered window, or the log dropped it).</summary>
    Unknown,

    /// <summary>The prediction already has feedback; the first one counts, this one is ignored.</summary>
    Duplicate,
}

/// <summary>One item of a feedback request.</summary>
/// <param name="Field">Where it is in the request, for messages (<c>label</c>, <c>feedback[2].label</c>).</param>
/// <param name="Id">The prediction id.</param>
/// <param name="Label">The true label.</param>
public sealed record FeedbackItem(string Field, string Id, FeedbackLabel Label);

/// <summary>The answer for one feedback item.</summary>
/// <param name="Id">The prediction id.</param>
/// <param name="Status">What became of it.</param>
public sealed record FeedbackResult(string Id, FeedbackStatus Status);

/// <summary>Live metrics of one model version (or one slice value of it) over a window.</summary>
/// <param name="Labelled">Predictions with feedback in the window.</param>
/// <param name="Metrics">Live metric name to value (accuracy, auc, f1, logLoss; accuracy, logLoss; rmse, mae), only those defined on the rows.</param>
/// <param name="Training">The same metrics on the holdout at training time, from the bundle.</param>
public sealed record LiveFigures(long Labelled, IReadOnlyDictionary<string, double> Metrics, IReadOnlyDictionary<string, double> Training);

/// <summary>Live metrics of one served version.</summary>
/// <param name="Model">The model.</param>
/// <param name="Version">The version (0 for a constant fallback).</param>
/// <param name="Role">Who it answered as, most recently (primary, canary, fallback, explicit).</param>
/// <param name="Task">binary-classification, multiclass-classification or regression.</param>
/// <param name="Overall">Over all labelled rows of the window.</param>
/// <param name="Slices">Per declared slice value, <c>feature=value</c> to figures.</param>
public sealed record LiveVersionQuality(string Model, int Version, string Role, string Task, LiveFigures Overall, IReadOnlyDictionary<string, LiveFigures> Slices);

/// <summary>Live metrics of every version with feedback, over a window of prediction times.</summary>
/// <param name="From">The window's start (prediction times from it).</param>
/// <param name="To">The window's end (before it).</param>
/// <param name="Remembered">Predictions remembered for joining feedback.</param>
/// <param name="Accepted">Feedback items joined since start (replay included).</param>
/// <param name="Unknown">Feedback items whose id was not remembered.</param>
/// <param name="Duplicates">Feedback items for a prediction that had feedback.</param>
/// <param name="Versions">Per version, in model and version order.</param>
public sealed record LiveQualitySnapshot(DateTimeOffset From, DateTimeOffset To, long Remembered, long Accepted, long Unknown, long Duplicates, IReadOnlyList<LiveVersionQuality> Versions);

/// <summary>
/// Joins feedback with recent predictions and keeps live metrics per model version and declared
/// slice: a bounded index of remembered predictions (id to model, version, role, time, output and
/// slice values; the oldest forgotten first) and, per version, a bounded list of labelled ones. The
/// metrics are the evaluation's (<see cref="TaskMetrics"/>), computed when a snapshot is asked for,
/// next to the training figures of the bundle. Slices are those the bundle has training metrics
/// for (<c>metrics.slices</c>, from the model file's <c>slices</c>). Thread-safe.
/// </summary>
public sealed class LiveQuality
{
    private static readonly string[] s_binary = [MetricNames.Accuracy, MetricNames.Auc, MetricNames.F1, MetricNames.LogLoss];
    private static readonly string[] s_regression = [MetricNames.Rmse, MetricNames.Mae];

    private readonly object _gate = new();
    private readonly Dictionary<string, Remembered> _index = new(StringComparer.Ordinal);
    private readonly Queue<Remembered> _order = new();
    private readonly Dictionary<(string Model, int Version), VersionState> _versions = [];
    private readonly Func<string, int, BundleManifest?> _manifests;
    private readonly int _capacity;
    private readonly int _labelledPerVersion;
    private long _accepted;
    private long _unknown;
    private long _duplicates;

    /// <summary>An empty index.</summary>
    /// <param name="rememberedPredictions">How many predictions to remember.</param>
    /// <param name="labelledPerVersion">How many labelled predictions each version keeps.</param>
    /// <param name="manifests">The manifest of a served version (its slices and training metrics), or null when it is not loaded.</param>
    public LiveQuality(int rememberedPredictions, int labelledPerVersion, Func<string, int, BundleManifest?> manifests)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(rememberedPredictions, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(labelledPerVersion, 1);
        ArgumentNullException.ThrowIfNull(manifests);
        _capacity = rememberedPredictions;
        _labelledPerVersion = labelledPerVersion;
        _manifests = manifests;
    }

    /// <summary>How many predictions are remembered.</summary>
    public int RememberedCount
    {
        get
        {
            lock (_gate)
            {
                return _index.Count;
            }
        }
    }

    /// <summary>Remembers every row of a logged request.</summary>
    /// <param name="request">The request.</param>
    public void Remember(LoggedRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        var answer = request.Answer;
        var predictions = answer.Predictions;
        var kind = KindOf(predictions);
        lock (_gate)
        {
            var version = VersionOf(answer.Model, answer.Version, kind);
            version.Role = ServedRoleNames.Of(answer.Role);
            if (version.Classes.Count == 0 && predictions.Classes.Count > 0)
            {
                version.Classes = predictions.Classes;
            }

            for (var row = 0; row < predictions.Count; row++)
            {
                var slices = new string?[version.SliceFeatures.Length];
                for (var s = 0; s < slices.Length; s++)
                {
                    slices[s] = request.Schema.Find(version.SliceFeatures[s]) is { } input ? PredictionLogLines.ValueText(input, request.Features, row) : null;
                }

                Add(new Remembered(request.RowId(row), version, request.Time, predictions.IsPositive?[row] ?? false, predictions.Scores[row],
                    predictions.Probabilities?[row] ?? float.NaN, predictions.PredictedLabels?[row],
                    predictions.ClassProbabilities is null ? null : predictions.ClassProbabilitiesOf(row).ToArray(), version.SliceFeatures, slices));
            }
        }
    }

    /// <summary>Remembers a prediction read back from the log (a <c>"type":"prediction"</c> line); false when the line lacks what is needed.</summary>
    /// <param name="line">The line's object.</param>
    public bool Remember(JsonElement line)
    {
        if (line.ValueKind != JsonValueKind.Object
            || !line.TryGetProperty("id"u8, out var id) || id.ValueKind != JsonValueKind.String
            || !line.TryGetProperty("time"u8, out var timeText) || !timeText.TryGetDateTimeOffset(out var time)
            || !line.TryGetProperty("model"u8, out var model) || model.ValueKind != JsonValueKind.String
            || !line.TryGetProperty("version"u8, out var versionNumber) || !versionNumber.TryGetInt32(out var versionValue)
            || !line.TryGetProperty("output"u8, out var output) || output.ValueKind != JsonValueKind.Object
            || !output.TryGetProperty("score"u8, out var scoreValue) || !scoreValue.TryGetSingle(out var score))
        {
            return false;
        }

        var predicted = output.TryGetProperty("predicted"u8, out var p) ? p : default;
        var kind = predicted.ValueKind is JsonValueKind.True or JsonValueKind.False ? PredictionKind.Binary
            : predicted.ValueKind == JsonValueKind.String ? PredictionKind.Multiclass
            : PredictionKind.Regression;
        var probability = output.TryGetProperty("probability"u8, out var pr) && pr.TryGetSingle(out var value) ? value : float.NaN;
        float[]? classProbabilities = null;
        List<string>? classes = null;
        if (output.TryGetProperty("probabilities"u8, out var all) && all.ValueKind == JsonValueKind.Object)
        {
            classes = [];
            var values = new List<float>();
            foreach (var property in all.EnumerateObject())
            {
                classes.Add(property.Name);
                values.Add(property.Value.TryGetSingle(out var v) ? v : float.NaN);
            }

            classProbabilities = [.. values];
        }

        var features = line.TryGetProperty("features"u8, out var f) && f.ValueKind == JsonValueKind.Object ? f : default;
        lock (_gate)
        {
            var version = VersionOf(model.GetString()!, versionValue, kind);
            if (line.TryGetProperty("role"u8, out var role) && role.ValueKind == JsonValueKind.String)
            {
                version.Role = role.GetString()!;
            }

            if (classes is not null && version.Classes.Count == 0)
            {
                version.Classes = classes;
            }

            var slices = new string?[version.SliceFeatures.Length];
            for (var s = 0; s < slices.Length; s++)
            {
                slices[s] = features.ValueKind == JsonValueKind.Object && features.TryGetProperty(version.SliceFeatures[s], out var sliceValue) ? PredictionLogLines.ValueText(sliceValue) : null;
            }

            Add(new Remembered(id.GetString()!, version, time, predicted.ValueKind == JsonValueKind.True, score, probability,
                predicted.ValueKind == JsonValueKind.String ? predicted.GetString() : null, classProbabilities, version.SliceFeatures, slices));
        }

        return true;
    }

    /// <summary>
    /// Checks a request's feedback and, when every label fits its prediction's model, records it:
    /// an unknown id or a duplicate is reported per item; a label of the wrong type refuses the whole
    /// request (nothing is recorded) with a message per field in <paramref name="problems"/>.
    /// </summary>
    /// <param name="items">The items, in request order.</param>
    /// <param name="problems">Receives field to message for labels of the wrong type.</param>
    /// <returns>The result per item (meaningful only when no problem was added).</returns>
    public IReadOnlyList<FeedbackResult> Record(IReadOnlyList<FeedbackItem> items, Dictionary<string, string[]> problems)
    {
        ArgumentNullException.ThrowIfNull(items);
        ArgumentNullException.ThrowIfNull(problems);
        lock (_gate)
        {
            foreach (var item in items)
            {
                if (_index.TryGetValue(item.Id, out var remembered) && Misfit(remembered, item.Label) is { } message)
                {
                    problems[item.Field] = [message];
                }
            }

            if (problems.Count > 0)
            {
                return [];
            }

            var results = new FeedbackResult[items.Count];
            for (var i = 0; i < items.Count; i++)
            {
                results[i] = new FeedbackResult(items[i].Id, Join(items[i].Id, items[i].Label));
            }

            return results;
        }
    }

    /// <summary>Records feedback read back from the log (a <c>"type":"feedback"</c> line); false when the line lacks what is needed.</summary>
    /// <param name="line">The line's object.</param>
    public bool Replay(JsonElement line)
    {
        if (line.ValueKind != JsonValueKind.Object
            || !line.TryGetProperty("id"u8, out var id) || id.ValueKind != JsonValueKind.String
            || !line.TryGetProperty("label"u8, out var labelValue) || FeedbackLabel.Read(labelValue) is not { } label)
        {
            return false;
        }

        lock (_gate)
        {
            if (!_index.TryGetValue(id.GetString()!, out var remembered) || Misfit(remembered, label) is null)
            {
                Join(id.GetString()!, label);
            }
        }

        return true;
    }

    /// <summary>Live metrics of every version over prediction times from <paramref name="from"/> to before <paramref name="to"/>.</summary>
    /// <param name="from">The window's start.</param>
    /// <param name="to">The window's end.</param>
    public LiveQualitySnapshot Snapshot(DateTimeOffset from, DateTimeOffset to)
    {
        List<(VersionState State, Remembered[] Rows)> versions;
        long remembered, accepted, unknown, duplicates;
        lock (_gate)
        {
            remembered = _index.Count;
            (accepted, unknown, duplicates) = (_accepted, _unknown, _duplicates);
            versions = [.. _versions.Values
                .OrderBy(v => v.Model, StringComparer.Ordinal).ThenBy(v => v.Version)
                .Select(v => (v, v.Labelled.Where(r => r.Time >= from && r.Time < to).ToArray()))
                .Where(v => v.Item2.Length > 0 || v.v.Labelled.Count > 0)];
        }

        var result = new List<LiveVersionQuality>(versions.Count);
        foreach (var (state, rows) in versions)
        {
            var slices = new SortedDictionary<string, LiveFigures>(StringComparer.Ordinal);
            for (var s = 0; s < state.SliceFeatures.Length; s++)
            {
                // Rows remembered before the version's slices were known (read back before it loaded) have none.
                foreach (var group in rows.Where(r => ReferenceEquals(r.SliceFeatures, state.SliceFeatures) && r.Slices[s] is not null).GroupBy(r => r.Slices[s]!, StringComparer.Ordinal))
                {
                    var key = $"{state.SliceFeatures[s]}={group.Key}";
                    slices[key] = Figures(state, [.. group], state.Manifest?.Metrics.Slices.GetValueOrDefault(key));
                }
            }

            result.Add(new LiveVersionQuality(state.Model, state.Version, state.Role, TaskName(state.Kind),
                Figures(state, rows, state.Manifest?.Metrics.Overall), slices));
        }

        return new LiveQualitySnapshot(from, to, remembered, accepted, unknown, duplicates, result);
    }

    private static PredictionKind KindOf(BatchPredictions predictions) =>
        predictions.IsPositive is not null ? PredictionKind.Binary
        : predictions.PredictedLabels is not null ? PredictionKind.Multiclass
        : PredictionKind.Regression;

    private static string TaskName(PredictionKind kind) => kind switch
    {
        PredictionKind.Binary => "binary-classification",
        PredictionKind.Multiclass => "multiclass-classification",
        _ => "regression",
    };

    private static string? Misfit(Remembered remembered, FeedbackLabel label)
    {
        var state = remembered.Version;
        var where = $"prediction '{remembered.Id}' was made by {state.Model} v{state.Version.ToString(CultureInfo.InvariantCulture)}";
        return state.Kind switch
        {
            PredictionKind.Binary when label.Kind != FeedbackLabelKind.Bool => $"{where}, a binary classifier: send the label as true or false.",
            PredictionKind.Multiclass when label.Kind != FeedbackLabelKind.Text => $"{where}, a multiclass classifier: send the label as the class name, a string.",
            PredictionKind.Multiclass when state.Classes.Count > 0 && !state.Classes.Contains(label.Text!, StringComparer.Ordinal) =>
                $"{where}, whose classes are {string.Join(", ", state.Classes)}; '{label.Text}' is not one of them.",
            PredictionKind.Regression when label.Kind != FeedbackLabelKind.Number => $"{where}, a regression: send the label as a number.",
            _ => null,
        };
    }

    private static LiveFigures Figures(VersionState state, Remembered[] rows, IReadOnlyDictionary<string, double>? training)
    {
        var metrics = new SortedDictionary<string, double>(StringComparer.Ordinal);
        var trained = new SortedDictionary<string, double>(StringComparer.Ordinal);
        string[] names;
        switch (state.Kind)
        {
            case PredictionKind.Binary:
                {
                    names = s_binary;
                    var probabilities = rows.All(r => !float.IsNaN(r.Probability)) ? rows.Select(r => r.Probability).ToArray() : null;
                    var (binary, _) = TaskMetrics.Binary([.. rows.Select(r => r.Label.Bool)], [.. rows.Select(r => r.Score)], probabilities, [.. rows.Select(r => r.Predicted)]);
                    Copy(binary, metrics, names);
                    break;
                }

            case PredictionKind.Multiclass:
                {
                    names = [MetricNames.Accuracy, MetricNames.LogLoss];
                    var classes = state.Classes;
                    var usable = rows.Where(r => r.ClassProbabilities is not null && r.ClassProbabilities.Length == classes.Count).ToArray();
                    var (multi, _) = TaskMetrics.Multiclass(classes, [.. usable.Select(r => IndexOf(classes, r.Label.Text))], [.. usable.Select(r => r.ClassProbabilities!)], [.. usable.Select(r => IndexOf(classes, r.PredictedLabel))]);
                    if (multi.TryGetValue(MetricNames.MicroAccuracy, out var accuracy))
                    {
                        metrics[MetricNames.Accuracy] = accuracy;
                    }

                    if (multi.TryGetValue(MetricNames.LogLoss, out var loss))
                    {
                        metrics[MetricNames.LogLoss] = loss;
                    }

                    if (training?.TryGetValue(MetricNames.MicroAccuracy, out var trainedAccuracy) == true)
                    {
                        trained[MetricNames.Accuracy] = trainedAccuracy;
                    }

                    break;
                }

            default:
                names = s_regression;
                Copy(TaskMetrics.Regression([.. rows.Select(r => (float)r.Label.Number)], [.. rows.Select(r => r.Score)]), metrics, names);
                break;
        }

        if (training is not null)
        {
            Copy(training, trained, names);
        }

        return new LiveFigures(rows.Length, metrics, trained);
    }

    private static void Copy(IReadOnlyDictionary<string, double> from, IDictionary<string, double> into, string[] names)
    {
        foreach (var name in names)
        {
            if (from.TryGetValue(name, out var value))
            {
                into[name] = value;
            }
        }
    }

    private static int IndexOf(IReadOnlyList<string> classes, string? name)
    {
        for (var k = 0; k < classes.Count; k++)
        {
            if (string.Equals(classes[k], name, StringComparison.Ordinal))
            {
                return k;
            }
        }

        return -1;
    }

    private FeedbackStatus Join(string id, FeedbackLabel label)
    {
        if (!_index.TryGetValue(id, out var remembered))
        {
            _unknown++;
            return FeedbackStatus.Unknown;
        }

        if (remembered.HasLabel)
        {
            _duplicates++;
            return FeedbackStatus.Duplicate;
        }

        remembered.Label = label;
        remembered.HasLabel = true;
        var labelled = remembered.Version.Labelled;
        if (labelled.Count == _labelledPerVersion)
        {
            labelled.Dequeue();
        }

        labelled.Enqueue(remembered);
        _accepted++;
        return FeedbackStatus.Accepted;
    }

    private VersionState VersionOf(string model, int version, PredictionKind kind)
    {
        if (!_versions.TryGetValue((model, version), out var state))
        {
            state = new VersionState(model, version, kind);
            _versions[(model, version)] = state;
        }

        // Looked up until found: at start-up the log is read back before every version is loaded.
        if (state.Manifest is null && version > 0 && _manifests(model, version) is { } manifest)
        {
            state.Manifest = manifest;
            state.SliceFeatures = [.. manifest.Metrics.Slices.Keys.Select(k => k.Split('=', 2)[0]).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal)];
        }

        return state;
    }

    private void Add(Remembered remembered)
    {
        if (_index.Count >= _capacity)
        {
            while (_order.TryDequeue(out var oldest))
            {
                if (_index.TryGetValue(oldest.Id, out var current) && ReferenceEquals(current, oldest))
                {
                    _index.Remove(oldest.Id);
                    break;
                }
            }
        }

        _index[remembered.Id] = remembered;
        _order.Enqueue(remembered);
    }

    private sealed class VersionState(string model, int version, PredictionKind kind)
    {
        public string Model { get; } = model;

        public int Version { get; } = version;

        public PredictionKind Kind { get; } = kind;

        public string Role { get; set; } = "primary";

        public BundleManifest? Manifest { get; set; }

        public string[] SliceFeatures { get; set; } = [];

        public IReadOnlyList<string> Classes { get; set; } = [];

        public Queue<Remembered> Labelled { get; } = new();
    }

    private sealed class Remembered(string id, VersionState version, DateTimeOffset time, bool predicted, float score, float probability, string? predictedLabel, float[]? classProbabilities, string[] sliceFeatures, string?[] slices)
    {
        public string Id { get; } = id;

        public VersionState Version { get; } = version;

        public DateTimeOffset Time { get; } = time;

        public bool Predicted { get; } = predicted;

        public float Score { get; } = score;

        public float Probability { get; } = probability;

        public string? PredictedLabel { get; } = predictedLabel;

        public float[]? ClassProbabilities { get; } = classProbabilities;

        public string[] SliceFeatures { get; } = sliceFeatures;

        public string?[] Slices { get; } = slices;

        public bool HasLabel { get; set; }

        public FeedbackLabel Label { get; set; }
    }
}
