using System.Text;
using Mlops.Runtime.Features;
using Mlops.Runtime.Scoring;

namespace Mlops.Runtime.Serving;

/// <summary>
/// Chooses who answers a request and scores it, once per request whatever its number of rows: the
/// canary for its weight's share of requests (sticky per entity key when the feature set declares
/// one, per request otherwise; a deterministic FNV-1a hash, so every replica routes a key the same
/// way), the primary otherwise, the fallback when the model is switched off or the chosen version
/// throws. A shadow is scored too, reported to <paramref name="onShadow"/> and never returned.
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

    /// <summary>
    /// Scores checked rows: decides once who answers the whole batch (an explicitly asked version;
    /// else the canary or the primary by <paramref name="routingKey"/>; the fallback when the model is
    /// switched off or the chosen version throws), scores it with one call (a single row waits for
    /// its version's dynamic batch when batching is on), and scores the shadow too, reporting it to
    /// the callback. Fallback and shadow are handled here and nowhere else.
    /// </summary>
    /// <param name="served">The served model.</param>
    /// <param name="batch">Checked rows, from the model's <c>InputSchema</c>.</param>
    /// <param name="routingKey">Routes the batch to the canary or the primary: the entity key's value when the feature set declares one and the rows have it, a request id otherwise.</param>
    /// <param name="version">A version the request asked for by number: it answers alone (no canary, shadow or fallback).</param>
    /// <param name="cancellationToken">Stops waiting for a dynamic batch; other requests in it are not affected.</param>
    /// <exception cref="ModelUnavailableException">Neither the model nor a fallback can answer.</exception>
    /// <exception cref="ArgumentException">The batch does not fit the version's model.</exception>
    public ValueTask<ServedBatch> ScoreAsync(ServedModel served, FeatureBatch batch, string routingKey, LoadedModel? version = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(served);
        ArgumentNullException.ThrowIfNull(batch);
        if (version is not null)
        {
            return version.Batcher is { } own && batch.RowCount == 1
                ? AnswerAsync(own.ScoreAsync(batch, cancellationToken), version, ServedRole.Explicit, served.Commit)
                : new(new ServedBatch(version.Scorer.Score(batch), version.Model, version.Version, version.Digest, served.Commit, ServedRole.Explicit));
        }

        if (Unroutable(served) is { } reason)
        {
            return new(Fallback(served, batch, reason, null));
        }

        var (chosen, role) = Choose(served, routingKey);
        if (chosen.Batcher is { } batcher && batch.RowCount == 1)
        {
            return ScoreBatchedAsync(served, chosen, role, batcher, batch, cancellationToken);
        }

        BatchPredictions predictions;
        try
        {
            predictions = chosen.Scorer.Score(batch);
        }
        catch (Exception e) when (e is not ArgumentException)
        {
            return new(Fallback(served, batch, $"{chosen.Model} v{chosen.Version} failed: {e.Message}", e));
        }

        return new(Answer(served, chosen, role, predictions, batch));
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

    private static async ValueTask<ServedBatch> AnswerAsync(Task<BatchPredictions> scoring, LoadedModel version, ServedRole role, string? commit) =>
        new(await scoring.ConfigureAwait(false), version.Model, version.Version, version.Digest, commit, role);

    private async ValueTask<ServedBatch> ScoreBatchedAsync(ServedModel served, LoadedModel chosen, ServedRole role, Batching.DynamicBatcher batcher, FeatureBatch batch, CancellationToken cancellationToken)
    {
        BatchPredictions predictions;
        try
        {
            predictions = await batcher.ScoreAsync(batch, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is not ArgumentException and not OperationCanceledException)
        {
            return Fallback(served, batch, $"{chosen.Model} v{chosen.Version} failed: {e.Message}", e);
        }

        return Answer(served, chosen, role, predictions, batch);
    }

    private ServedBatch Answer(ServedModel served, LoadedModel chosen, ServedRole role, BatchPredictions predictions, FeatureBatch batch)
    {
        var answer = new ServedBatch(predictions, chosen.Model, chosen.Version, chosen.Digest, served.Commit, role);
        if (served.Shadow is { } shadow && onShadow is not null)
        {
            BatchPredictions? shadowed = null;
            string? error = null;
            try
            {
                shadowed = shadow.Scorer.Score(batch);
            }
            catch (Exception e) when (e is not OutOfMemoryException)
            {
                error = e.Message;
            }

            var result = new ShadowResult(served.Name, shadow.Version, shadowed, answer, error);
            onShadow(result);
            return answer with { Shadow = result };
        }

        return answer;
    }

    /// <summary>Answers by the served model's fallback: another model, or a constant for every row.</summary>
    private static ServedBatch Fallback(ServedModel served, FeatureBatch batch, string reason, Exception? error)
    {
        switch (served.Fallback)
        {
            case { Model: { } model }:
                try
                {
                    return new ServedBatch(model.Scorer.Score(batch), model.Model, model.Version, model.Digest, served.Commit, ServedRole.Fallback, reason);
                }
                catch (Exception e) when (e is not ArgumentException)
                {
                    throw new ModelUnavailableException($"model '{served.Name}': {reason}, and its fallback {model.Model} v{model.Version} failed too: {e.Message}", e);
                }

            case { Constant: { } constant }:
                return new ServedBatch(BatchPredictions.Repeat(constant, batch.RowCount), served.Name, 0, null, served.Commit, ServedRole.Fallback, reason);
            default:
                throw new ModelUnavailableException($"model '{served.Name}': {reason}, and the environment file names no fallback. Add one (fallback: {{ constant: ... }}) or fix the model.", error);
        }
    }
}

/// <summary>A shadow's predictions next to the answer that was returned, for every row of one request.</summary>
/// <param name="Model">The model's name.</param>
/// <param name="ShadowVersion">The shadow version.</param>
/// <param name="Predictions">The shadow's predictions, row by row like <paramref name="Returned"/>, or null when it failed.</param>
/// <param name="Returned">The answer returned to the caller.</param>
/// <param name="Error">Why the shadow failed, if it did.</param>
public sealed record ShadowResult(string Model, int ShadowVersion, BatchPredictions? Predictions, ServedBatch Returned, string? Error);
