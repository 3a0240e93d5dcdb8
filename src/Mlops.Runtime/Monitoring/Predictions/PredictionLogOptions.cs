namespace Mlops.Runtime.Monitoring.Predictions;

/// <summary>
/// Where and for how long predictions and feedback are kept (server settings <c>Mlops:PredictionLog:*</c>).
/// The log is off until <see cref="Folder"/> is set: logged feature values are personal data in most
/// deployments, so keeping them is a decision, not a default.
/// </summary>
public sealed class PredictionLogOptions
{
    /// <summary>The folder of the <c>predictions-*.jsonl</c> files, created readable by its owner only (0700); null turns the log (and feedback) off.</summary>
    /// <value>The default value is null.</value>
    public string? Folder { get; set; }

    /// <summary>How many requests may wait for the writer; a request beyond it is dropped from the log (and counted), never slowed.</summary>
    /// <value>The default value is 65,536.</value>
    public int QueueCapacity { get; set; } = 65_536;

    /// <summary>A file is closed and a new one started when it reaches this size.</summary>
    /// <value>The default value is 64 MiB.</value>
    public long MaxFileBytes { get; set; } = 64L * 1024 * 1024;

    /// <summary>A file is closed and a new one started when it is this old.</summary>
    /// <value>The default value is one hour.</value>
    public TimeSpan MaxFileAge { get; set; } = TimeSpan.FromHours(1);

    /// <summary>Retention by size: the oldest files are deleted while all files together are larger.</summary>
    /// <value>The default value is 1 GiB.</value>
    public long MaxTotalBytes { get; set; } = 1024L * 1024 * 1024;

    /// <summary>Retention by age: a file whose last line is older is deleted.</summary>
    /// <value>The default value is 7 days.</value>
    public TimeSpan MaxAge { get; set; } = TimeSpan.FromDays(7);

    /// <summary>How long written lines may stay in memory before they are flushed to the file.</summary>
    /// <value>The default value is 200 milliseconds.</value>
    public TimeSpan FlushInterval { get; set; } = TimeSpan.FromMilliseconds(200);

    /// <summary>After a write fails (a full disk, a folder that cannot be written), how long until the writer tries a new file.</summary>
    /// <value>The default value is 10 seconds.</value>
    public TimeSpan RetryInterval { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>How many recent predictions are remembered for joining feedback (the oldest are forgotten first).</summary>
    /// <value>The default value is 200,000.</value>
    public int RememberedPredictions { get; set; } = 200_000;

    /// <summary>How many labelled predictions each model version keeps for live metrics (the oldest are forgotten first).</summary>
    /// <value>The default value is 100,000.</value>
    public int LabelledPerVersion { get; set; } = 100_000;

    /// <summary>The settings that are out of range, each as a sentence naming the key; empty when all are fine.</summary>
    /// <param name="prefix">Prefixes each key, for example <c>Mlops:PredictionLog:</c>.</param>
    public IReadOnlyList<string> Problems(string prefix)
    {
        var problems = new List<string>();
        void Positive(string key, double value)
        {
            if (!(value > 0))
            {
                problems.Add($"{prefix}{key} is {value}; it must be above 0.");
            }
        }

        Positive(nameof(QueueCapacity), QueueCapacity);
        Positive(nameof(MaxFileBytes), MaxFileBytes);
        Positive(nameof(MaxFileAge), MaxFileAge.TotalMilliseconds);
        Positive(nameof(MaxTotalBytes), MaxTotalBytes);
        Positive(nameof(MaxAge), MaxAge.TotalMilliseconds);
        Positive(nameof(FlushInterval), FlushInterval.TotalMilliseconds);
        Positive(nameof(RetryInterval), RetryInterval.TotalMilliseconds);
        Positive(nameof(RememberedPredictions), RememberedPredictions);
        Positive(nameof(LabelledPerVersion), LabelledPerVersion);
        if (Folder is { Length: 0 })
        {
            problems.Add($"{prefix}Folder is empty; give a folder, or remove the key to turn the log off.");
        }

        return problems;
    }
}
