using Microsoft.ML;
using Microsoft.ML.Data;

namespace Churn.Client;

/// <summary>What the churn model answers.</summary>
public sealed class ChurnPrediction
{
    /// <summary>True when the customer is predicted to leave.</summary>
    [ColumnName("PredictedLabel")]
    public bool WillLeave { get; set; }

    /// <summary>The calibrated probability of leaving.</summary>
    public float Probability { get; set; }
}

/// <summary>
/// Scores rows of a model's feature type. <see cref="Predict{TFeatures}"/> takes the generated handle
/// and a row of the same type, so passing another feature set's row does not compile.
/// </summary>
internal sealed class ChurnScorer(string modelPath)
{
    private readonly MLContext _context = new(seed: 42);

    /// <summary>Loads the saved ML.NET model (model.zip of a bundle) and scores one row.</summary>
    public ChurnPrediction Predict<TFeatures>(Mlops.ModelHandle<TFeatures> model, TFeatures features)
        where TFeatures : class
    {
        ArgumentNullException.ThrowIfNull(model);
        var transformer = _context.Model.Load(modelPath, out _);
        using var engine = _context.Model.CreatePredictionEngine<TFeatures, ChurnPrediction>(transformer);
        return engine.Predict(features);
    }
}
