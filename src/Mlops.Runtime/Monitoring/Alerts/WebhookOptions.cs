namespace Mlops.Runtime.Monitoring.Alerts;

/// <summary>How <see cref="AlertDispatcher"/> delivers webhook messages: bounded attempts with exponential backoff, a bounded queue.</summary>
public sealed class WebhookOptions
{
    /// <summary>Attempts per message, the first included.</summary>
    /// <value>The default value is 5.</value>
    public int MaxAttempts { get; set; } = 5;

    /// <summary>The wait after the first failed attempt; each later wait doubles, up to <see cref="MaxRetryDelay"/>.</summary>
    /// <value>The default value is one second.</value>
    public TimeSpan FirstRetryDelay { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>The longest wait between attempts.</summary>
    /// <value>The default value is 30 seconds.</value>
    public TimeSpan MaxRetryDelay { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>How long one attempt may take before it counts as failed.</summary>
    /// <value>The default value is 10 seconds.</value>
    public TimeSpan AttemptTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>Messages waiting for delivery; when full, a new message is dropped and counted (alerts are rare: a full queue means the webhook is down).</summary>
    /// <value>The default value is 1,000.</value>
    public int QueueCapacity { get; set; } = 1000;

    /// <summary>The wait before attempt <paramref name="attempt"/> (2 or more): <see cref="FirstRetryDelay"/> times 2^(attempt - 2), at most <see cref="MaxRetryDelay"/>.</summary>
    /// <param name="attempt">The attempt about to be made, from 2.</param>
    public TimeSpan DelayBefore(int attempt)
    {
        var factor = Math.Pow(2, Math.Max(0, attempt - 2));
        var ticks = Math.Min(FirstRetryDelay.Ticks * factor, MaxRetryDelay.Ticks);
        return TimeSpan.FromTicks((long)ticks);
    }

    /// <summary>Throws one exception naming every value out of range.</summary>
    /// <exception cref="ArgumentException">A value is out of range.</exception>
    public void Validate()
    {
        var problems = new List<string>();
        if (MaxAttempts is < 1 or > 100)
        {
            problems.Add($"MaxAttempts is {MaxAttempts}; use 1 to 100.");
        }

        if (FirstRetryDelay < TimeSpan.Zero || MaxRetryDelay < FirstRetryDelay)
        {
            problems.Add($"FirstRetryDelay ({FirstRetryDelay}) must be zero or more and at most MaxRetryDelay ({MaxRetryDelay}).");
        }

        if (AttemptTimeout <= TimeSpan.Zero)
        {
            problems.Add($"AttemptTimeout is {AttemptTimeout}; use a positive duration.");
        }

        if (QueueCapacity < 1)
        {
            problems.Add($"QueueCapacity is {QueueCapacity}; use 1 or more.");
        }

        if (problems.Count > 0)
        {
            throw new ArgumentException("Webhook options are not valid: " + string.Join(" ", problems));
        }
    }
}
