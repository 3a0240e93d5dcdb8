using System.Globalization;
using Microsoft.ML;
using Microsoft.ML.Transforms;
using Mlops.Declarations.FeatureSets;
using Mlops.Runtime.Monitoring;
using Mlops.Runtime.Scoring;

namespace Mlops.Pipeline.Training;

/// <summary>
/// Builds the feature transforms that are saved inside the model, from the feature set: missing-value
/// fill, one-hot encoding of categories, text featurisation, the feature vector, and its scaling for
/// linear trainers (<see cref="TrainerInfo.Scaling"/>). Fill values that ML.NET cannot learn itself (median, most
/// frequent) are computed on the training rows and written into the model as constants.
/// </summary>
internal static class FeaturePipeline
{
    /// <summary>The estimator chain up to (not including) the trainer, and a line per feature saying what it does.</summary>
    public static (IEstimator<ITransformer>? Estimator, IReadOnlyList<string> Description) Build(MLContext ml, TrainingData data, TrainerInfo trainer)
    {
        IEstimator<ITransformer>? chain = null;
        var description = new List<string>();
        void Append(IEstimator<ITransformer> next) => chain = chain is null ? next : chain.Append(next);

        for (var i = 0; i < data.Features.Count; i++)
        {
            var feature = data.Features[i];
            var name = feature.Name;
            var steps = new List<string>();
            if (data.IsNumber(i))
            {
                var fill = feature.Fill;
                if (fill == FillStrategy.None && feature.Nullable && !trainer.HandlesMissingValues)
                {
                    fill = FillStrategy.Mean;
                    steps.Add("no fill declared and the trainer needs values, so missing -> training mean");
                }

                switch (fill)
                {
                    case FillStrategy.Mean or FillStrategy.Min or FillStrategy.Max:
                        Append(ml.Transforms.ReplaceMissingValues(name, name, fill switch
                        {
                            FillStrategy.Mean => MissingValueReplacingEstimator.ReplacementMode.Mean,
                            FillStrategy.Min => MissingValueReplacingEstimator.ReplacementMode.Minimum,
                            _ => MissingValueReplacingEstimator.ReplacementMode.Maximum,
                        }));
                        if (steps.Count == 0)
                        {
                            steps.Add($"missing -> training {fill.ToString().ToLowerInvariant()} (learned by ML.NET)");
                        }

                        break;
                    case FillStrategy.Zero:
                        Append(ml.Transforms.ReplaceMissingValues(name, name, MissingValueReplacingEstimator.ReplacementMode.DefaultValue));
                        steps.Add("missing -> 0");
                        break;
                    case FillStrategy.Median or FillStrategy.MostFrequent:
                        var literal = Literal(FillConstant(data, i));
                        Append(ml.Transforms.Expression(name, $"x : isna(x) ? {literal} : x", name));
                        steps.Add($"missing -> {(fill == FillStrategy.Median ? "training median" : "most frequent training value")} {literal}");
                        break;
                }

                steps.Add(feature.Type == FeatureType.Bool ? "bool as 1/0" : "number");
            }
            else
            {
                if (feature.Fill == FillStrategy.MostFrequent)
                {
                    var column = i;
                    var mode = data.Train.Select(r => data.TextAt(column, r)).OfType<string>()
                        .GroupBy(v => v, StringComparer.Ordinal)
                        .OrderByDescending(g => g.Count()).ThenBy(g => g.Key, StringComparer.Ordinal)
                        .First().Key;
                    Append(ml.Transforms.Expression(name, $"x : len(x) == 0 ? {TextLiteral(mode)} : x", name));
                    steps.Add($"missing -> most frequent training value '{mode}'");
                }

                if (feature.Type == FeatureType.Category)
                {
                    var keys = ml.Data.LoadFromEnumerable(feature.Values.Select(v => new KeyValue { Value = v }));
                    Append(ml.Transforms.Categorical.OneHotEncoding(name, name, keyData: keys));
                    steps.Add($"one-hot over the {feature.Values.Count} declared values (undeclared or missing -> all zeros)");
                }
                else
                {
                    Append(ml.Transforms.Text.FeaturizeText(name, name));
                    steps.Add("text -> normalised word and character n-gram counts");
                }
            }

            description.Add($"{name}: {string.Join("; ", steps)}");
        }

        Append(ml.Transforms.Concatenate(ModelColumns.Features, [.. data.Features.Select(f => f.Name)]));
        switch (trainer.Scaling)
        {
            case FeatureScaling.MeanVariance:
                // Centred too (fixZero: false): ML.NET's default only divides by the deviation, which leaves
                // long-tailed columns far from zero and slows the optimiser; the bias absorbs the shift.
                Append(ml.Transforms.NormalizeMeanVariance(ModelColumns.Features, fixZero: false));
                description.Add($"{ModelColumns.Features}: standard-scaled (mean 0, variance 1 on the training rows) for {trainer.Name}");
                break;
            case FeatureScaling.MinMax:
                Append(ml.Transforms.NormalizeMinMax(ModelColumns.Features));
                description.Add($"{ModelColumns.Features}: min-max normalised for {trainer.Name}");
                break;
        }

        return (chain, description);
    }

    /// <summary>
    /// The constant a number feature's median or most-frequent fill puts in place of a missing value:
    /// computed on the training rows, and written into the model (training) or into its ONNX export.
    /// </summary>
    /// <param name="data">The model's data, split.</param>
    /// <param name="column">The feature's column; its fill is median or mostFrequent.</param>
    public static float FillConstant(TrainingData data, int column)
    {
        var training = data.Train.Select(r => data.NumberAt(column, r)).Where(v => !float.IsNaN(v)).ToArray();
        return data.Features[column].Fill == FillStrategy.Median ? Median(training) : MostFrequent(training);
    }

    private static float Median(float[] values)
    {
        var sorted = values.Select(v => (double)v).Order().ToArray();
        return (float)ProfileBuilder.Quantile(sorted, 0.5);
    }

    private static float MostFrequent(float[] values) =>
        values.GroupBy(v => v).OrderByDescending(g => g.Count()).ThenBy(g => g.Key).First().Key;

    /// <summary>A float literal of ML.NET's expression language: plain decimal digits (no exponent) that parse back to the same float.</summary>
    internal static string Literal(float value)
    {
        var text = Math.Abs(value) < 1e15f
            ? ((decimal)(double)value).ToString(CultureInfo.InvariantCulture)
            : ((double)value).ToString("F0", CultureInfo.InvariantCulture);
        return text.Contains('.', StringComparison.Ordinal) ? text : text + ".0";
    }

    private static string TextLiteral(string value) => "\"" + value.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\"", "\\\"", StringComparison.Ordinal) + "\"";

    private sealed class KeyValue
    {
        public string Value { get; set; } = string.Empty;
    }
}
