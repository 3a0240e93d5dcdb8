using Microsoft.ML.OnnxRuntime;
using Mlops.Declarations.FeatureSets;
using Mlops.Declarations.Models;

namespace Mlops.Pipeline.External;

/// <summary>How an ONNX graph takes the feature set's features.</summary>
public enum OnnxInputLayout
{
    /// <summary>One input per feature, named like it: float tensors for numbers and bools, string tensors for categories and text.</summary>
    PerFeature,

    /// <summary>One float input <c>[N, F]</c> holding every feature, in the feature set's order (numeric feature sets only).</summary>
    Packed,
}

/// <summary>What the check learned about a loadable ONNX model.</summary>
/// <param name="Layout">How its inputs take the features.</param>
/// <param name="Output">The output serving reads (the first float tensor).</param>
/// <param name="Producer">The producer the file records (for example skl2onnx or pytorch), when it records one.</param>
public sealed record OnnxModelInfo(OnnxInputLayout Layout, string Output, string? Producer);

/// <summary>
/// Checks, before anything is recorded, that ONNX bytes are a model ONNX Runtime loads and that its
/// inputs and outputs fit a feature set the way <see cref="Runtime.Scoring.OnnxScorer"/> serves them.
/// Every problem is reported at once, each naming the input or feature at fault and what to change.
/// </summary>
public static class OnnxModelCheck
{
    /// <summary>Checks the model.</summary>
    /// <param name="bytes">The file's bytes.</param>
    /// <param name="file">The file as the user named it, for messages.</param>
    /// <param name="features">The feature set it must take.</param>
    /// <param name="featureSetFile">The file declaring the feature set, for messages.</param>
    /// <param name="task">The model's task: ONNX models serve binary classification and regression.</param>
    /// <exception cref="OnnxModelException">The bytes do not load, or the graph does not fit; the message lists every problem.</exception>
    public static OnnxModelInfo Check(byte[] bytes, string file, FeatureSet features, string featureSetFile, ModelTask task)
    {
        ArgumentNullException.ThrowIfNull(bytes);
        ArgumentNullException.ThrowIfNull(features);
        if (task == ModelTask.MulticlassClassification)
        {
            throw new OnnxModelException(file, ["ONNX models are served for binary-classification and regression, and this model declares multiclass-classification. Declare one of those tasks, or train the model with mlops."]);
        }

        InferenceSession session;
        try
        {
            session = new InferenceSession(bytes);
        }
        catch (OnnxRuntimeException e)
        {
            throw new OnnxModelException(file, [$"ONNX Runtime cannot load it as an ONNX model ({FirstLine(e.Message)}). Pass a file exported to ONNX (a .onnx protobuf)."]);
        }

        using (session)
        {
            var problems = new List<string>();
            var inputs = session.InputMetadata;
            var layout = inputs.Count == 1 && features.Find(inputs.Keys.Single()) is null && features.Features.Count > 1
                ? OnnxInputLayout.Packed
                : OnnxInputLayout.PerFeature;
            if (layout == OnnxInputLayout.Packed)
            {
                CheckPacked(inputs.Single(), features, featureSetFile, problems);
            }
            else
            {
                CheckPerFeature(inputs, features, featureSetFile, problems);
            }

            var output = session.OutputMetadata.FirstOrDefault(o => o.Value.IsTensor && o.Value.ElementType == typeof(float));
            if (output.Key is null)
            {
                problems.Add($"it has no float tensor output (outputs: {Names(session.OutputMetadata.Keys)}). Add one holding the probability of the positive class (binary) or the value (regression).");
            }

            if (problems.Count > 0)
            {
                throw new OnnxModelException(file, problems);
            }

            var producer = session.ModelMetadata.ProducerName;
            return new OnnxModelInfo(layout, output.Key!, string.IsNullOrWhiteSpace(producer) ? null : producer);
        }
    }

    private static void CheckPerFeature(IReadOnlyDictionary<string, NodeMetadata> inputs, FeatureSet features, string featureSetFile, List<string> problems)
    {
        var missing = features.Features.Where(f => !inputs.ContainsKey(f.Name)).Select(f => f.Name).ToList();
        if (missing.Count > 0)
        {
            problems.Add($"it has no input named {Names(missing)}, which {features.Reference} declares in {featureSetFile} (its inputs: {Names(inputs.Keys)}). Name the graph's inputs after the features, one per feature, or give it one float input holding all {features.Features.Count} features.");
        }

        var extra = inputs.Keys.Where(name => features.Find(name) is null).ToList();
        if (extra.Count > 0)
        {
            problems.Add($"its input {Names(extra)} is not a feature of {features.Reference}, so serving could never fill it. Remove it from the graph, or declare it in {featureSetFile} as a new feature set version.");
        }

        foreach (var feature in features.Features)
        {
            if (!inputs.TryGetValue(feature.Name, out var input))
            {
                continue;
            }

            var text = feature.Type is FeatureType.Category or FeatureType.Text;
            var expected = text ? typeof(string) : typeof(float);
            if (!input.IsTensor || input.ElementType != expected)
            {
                problems.Add($"input '{feature.Name}' is {Describe(input)}, but feature '{feature.Name}' is {TypeName(feature.Type)}, which serving passes as a {(text ? "string" : "float")} tensor. Make the input a {(text ? "string" : "float")} tensor of shape [N] or [N,1].");
            }
        }
    }

    private static void CheckPacked(KeyValuePair<string, NodeMetadata> input, FeatureSet features, string featureSetFile, List<string> problems)
    {
        var (name, node) = input;
        if (!node.IsTensor || node.ElementType != typeof(float))
        {
            problems.Add($"its single input '{name}' is {Describe(node)}, and is not named after a feature of {features.Reference}. Give it one input per feature, named like the features in {featureSetFile}, or one float input of width {features.Features.Count}.");
            return;
        }

        var text = features.Features.Where(f => f.Type is FeatureType.Category or FeatureType.Text).Select(f => f.Name).ToList();
        if (text.Count > 0)
        {
            problems.Add($"its single float input '{name}' cannot hold {Names(text)} ({features.Reference} declares them as categories or text). Give the graph one input per feature, named like the features in {featureSetFile}.");
        }

        var width = node.Dimensions.Length >= 2 ? node.Dimensions[^1] : -1;
        if (node.Dimensions.Length != 2 || (width > 0 && width != features.Features.Count))
        {
            problems.Add($"its single float input '{name}' has shape {Shape(node)}, but {features.Reference} has {features.Features.Count} features. Make it [N, {features.Features.Count}], the features in the order of {featureSetFile}, or name one input after each feature.");
        }
    }

    private static string Describe(NodeMetadata node) => node.IsTensor ? $"a {node.ElementType.Name} tensor {Shape(node)}" : $"a {node.OnnxValueType} value";

    private static string Shape(NodeMetadata node) => "[" + string.Join(",", node.Dimensions.Select(d => d < 0 ? "N" : d.ToString(System.Globalization.CultureInfo.InvariantCulture))) + "]";

    private static string TypeName(FeatureType type) => type.ToString().ToLowerInvariant();

    private static string Names(IEnumerable<string> names) => string.Join(", ", names.Select(n => $"'{n}'"));

    private static string FirstLine(string message) => message.Split('\n')[0].Trim();
}

/// <summary>An ONNX file that cannot be registered: it does not load, or does not fit its feature set.</summary>
public sealed class OnnxModelException : Exception
{
    /// <summary>Creates the exception.</summary>
    /// <param name="file">The file as the user named it.</param>
    /// <param name="problems">Every problem found, each a sentence saying what to change.</param>
    public OnnxModelException(string file, IReadOnlyList<string> problems)
        : base(problems.Count == 1 ? $"{file}: {problems[0]}" : $"{file}: {problems.Count} problems:\n" + string.Join("\n", problems.Select(p => "  - " + p)))
    {
        File = file;
        Problems = problems;
    }

    /// <summary>The file as the user named it.</summary>
    public string File { get; }

    /// <summary>Every problem found.</summary>
    public IReadOnlyList<string> Problems { get; }
}
