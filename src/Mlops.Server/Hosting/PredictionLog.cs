using System.Text.Json;
using Microsoft.Extensions.Options;
using Mlops.Runtime.Serving;

namespace Mlops.Server.Hosting;

/// <summary>
/// Logs each prediction with the feature values it was made from, under the category
/// <c>Mlops.Server.Predictions</c>, but only when <see cref="ServeOptions.LogFeatureValues"/> is set:
/// feature values are customer data, and a log line per request costs throughput, so by default
/// nothing is written per request.
/// </summary>
internal sealed class PredictionLog
{
    /// <summary>The log category, for filters.</summary>
    public const string Category = "Mlops.Server.Predictions";

    private static readonly Action<ILogger, string, string, int, string, float, string, Exception?> s_prediction =
        LoggerMessage.Define<string, string, int, string, float, string>(
            LogLevel.Information,
            new EventId(1, "Prediction"),
            "Prediction {PredictionId}: {Model} v{Version} ({ServedBy}) score {Score}; features {Features}");

    private readonly ILogger _logger;

    public PredictionLog(ILoggerFactory loggers, IOptions<ServeOptions> options)
    {
        _logger = loggers.CreateLogger(Category);
        Enabled = options.Value.LogFeatureValues && _logger.IsEnabled(LogLevel.Information);
    }

    /// <summary>Whether predictions are logged at all.</summary>
    public bool Enabled { get; }

    /// <summary>Logs one prediction and its checked feature values, if enabled.</summary>
    public void Write(string predictionId, ServedPrediction answer, IReadOnlyDictionary<string, object?> features)
    {
        if (Enabled)
        {
            s_prediction(_logger, predictionId, answer.Model, answer.Version, answer.Role.ToString().ToLowerInvariant(), answer.Prediction.Score, JsonSerializer.Serialize(features), null);
        }
    }
}
