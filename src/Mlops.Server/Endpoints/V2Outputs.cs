using Mlops.Runtime.Scoring;

namespace Mlops.Server.Endpoints;

/// <summary>One output tensor a model answers with.</summary>
/// <param name="Name">The tensor's name.</param>
/// <param name="Datatype">Its protocol datatype.</param>
/// <param name="PerClass">Whether it holds a value per class (shape <c>[N, K]</c>) instead of one per row (<c>[N]</c>).</param>
internal sealed record V2Output(string Name, string Datatype, bool PerClass = false);

/// <summary>
/// The output tensors of each kind of model, in the order an answer lists them when the request
/// names none, and the check of a request's <c>outputs</c> field against them.
/// </summary>
internal static class V2Outputs
{
    /// <summary>The predicted class (BOOL).</summary>
    public const string Predicted = "predicted";

    /// <summary>Binary: the probability of the positive class.</summary>
    public const string Probability = "probability";

    /// <summary>Multiclass: every class's probability, <c>[N, K]</c>, classes in the model's order.</summary>
    public const string Probabilities = "probabilities";

    /// <summary>The raw score (binary), the predicted class's probability (multiclass).</summary>
    public const string Score = "score";

    private static readonly V2Output[] s_binary = [new(Predicted, "BOOL"), new(Probability, "FP32"), new(Score, "FP32")];
    private static readonly V2Output[] s_multiclass = [new(Predicted, "BYTES"), new(Probabilities, "FP32", PerClass: true), new(Score, "FP32")];
    private static readonly V2Output[] s_regression = [new(Predicted, "FP32")];

    /// <summary>Every output of a kind of model.</summary>
    public static IReadOnlyList<V2Output> Of(PredictionKind kind) => kind switch
    {
        PredictionKind.Binary => s_binary,
        PredictionKind.Multiclass => s_multiclass,
        _ => s_regression,
    };

    /// <summary>
    /// The outputs a request asks for, in its order (all of them when it names none), or the problem
    /// with its <c>outputs</c> field: a name the model does not have, an entry without a name, a name
    /// asked twice.
    /// </summary>
    public static IReadOnlyList<V2Output> Select(PredictionKind kind, IReadOnlyList<string?>? asked, string model, out string? problem)
    {
        problem = null;
        var all = Of(kind);
        if (asked is null)
        {
            return all;
        }

        var chosen = new List<V2Output>(asked.Count);
        for (var i = 0; i < asked.Count; i++)
        {
            var output = all.FirstOrDefault(o => o.Name == asked[i]);
            if (asked[i] is null)
            {
                problem = $"outputs[{i}]: needs a 'name'; model '{model}' has {Names(all)}.";
            }
            else if (output is null)
            {
                problem = $"outputs[{i}]: '{asked[i]}' is not an output of model '{model}'; it has {Names(all)}.";
            }
            else if (chosen.Contains(output))
            {
                problem = $"outputs[{i}]: '{asked[i]}' is asked for twice; name each output once.";
            }
            else
            {
                chosen.Add(output);
                continue;
            }

            return [];
        }

        return chosen;
    }

    private static string Names(IEnumerable<V2Output> outputs) => string.Join(", ", outputs.Select(o => $"'{o.Name}'"));
}
