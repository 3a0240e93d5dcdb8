using System.Text;
using Mlops.Runtime.Scoring;

namespace Mlops.Runtime.Serving;

/// <summary>
/// Chooses who answers a request and scores it: the canary for its weight's share of requests (sticky
/// per entity key when the feature set declares one, per request otherwise; a deterministic FNV-1a
/// hash, so every replica routes a key the same way), the primary otherwise, the fallback when the
/// model is switched off or the chosen version throws. A shadow is scored too, reported to
/// <paramref name="onShadow"/> and never returned.
/// </summary>
/// <param name="onShadow">Receives each shadow prediction (or its error); null ignores them.</param>
public sealed class TrafficRouter(Action<ShadowResult>? onShadow = null)
{

    /// <summary>Whether the canary takes a request with this routing key.</summary>
    public static bool TakesCanary(string key, int weight) => weight > 0 && (weight >= 100 || Bucket(key) < weight);

    /// <summary>The bucket, 0 to 99, of a routing key.</summary>
    public static int Bucket(string key)
    {
        ArgumentNullException.ThrowIfNull(key);
        var hash = 2166136261u;
        foreach (var b in Encoding.UTF8.GetBytes(key))
        {
            hash = unchecked((hash ^ b) * 16777619u);
        }

        return (int)(hash % 100);
    }

    /// <summary>Scores a checked row on the caller's thread, without dynamic batching.</summary>
    /// <param name="served">The served model.</param>
    /// <param name="row">Clean values from <c>InputSchema.Check</c>.</param>
    /// <param name="routingKey">Routes the request to the canary or the primary: the entity key's value when the feature set declares one and the row has it, a request id otherwise.</param>
    /// <exception cref="ModelUnavailableException">Neither the model nor a fallback can answer.</exception>
    public ServedPrediction Score(ServedModel served, IReadOnlyDictionary<string, object?> row, string routingKey)
    {
        ArgumentNullException.ThrowIfNull(row);
        if (Unroutable(served) is { } reason)
        {
            return Fallback(served, row, reason, null);
        }

        var (chosen, role) = Choose(served, routingKey);
        Prediction prediction;
        try
        {
            prediction = chosen.Scorer.Score(row);
        }
        catch (Exception e) when (e is not ArgumentException)
        {
            return Fallback(served, row, $"{chosen.Model} v{chosen.Version} failed: {e.Message}", e);
        }

        return Answer(served, chosen, role, prediction, row);
    }

    /// <summary>
    /// Scores a checked single-row request: through the chosen version's <see cref="LoadedModel.Batcher"/>
    /// when dynamic batching is on (it then waits for the batch), else exactly like <see cref="Score"/>,
    /// synchronously. Routing and fallback are the same either way.
    /// </summary>
    /// <param name="served">The served model.</param>
    /// <param name="row">Clean values from <c>InputSchema.Check</c>.</param>
    /// <param name="routingKey">Routes the request to the canary or the primary (see <see cref="Score"/>).</param>
    /// <param name="cancellationToken">Stops waiting for the batch; other requests in it are not affected.</param>
    /// <exception cref="ModelUnavailableException">Neither the model nor a fallback can answer.</exception>
    public ValueTask<ServedPrediction> ScoreAsync(ServedModel served, IReadOnlyDictionary<string, object?> row, string routingKey, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(row);
        if (Unroutable(served) is not null)
        {
            return new(Score(served, row, routingKey));
        }

        var (chosen, role) = Choose(served, routingKey);
        return chosen.Batcher is null ? new(Score(served, row, routingKey)) : ScoreBatchedAsync(served, chosen, role, row, cancellationToken);
    }

    /// <summary>Scores with one loaded version, addressed explicitly.</summary>
    public static ServedPrediction ScoreVersion(LoadedModel model, IReadOnlyDictionary<string, object?> row, string? commit)
    {
        ArgumentNullException.ThrowIfNull(model);
        return new ServedPrediction(model.Scorer.Score(row), model.Model, model.Version, model.Digest, commit, ServedRole.Explicit);
    }

    /// <summary>Scores with one loaded version, addressed explicitly, through its batcher when dynamic batching is on.</summary>
    public static async ValueTask<ServedPrediction> ScoreVersionAsync(LoadedModel model, IReadOnlyDictionary<string, object?> row, string? commit, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(model);
        if (model.Batcher is null)
        {
            return ScoreVersion(model, row, commit);
        }

        var prediction = await model.Batcher.ScoreAsync(row, cancellationToken).ConfigureAwait(false);
        return new ServedPrediction(prediction, model.Model, model.Version, model.Digest, commit, ServedRole.Explicit);
    }

    /// <summary>
    /// Scores a checked batch on the caller's thread: one routing decision for the whole batch (by
    /// <paramref name="routingKey"/>), one <see cref="IScorer.ScoreBatch(FeatureBatch)"/> call on the
    /// chosen version, the fallback for every row when that version fails. A shadow scores the batch
    /// too and reports each row.
    /// </summary>
    /// <param name="served">The served model.</param>
    /// <param name="batch">Clean values from <c>InputSchema.CheckColumns</c>.</param>
    /// <param name="routingKey">Routes the batch to the canary or the primary (see <see cref="Score"/>).</param>
    /// <exception cref="ModelUnavailableException">Neither the model nor a fallback can answer.</exception>
    public ServedBatch ScoreBatch(ServedModel served, FeatureBatch batch, string routingKey)
    {
        ArgumentNullException.ThrowIfNull(batch);
        if (Unroutable(served) is { } reason)
        {
            return FallbackBatch(served, batch, reason, null);
        }

        var (chosen, role) = Choose(served, routingKey);
        BatchPredictions predictions;
        try
        {
            predictions = chosen.Scorer.ScoreBatch(batch);
        }
        catch (Exception e) when (e is not ArgumentException)
        {
            return FallbackBatch(served, batch, $"{chosen.Model} v{chosen.Version} failed: {e.Message}", e);
        }

        var answer = new ServedBatch(predictions, chosen.Model, chosen.Version, chosen.Digest, served.Commit, role);
        if (served.Shadow is { } shadow && onShadow is not null)
        {
            BatchPredictions? shadowed = null;
            string? error = null;
            try
            {
                shadowed = shadow.Scorer.ScoreBatch(batch);
            }
            catch (Exception e) when (e is not OutOfMemoryException)
            {
                error = e.Message;
            }

            for (var i = 0; i < batch.RowCount; i++)
            {
                onShadow(new ShadowResult(served.Name, shadow.Version, shadowed?[i], answer.Row(i), error));
            }
        }

        return answer;
    }

    /// <summary>Scores a checked batch with one loaded version, addressed explicitly.</summary>
    /// <param name="model">The version.</param>
    /// <param name="batch">Clean values from <c>InputSchema.CheckColumns</c>.</param>
    /// <param name="commit">The environment commit, for the answer.</param>
    public static ServedBatch ScoreVersionBatch(LoadedModel model, FeatureBatch batch, string? commit)
    {
        ArgumentNullException.ThrowIfNull(model);
        return new ServedBatch(model.Scorer.ScoreBatch(batch), model.Model, model.Version, model.Digest, commit, ServedRole.Explicit);
    }

    private static string? Unroutable(ServedModel served)
    {
        ArgumentNullException.ThrowIfNull(served);
        return !served.Enabled ? "the model is switched off in the environment file (enabled: false)"
            : served.Primary is null ? "no version of the model could be loaded"
            : null;
    }

    private static (LoadedModel Chosen, ServedRole Role) Choose(ServedModel served, string routingKey)
    {
        ArgumentNullException.ThrowIfNull(routingKey);
        return served.Canary is { } canary && TakesCanary(routingKey, canary.Weight)
            ? (canary.Model, ServedRole.Canary)
            : (served.Primary!, ServedRole.Primary);
    }

    private async ValueTask<ServedPrediction> ScoreBatchedAsync(ServedModel served, LoadedModel chosen, ServedRole role, IReadOnlyDictionary<string, object?> row, CancellationToken cancellationToken)
    {
        Prediction prediction;
        try
        {
            prediction = await chosen.Batcher!.ScoreAsync(row, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is not ArgumentException and not OperationCanceledException)
        {
            return Fallback(served, row, $"{chosen.Model} v{chosen.Version} failed: {e.Message}", e);
        }

        return Answer(served, chosen, role, prediction, row);
    }

    private ServedPrediction Answer(ServedModel served, LoadedModel chosen, ServedRole role, Prediction prediction, IReadOnlyDictionary<string, object?> row)
    {
        var answer = new ServedPrediction(prediction, chosen.Model, chosen.Version, chosen.Digest, served.Commit, role);
        if (served.Shadow is { } shadow && onShadow is not null)
        {
            try
            {
                onShadow(new ShadowResult(served.Name, shadow.Version, shadow.Scorer.Score(row), answer, null));
            }
            catch (Exception e) when (e is not OutOfMemoryException)
            {
                onShadow(new ShadowResult(served.Name, shadow.Version, null, answer, e.Message));
            }
        }

        return answer;
    }

    private static ServedPrediction Fallback(ServedModel served, IReadOnlyDictionary<string, object?> row, string reason, Exception? error) =>
        Fallback(
            served,
            reason,
            error,
            model => new ServedPrediction(model.Scorer.Score(row), model.Model, model.Version, model.Digest, served.Commit, ServedRole.Fallback, reason),
            constant => new ServedPrediction(constant, served.Name, 0, null, served.Commit, ServedRole.Fallback, reason));

    private static ServedBatch FallbackBatch(ServedModel served, FeatureBatch batch, string reason, Exception? error) =>
        Fallback(
            served,
            reason,
            error,
            model => new ServedBatch(model.Scorer.ScoreBatch(batch), model.Model, model.Version, model.Digest, served.Commit, ServedRole.Fallback, reason),
            constant => new ServedBatch(BatchPredictions.From([.. Enumerable.Repeat(constant, batch.RowCount)]), served.Name, 0, null, served.Commit, ServedRole.Fallback, reason));

    /// <summary>Answers by the served model's fallback: another model (scored by <paramref name="byModel"/>) or a constant.</summary>
    private static TAnswer Fallback<TAnswer>(ServedModel served, string reason, Exception? error, Func<LoadedModel, TAnswer> byModel, Func<Prediction, TAnswer> byConstant)
    {
        switch (served.Fallback)
        {
            case { Model: { } model }:
                try
                {
                    return byModel(model);
                }
                catch (Exception e) when (e is not ArgumentException)
                {
                    throw new ModelUnavailableException($"model '{served.Name}': {reason}, and its fallback {model.Model} v{model.Version} failed too: {e.Message}", e);
                }

            case { Constant: { } constant }:
                return byConstant(constant);
            default:
                throw new ModelUnavailableException($"model '{served.Name}': {reason}, and the environment file names no fallback. Add one (fallback: {{ constant: ... }}) or fix the model.", error);
        }
    }
}

/// <summary>A shadow's prediction next to the answer that was returned.</summary>
/// <param name="Model">The model's name.</param>
/// <param name="ShadowVersion">The shadow version.</param>
/// <param name="Prediction">The shadow's prediction, or null when it failed.</param>
/// <param name="Returned">The answer returned to the caller.</param>
/// <param name="Error">Why the shadow failed, if it did.</param>
public sealed record ShadowResult(string Model, int ShadowVersion, Prediction? Prediction, ServedPrediction Returned, string? Error);
