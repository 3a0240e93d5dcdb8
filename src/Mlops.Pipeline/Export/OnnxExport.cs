using System.Reflection;
using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Transforms;
using Mlops.Declarations.FeatureSets;
using Mlops.Declarations.Models;
using Mlops.Pipeline.Training;
using Mlops.Runtime.Features;
using Mlops.Runtime.Scoring;

namespace Mlops.Pipeline.Export;

/// <summary>What the ONNX export of a trained model gave: the graph and its check, or why there is none.</summary>
/// <param name="Model">The ONNX graph's bytes, normalised; null when the model did not convert or failed its check.</param>
/// <param name="RowsCompared">Holdout rows scored by both runtimes (0 when nothing was compared).</param>
/// <param name="MaxAbsoluteDifference">The largest absolute difference between the two runtimes' answers over those rows (probability for binary classification, score for regression).</param>
/// <param name="Refusal">Why the bundle carries no ONNX model (which trainer or transform did not convert, or the difference found); null when it does.</param>
public sealed record OnnxExportResult(byte[]? Model, int RowsCompared, double MaxAbsoluteDifference, string? Refusal)
{
    /// <summary>Whether the model converted and passed its check.</summary>
    public bool Converted => Model is not null;
}

/// <summary>
/// Converts a trained ML.NET model (feature transforms and trainer, one graph) to ONNX with
/// Microsoft.ML.OnnxConverter, then checks it: every holdout row is scored by the ML.NET model and
/// by the ONNX graph, both through the runtime's serving scorers (<see cref="ModelScorer"/> and
/// <see cref="OnnxScorer"/>), and the graph is kept only when every answer is within
/// <see cref="Tolerance"/>. The graph takes one input per feature, named after it (float for
/// numbers and bools, string for categories and text, shape <c>[N,1]</c>) and has one output: the
/// probability of the positive class (binary classification) or the value (regression). See
/// docs/packaging.md, "ONNX export".
/// </summary>
public static class OnnxExport
{
    /// <summary>
    /// The largest absolute difference allowed between the ML.NET and ONNX answers of a holdout row.
    /// Both compute in 32-bit floats; the example differs by about 1e-7 (float rounding), so 1e-5
    /// leaves two orders of magnitude above rounding for other data (docs/packaging.md).
    /// </summary>
    public const double Tolerance = 1e-5;

    /// <summary>The entry name of the ONNX model in a bundle.</summary>
    public const string EntryName = "model.onnx";

    /// <summary>Converts and checks a model.</summary>
    /// <param name="modelZip">The ML.NET model zip training wrote.</param>
    /// <param name="data">The model's data, split as training split it.</param>
    internal static OnnxExportResult Export(byte[] modelZip, TrainingData data)
    {
        ArgumentNullException.ThrowIfNull(modelZip);
        ArgumentNullException.ThrowIfNull(data);
        if (data.Holdout.Length == 0)
        {
            // Evaluated by its folds alone (holdout 0): the export is checked on the training rows, never on none.
            data = data.WithSplit(data.Train, data.Train);
        }

        var task = data.Model.Value.Task;
        if (task == ModelTask.MulticlassClassification)
        {
            return Refused("multiclass models are not exported: the ONNX scorer serves binary-classification and regression only");
        }

        var ml = new MLContext(seed: 0);
        var model = ml.Model.Load(new MemoryStream(modelZip, writable: false), out _);
        var holdout = data.RowType.ToDataView(ml, [.. data.Holdout.Select(data.FeatureRow)]);
        if (task == ModelTask.BinaryClassification && model.GetOutputSchema(holdout.Schema).GetColumnOrNull(ModelColumns.Probability) is null)
        {
            return Refused($"trainer '{data.Model.Value.Trainer.Name}' gives a score but no probability, and the ONNX graph serving reads holds the probability");
        }

        var steps = ExportSteps(ml, Flatten(model), holdout.Schema, data);
        if (FirstNotConverting(steps, holdout, data) is { } blocker)
        {
            return Refused($"{blocker} has no ONNX export in Microsoft.ML.OnnxConverter {ConverterVersion}");
        }

        model = new TransformerChain<ITransformer>([.. steps]);
        byte[] graph;
        try
        {
            using var stream = new MemoryStream();
            ml.Model.ConvertToOnnx(model, holdout, stream, task == ModelTask.BinaryClassification ? ModelColumns.Probability : ModelColumns.Score);
            graph = stream.ToArray();
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            // Whatever the converter throws, packaging carries on without the export, and says why.
            return Refused($"the converter failed ({e.GetType().Name}): {e.Message.ReplaceLineEndings(" ").Trim()}");
        }

        return Check(modelZip, graph, data);
    }

    /// <summary>Scores the holdout through both serving scorers and keeps the graph when every row agrees within <see cref="Tolerance"/>.</summary>
    private static OnnxExportResult Check(byte[] modelZip, byte[] graph, TrainingData data)
    {
        var holdout = data.Rows.Select(data.Holdout);
        var task = data.Model.Value.Task;
        BatchPredictions expected;
        BatchPredictions actual;
        var mlnet = ModelScorer.Load(new MemoryStream(modelZip, writable: false));
        expected = mlnet.Score(holdout);
        try
        {
            using var onnx = OnnxScorer.Load(graph, [.. data.Features.Select(f => f.Name)], task);
            actual = onnx.Score(holdout);
        }
        catch (Exception e) when (e is InvalidDataException or ArgumentException or Microsoft.ML.OnnxRuntime.OnnxRuntimeException)
        {
            return Refused($"ONNX Runtime cannot run the converted graph: {e.Message.ReplaceLineEndings(" ").Trim()}");
        }

        var left = task == ModelTask.BinaryClassification && expected.Probabilities is { } p ? p : expected.Scores;
        var right = task == ModelTask.BinaryClassification && actual.Probabilities is { } q ? q : actual.Scores;
        var worst = 0.0;
        var worstRow = -1;
        for (var r = 0; r < left.Length; r++)
        {
            var difference = float.IsNaN(left[r]) && float.IsNaN(right[r]) ? 0 : Math.Abs((double)left[r] - right[r]);
            if (!(difference <= worst))
            {
                worst = double.IsNaN(difference) ? double.PositiveInfinity : difference;
                worstRow = r;
            }
        }

        if (worst > Tolerance)
        {
            var line = data.Lines[data.Holdout[worstRow]];
            return new OnnxExportResult(null, left.Length, worst,
                $"the ONNX graph's answers differ from ML.NET's by up to {worst:G3} (line {line} of '{data.DataPath}': ML.NET {left[worstRow]:G9}, ONNX {right[worstRow]:G9}), more than the tolerance {Tolerance:G}");
        }

        return new OnnxExportResult(graph, left.Length, worst, null);
    }

    /// <summary>The graph's one output for a task: the converter names it after the ML.NET column it holds.</summary>
    public static string OutputOf(ModelTask task) => (task == ModelTask.BinaryClassification ? ModelColumns.Probability : ModelColumns.Score) + ".output";

    /// <summary>The converter's package version, for messages and the manifest.</summary>
    public static string ConverterVersion { get; } = typeof(OnnxExportExtensions).Assembly
        .GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion.Split('+')[0] ?? "?";

    /// <summary>The model's steps in order, with nested chains (one per one-hot feature) opened.</summary>
    private static List<ITransformer> Flatten(ITransformer model)
    {
        var steps = new List<ITransformer>();
        void Add(ITransformer step)
        {
            if (step is IEnumerable<ITransformer> chain)
            {
                foreach (var inner in chain)
                {
                    Add(inner);
                }
            }
            else
            {
                steps.Add(step);
            }
        }

        Add(model);
        return steps;
    }

    /// <summary>
    /// The steps to convert. A number feature's median or most-frequent fill is an expression in the
    /// ML.NET model (<see cref="FeaturePipeline"/>), which the converter cannot export; it becomes a
    /// missing-value replacement with the same constant (ONNX's Imputer), whose answers the check
    /// then compares with the expression's.
    /// </summary>
    private static List<ITransformer> ExportSteps(MLContext ml, List<ITransformer> steps, DataViewSchema input, TrainingData data)
    {
        var result = new List<ITransformer>(steps.Count);
        foreach (var step in steps)
        {
            var column = step.GetType().Name == "ExpressionTransformer" ? OutputFeature(step, input, data) : -1;
            if (column >= 0 && data.IsNumber(column) && data.Features[column].Fill is FillStrategy.Median or FillStrategy.MostFrequent)
            {
                var name = data.Features[column].Name;
                var single = FeatureRowType.For([new RowColumn(name, RowColumnKind.Number)]);
                var row = single.NewRow();
                single.SetNumber(row, 0, FeaturePipeline.FillConstant(data, column));

                // The mean of one value is that value: the replacement learned is the fill constant itself.
                result.Add(ml.Transforms.ReplaceMissingValues(name, name, MissingValueReplacingEstimator.ReplacementMode.Mean).Fit(single.ToDataView(ml, [row])));
            }
            else
            {
                result.Add(step);
            }
        }

        return result;
    }

    /// <summary>The feature a step writes, or -1.</summary>
    private static int OutputFeature(ITransformer step, DataViewSchema input, TrainingData data)
    {
        var features = data.Features.Select(f => f.Name).ToList();
        return Written(input, step.GetOutputSchema(input)).Select(name => features.IndexOf(name)).FirstOrDefault(i => i >= 0, -1);
    }

    /// <summary>
    /// The columns a step writes: ML.NET inserts a written column next to the one it hides, not at the
    /// end, so they are the names the output schema holds more often than the input did.
    /// </summary>
    private static List<string> Written(DataViewSchema before, DataViewSchema after)
    {
        var counts = before.GroupBy(c => c.Name, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.Count(), StringComparer.Ordinal);
        return [.. after.Where(c => !c.IsHidden && after.Count(o => o.Name == c.Name) > counts.GetValueOrDefault(c.Name)).Select(c => c.Name)];
    }

    /// <summary>
    /// The first step the converter cannot export, named for a person (the transform and the column
    /// it writes, or the trainer's model), or null. The converter itself skips such a step silently
    /// and writes a graph that does not run (or, worse, one that does and answers otherwise), so the
    /// steps are asked first, the way the converter asks them.
    /// </summary>
    private static string? FirstNotConverting(List<ITransformer> steps, IDataView input, TrainingData data)
    {
        var view = input;
        foreach (var step in steps)
        {
            var before = view.Schema;
            view = step.Transform(view);
            if (CanSaveOnnx(view))
            {
                continue;
            }

            if (step.GetType().GetProperty("Model")?.GetValue(step) is { } predictor)
            {
                return $"trainer '{data.Model.Value.Trainer.Name}' ({predictor.GetType().Name.Split('`')[0]})";
            }

            var columns = Written(before, view.Schema);
            return $"transform {step.GetType().Name.Split('`')[0]}{(columns.Count == 0 ? "" : $" (column {string.Join(", ", columns.Select(c => $"'{c}'"))})")}";
        }

        return null;
    }

    /// <summary>
    /// Asks a transformed view what the converter asks it: ML.NET's ICanSaveOnnx is internal, so by
    /// name. A view that cannot be asked counts as convertible; the converter and the check then judge it.
    /// </summary>
    private static bool CanSaveOnnx(IDataView view)
    {
        var method = view.GetType().GetInterfaces().FirstOrDefault(i => i.Name == "ICanSaveOnnx")?.GetMethod("CanSaveOnnx");
        if (method is null)
        {
            return false;
        }

        try
        {
            return method.Invoke(view, [null]) is not false;
        }
        catch (TargetInvocationException)
        {
            return true;
        }
    }

    private static OnnxExportResult Refused(string reason) => new(null, 0, 0, reason);
}
