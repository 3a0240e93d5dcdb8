using Microsoft.ML;
using Microsoft.ML.Data;
using Mlops.Declarations.FeatureSets;
using Mlops.Pipeline.Training;
using Mlops.Runtime.Features;
using Mlops.Runtime.Scoring;

namespace Mlops.Pipeline.Tests.Training;

/// <summary>Rows of the tests' data as requests send them, and ML.NET's own batch transform to hold the runtime's scorer to.</summary>
internal static class Rows
{
    /// <summary>Row <paramref name="row"/> as a JSON client sends it: bools, doubles and strings by name, missing values left out.</summary>
    public static Dictionary<string, object?> Request(TrainingData data, int row)
    {
        var request = new Dictionary<string, object?>(StringComparer.Ordinal);
        for (var c = 0; c < data.Features.Count; c++)
        {
            if (data.IsNumber(c))
            {
                var number = data.NumberAt(c, row);
                if (!float.IsNaN(number))
                {
                    request[data.Features[c].Name] = data.Features[c].Type == FeatureType.Bool ? number == 1f : (double)number;
                }
            }
            else if (data.TextAt(c, row) is { } text)
            {
                request[data.Features[c].Name] = text;
            }
        }

        return request;
    }

    /// <summary>Rows by name checked into one batch; a row that does not fit fails the test.</summary>
    public static FeatureBatch Batch(InputSchema schema, params IReadOnlyDictionary<string, object?>[] rows)
    {
        var problems = new List<string>();
        var batch = schema.CheckRows(rows, problems);
        Assert.True(problems.Count == 0, string.Join(" ", problems));
        return batch;
    }

    /// <summary>One row by name, checked and scored alone.</summary>
    public static Prediction Score(this IScorer scorer, InputSchema schema, IReadOnlyDictionary<string, object?> row) => scorer.Score(Batch(schema, row))[0];

    /// <summary>ML.NET's batch transform of the holdout rows: the reference the runtime's scorer is held to.</summary>
    public static (float[] Scores, float[]? Probabilities) MlNetTransform(string modelPath, TrainingData data, int seed)
    {
        var ml = new MLContext(seed);
        ITransformer model;
        using (var stream = File.OpenRead(modelPath))
        {
            model = ml.Model.Load(stream, out _);
        }

        var output = model.Transform(data.RowType.ToDataView(ml, [.. data.Holdout.Select(data.FeatureRow)]));
        var probabilities = output.Schema.GetColumnOrNull(ModelColumns.Probability) is null ? null : output.GetColumn<float>(ModelColumns.Probability).ToArray();
        return ([.. output.GetColumn<float>(ModelColumns.Score)], probabilities);
    }
}
