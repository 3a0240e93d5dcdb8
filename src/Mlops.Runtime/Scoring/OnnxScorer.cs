using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;
using Mlops.Declarations.Models;
using Mlops.Declarations.Schema;
using Mlops.Runtime.Features;

namespace Mlops.Runtime.Scoring;

/// <summary>
/// Scores batches of rows with an ONNX model through ONNX Runtime's <see cref="OrtValue"/> API. The
/// graph takes either one input per feature (named like the feature; float tensors for numbers and
/// bools, string tensors for categories and text, shape <c>[N]</c> or <c>[N,1]</c>) or a single float
/// input <c>[N, F]</c> holding the numeric features in the bundle's input order. The first float
/// output is the answer: for binary classification the probability of the positive class (a
/// <c>[N,2]</c> output gives it in column 1), for regression the value. An <see cref="InferenceSession"/>
/// is safe to run from many threads, so no pool is needed.
/// </summary>
public sealed class OnnxScorer : IScorer, IDisposable
{
    private readonly InferenceSession _session;
    private readonly string[] _features;
    private readonly InputBinding[] _inputs;
    private readonly string _outputName;
    private readonly int _outputWidth;
    private readonly bool _packed;

    private OnnxScorer(InferenceSession session, IReadOnlyList<string> features, PredictionKind kind)
    {
        _session = session;
        _features = [.. features];
        Kind = kind;
        var metadata = session.InputMetadata;
        if (metadata.Count == 1 && !features.Contains(metadata.Keys.Single(), StringComparer.Ordinal))
        {
            var (name, node) = metadata.Single();
            if (node.ElementType != typeof(float))
            {
                throw new InvalidDataException($"the ONNX model's single input '{name}' is {node.ElementType.Name}, not float; give it one input per feature, or one float input of width {features.Count}.");
            }

            _packed = true;
            _inputs = [new InputBinding(name, false)];
        }
        else
        {
            var missing = features.Where(f => !metadata.ContainsKey(f)).ToList();
            if (missing.Count > 0)
            {
                throw new InvalidDataException($"the ONNX model has no input named {string.Join(", ", missing.Select(m => $"'{m}'"))} (it has {string.Join(", ", metadata.Keys.Select(k => $"'{k}'"))}). Name the graph's inputs after the feature set's features.");
            }

            _inputs = [.. features.Select(f => new InputBinding(f, metadata[f].ElementType == typeof(string)))];
        }

        var output = session.OutputMetadata.FirstOrDefault(o => o.Value.IsTensor && o.Value.ElementType == typeof(float));
        if (output.Key is null)
        {
            throw new InvalidDataException("the ONNX model has no float tensor output; give it one that holds the probability (binary) or the value (regression).");
        }

        _outputName = output.Key;
        _outputWidth = output.Value.Dimensions.Length >= 2 && output.Value.Dimensions[^1] > 0 ? output.Value.Dimensions[^1] : 1;
    }

    /// <inheritdoc/>
    public PredictionKind Kind { get; }

    /// <summary>Loads an ONNX model.</summary>
    /// <param name="model">The model's bytes.</param>
    /// <param name="features">The bundle's input features, in order.</param>
    /// <param name="task">The model's task (binary classification or regression).</param>
    /// <exception cref="InvalidDataException">The bytes are not an ONNX model this scorer can drive.</exception>
    public static OnnxScorer Load(byte[] model, IReadOnlyList<string> features, ModelTask task)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(features);
        var kind = task switch
        {
            ModelTask.BinaryClassification => PredictionKind.Binary,
            ModelTask.Regression => PredictionKind.Regression,
            _ => throw new InvalidDataException($"ONNX models are served for binary-classification and regression, not {DeclarationSchemas.TaskNames[(int)task]}."),
        };
        InferenceSession session;
        try
        {
            // Converted graphs make ONNX Runtime print shape-merge warnings to stderr on every load; they are
            // harmless (packaging compares the export's outputs row by row), so only errors are logged.
            using var options = new SessionOptions { LogSeverityLevel = OrtLoggingLevel.ORT_LOGGING_LEVEL_ERROR };
            session = new InferenceSession(model, options);
        }
        catch (OnnxRuntimeException e)
        {
            throw new InvalidDataException($"the bytes are not a loadable ONNX model: {e.Message}", e);
        }

        try
        {
            return new OnnxScorer(session, features, kind);
        }
        catch
        {
            session.Dispose();
            throw;
        }
    }

    /// <inheritdoc/>
    public IReadOnlyList<string> Classes => [];

    /// <summary>
    /// Scores a batch in one run of the graph: each input is one tensor of <c>N</c> rows, which is
    /// where ONNX Runtime's per-call cost is shared. Answer <c>i</c> belongs to row <c>i</c>.
    /// </summary>
    /// <param name="batch">The rows, from an <see cref="InputSchema"/>.</param>
    /// <exception cref="ArgumentException">The batch sends a column that is not a feature of the model; nothing is scored.</exception>
    public BatchPredictions Score(FeatureBatch batch)
    {
        ArgumentNullException.ThrowIfNull(batch);
        var count = batch.RowCount;
        var map = MapOf(batch);
        var into = new PredictionArrays(Kind, hasProbability: true, [], count);
        if (count == 0)
        {
            return into.ToBatch();
        }

        var values = new OrtValue[_inputs.Length];
        try
        {
            if (_packed)
            {
                var packed = new float[count * _features.Length];
                for (var i = 0; i < _features.Length; i++)
                {
                    for (var r = 0; r < count; r++)
                    {
                        packed[(r * _features.Length) + i] = map[i] < 0 ? float.NaN : batch.NumberAt(map[i], r);
                    }
                }

                values[0] = OrtValue.CreateTensorValueFromMemory(packed, [count, _features.Length]);
            }
            else
            {
                for (var i = 0; i < _inputs.Length; i++)
                {
                    var input = _inputs[i];
                    var column = map[i];
                    var shape = _session.InputMetadata[input.Name].Dimensions.Length == 1 ? new long[] { count } : [count, 1];
                    if (input.IsText)
                    {
                        var tensor = OrtValue.CreateTensorWithEmptyStrings(OrtAllocator.DefaultInstance, shape);
                        values[i] = tensor;
                        for (var r = 0; r < count; r++)
                        {
                            tensor.StringTensorSetElementAt(column < 0 ? "" : batch.TextAt(column, r) ?? "", r);
                        }
                    }
                    else
                    {
                        var numbers = new float[count];
                        for (var r = 0; r < count; r++)
                        {
                            numbers[r] = column < 0 ? float.NaN : batch.NumberAt(column, r);
                        }

                        values[i] = OrtValue.CreateTensorValueFromMemory(numbers, shape);
                    }
                }
            }

            using var options = new RunOptions();
            using var results = _session.Run(options, _inputs.Select(i => i.Name).ToArray(), values, [_outputName]);
            var output = results[0].GetTensorDataAsSpan<float>();
            for (var r = 0; r < count; r++)
            {
                var value = _outputWidth >= 2 ? output[(r * _outputWidth) + 1] : output[r];
                into.Scores[r] = value;
                if (Kind == PredictionKind.Binary)
                {
                    into.Probabilities![r] = value;
                    into.IsPositive![r] = value >= 0.5f;
                }
            }

            return into.ToBatch();
        }
        finally
        {
            foreach (var value in values)
            {
                value?.Dispose();
            }
        }
    }

    /// <inheritdoc/>
    public void Dispose() => _session.Dispose();

    /// <summary>For each feature of the model, the batch's column that holds it (-1 when it has none).</summary>
    private int[] MapOf(FeatureBatch batch)
    {
        for (var c = 0; c < batch.Columns.Count; c++)
        {
            if (batch.IsSent(c) && Array.IndexOf(_features, batch.Columns[c].Name) < 0)
            {
                throw new ArgumentException($"'{batch.Columns[c].Name}' is not a feature of this model. Remove it.", nameof(batch));
            }
        }

        return [.. _features.Select(batch.IndexOf)];
    }

    private readonly record struct InputBinding(string Name, bool IsText);
}
