using System.ComponentModel.DataAnnotations;

namespace Mlops.Runtime.Serving.Batching;

/// <summary>
/// Dynamic batching, as Triton's dynamic batcher does it: concurrent single-row requests to one model
/// version are gathered for at most <see cref="MaxDelay"/> (or until <see cref="MaxBatchSize"/> rows
/// wait) and scored in one call. Off by default: docs/benchmarks.md shows where it pays and where it
/// costs.
/// </summary>
public sealed class BatchingOptions
{
    /// <summary>Whether single-row requests are gathered into batches.</summary>
    /// <value>The default value is false.</value>
    public bool Enabled { get; set; }

    /// <summary>The most rows scored in one call; a batch that reaches it is scored at once, without waiting for <see cref="MaxDelay"/>.</summary>
    /// <value>The default value is 64.</value>
    [Range(1, 10_000)]
    public int MaxBatchSize { get; set; } = 64;

    /// <summary>
    /// How long the first row of a batch may wait for more. Zero takes whatever is queued when a
    /// batch starts (Triton's default): rows still gather while the previous batch is being scored.
    /// </summary>
    /// <value>The default value is zero.</value>
    [Range(typeof(TimeSpan), "00:00:00", "00:00:01")]
    public TimeSpan MaxDelay { get; set; } = TimeSpan.Zero;

    /// <summary>How many batches of one model version are scored at the same time (Triton's model instances).</summary>
    /// <value>The default value is 1.</value>
    [Range(1, 64)]
    public int ConcurrentBatches { get; set; } = 1;

    /// <summary>
    /// How many rows of one model version may wait for a batch (Triton's <c>max_queue_size</c>). A row
    /// beyond it is refused at once instead of waiting without end: the router answers it with the
    /// fallback, or 503, so an overloaded server stays responsive and its memory bounded.
    /// </summary>
    /// <value>The default value is 1,024.</value>
    [Range(1, 1_000_000)]
    public int MaxQueuedRows { get; set; } = 1_024;

    /// <summary>Checks every field and returns one message per problem, each naming the field and its allowed range.</summary>
    /// <param name="prefix">Put before each message, for example <c>Batching: </c>.</param>
    public IReadOnlyList<string> Problems(string prefix = "")
    {
        var results = new List<ValidationResult>();
        Validator.TryValidateObject(this, new ValidationContext(this), results, validateAllProperties: true);
        return [.. results.Select(r => prefix + r.ErrorMessage)];
    }
}
