using System.ComponentModel.DataAnnotations;
using Microsoft.Extensions.Options;
using Mlops.Runtime.Bundles;
using Mlops.Runtime.Monitoring.Predictions;
using Mlops.Runtime.Serving.Batching;

namespace Mlops.Server.Hosting;

/// <summary>What the server serves and how; bound from the configuration section <c>Mlops</c>.</summary>
public sealed class ServeOptions
{
    /// <summary>The configuration section.</summary>
    public const string Section = "Mlops";

    /// <summary>The environment whose file is served (<c>environments/NAME.yaml</c>).</summary>
    /// <value>The default value is <c>staging</c>.</value>
    [Required]
    public string Environment { get; set; } = "staging";

    /// <summary>The repository folder holding the environment file (ignored when <see cref="GitUrl"/> is set).</summary>
    /// <value>The default value is the current folder.</value>
    public string Repo { get; set; } = ".";

    /// <summary>A git remote to poll for the environment file instead of a folder.</summary>
    /// <value>The default value is null (read the folder).</value>
    public string? GitUrl { get; set; }

    /// <summary>The branch of <see cref="GitUrl"/> to follow.</summary>
    /// <value>The default value is <c>main</c>.</value>
    public string Branch { get; set; } = "main";

    /// <summary>The bundle store: a folder or <c>s3://BUCKET/PREFIX</c>; null uses <c>MLOPS_STORE</c>, else <c>.mlops/store</c> under <see cref="Repo"/>.</summary>
    /// <value>The default value is null.</value>
    public string? Store { get; set; }

    /// <summary>Where verified bundles (and the git cache clone) are kept.</summary>
    /// <value>The default value is <c>.mlops/serve-cache</c> under <see cref="Repo"/>.</value>
    public string? CacheFolder { get; set; }

    /// <summary>How often the environment file is read again.</summary>
    /// <value>The default value is 30 seconds.</value>
    public TimeSpan PollInterval { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>How long a version stays loaded after a swap, for an instant rollback.</summary>
    /// <value>The default value is ten minutes.</value>
    public TimeSpan RetainPrevious { get; set; } = TimeSpan.FromMinutes(10);

    /// <summary>
    /// Which runtime serves a bundle that carries an ONNX export next to its ML.NET model
    /// (<c>Mlops:Runtime</c>: <c>mlnet</c> or <c>onnx</c>; docs/serving.md, "Choosing the runtime").
    /// A bundle with one model is served by that model's runtime either way.
    /// </summary>
    /// <value>The default value is <c>mlnet</c>.</value>
    public string Runtime { get; set; } = "mlnet";

    /// <summary><see cref="Runtime"/> as a model format, or null when it names no runtime this server has.</summary>
    internal ModelFormat? RuntimeFormat => Runtime?.ToUpperInvariant() switch
    {
        "MLNET" => ModelFormat.MlNet,
        "ONNX" => ModelFormat.Onnx,
        _ => null,
    };

    /// <summary>The token <c>POST /admin/reload</c> requires as <c>Authorization: Bearer TOKEN</c>; admin actions are off without one.</summary>
    /// <value>The default value is null.</value>
    public string? AdminToken { get; set; }

    /// <summary>
    /// The inference token (<c>Mlops:InferenceToken</c>): when set, scoring and feedback routes need
    /// <c>Authorization: Bearer TOKEN</c> (<see cref="Hosting.InferenceToken"/>). Unset, they are open, as behind a mesh.
    /// </summary>
    public string? InferenceToken { get; set; }

    /// <summary>The largest request body accepted; a larger one gets 413.</summary>
    /// <value>The default value is 1 MiB.</value>
    [Range(1024, 1024 * 1024 * 1024)]
    public long MaxBodyBytes { get; set; } = 1024 * 1024;

    /// <summary>The most rows one request may carry.</summary>
    /// <value>The default value is 10,000.</value>
    [Range(1, 1_000_000)]
    public int MaxRows { get; set; } = 10_000;

    /// <summary>How often the monitor compares the open windows with the references (drift, figures, alerts), in seconds.</summary>
    /// <value>The default value is 5.</value>
    [Range(0.05, 3600)]
    public double MonitorEvaluateSeconds { get; set; } = 5;

    /// <summary>
    /// Dynamic batching of single-row requests (<c>Mlops:Batching:Enabled</c>, <c>:MaxBatchSize</c>,
    /// <c>:MaxDelay</c>, <c>:ConcurrentBatches</c>); checked when the server starts.
    /// </summary>
    /// <value>The default value is off.</value>
    public BatchingOptions Batching { get; set; } = new();

    /// <summary>
    /// The prediction log and feedback (<c>Mlops:PredictionLog:Folder</c>, <c>:MaxFileBytes</c>,
    /// <c>:MaxFileAge</c>, <c>:MaxTotalBytes</c>, <c>:MaxAge</c>, <c>:QueueCapacity</c>, ...; docs/monitoring.md);
    /// checked when the server starts.
    /// </summary>
    /// <value>The default value is off (no folder).</value>
    public PredictionLogOptions PredictionLog { get; set; } = new();

    /// <summary>Live monitoring of served versions (<c>Mlops:Monitoring:Enabled</c>): windows, drift, alerts; docs/monitoring.md.</summary>
    /// <value>The default value is on.</value>
    public MonitoringOptions Monitoring { get; set; } = new();

    /// <summary>Prometheus metrics at <c>GET /metrics</c> (<c>Mlops:Metrics:Enabled</c>); docs/monitoring.md lists the series.</summary>
    /// <value>The default value is on.</value>
    public MetricsOptions Metrics { get; set; } = new();

    /// <summary>The read-only web UI at <c>/ui/</c> (<c>Mlops:Ui</c>): who may see it; docs/ui.md.</summary>
    /// <value>The default value is on, open on loopback, and asking for a viewer token elsewhere.</value>
    public UiOptions Ui { get; set; } = new();
}

/// <summary>The <c>Mlops:Ui</c> section.</summary>
public sealed class UiOptions
{
    /// <summary>Whether <c>/ui/</c> is served; off, its pages answer 404.</summary>
    /// <value>The default value is true.</value>
    public bool Enabled { get; set; } = true;

    /// <summary>
    /// The viewer token (<c>Mlops:Ui:ViewerToken</c>, environment variable <c>Mlops__Ui__ViewerToken</c>): asked of
    /// requests that do not come from loopback. Separate from the admin token, which can change state.
    /// </summary>
    public string? ViewerToken { get; set; }

    /// <summary>Whether the UI is shown to anyone who reaches it without a token (<c>Mlops:Ui:Open</c>); say so only behind your own access control.</summary>
    /// <value>The default value is false.</value>
    public bool Open { get; set; }
}

/// <summary>The <c>Mlops:Monitoring</c> section.</summary>
public sealed class MonitoringOptions
{
    /// <summary>Whether answered requests are recorded into the monitor's windows; off, <c>GET /monitoring</c> reports empty windows and no alert fires on them.</summary>
    /// <value>The default value is true.</value>
    public bool Enabled { get; set; } = true;

    /// <summary>
    /// The most rows a second whose features are recorded into the windows (<c>Mlops:Monitoring:MaxRowsPerSecond</c>);
    /// above it the rows of further requests that second are left out (their latency and outcome are still counted),
    /// so the windows hold a sample of the traffic (docs/monitoring.md).
    /// </summary>
    /// <value>The default value is 2,000.</value>
    public long MaxRowsPerSecond { get; set; } = 2_000;
}

/// <summary>The <c>Mlops:Metrics</c> section.</summary>
public sealed class MetricsOptions
{
    /// <summary>Whether <c>GET /metrics</c> is served and requests are recorded; off, <c>/metrics</c> is 404 and recording costs nothing.</summary>
    /// <value>The default value is true.</value>
    public bool Enabled { get; set; } = true;
}

/// <summary>Checks the nested <see cref="ServeOptions.Batching"/> section, which data annotations on <see cref="ServeOptions"/> do not reach.</summary>
internal sealed class BatchingOptionsValidation : IValidateOptions<ServeOptions>
{
    public ValidateOptionsResult Validate(string? name, ServeOptions options) =>
        options.Batching is null ? ValidateOptionsResult.Fail("Mlops:Batching is null; remove the key or give it Enabled, MaxBatchSize, MaxDelay.")
        : options.Batching.Problems("Mlops:Batching: ") is { Count: > 0 } problems ? ValidateOptionsResult.Fail(problems)
        : options.PredictionLog is null ? ValidateOptionsResult.Fail("Mlops:PredictionLog is null; remove the key or give it Folder.")
        : options.PredictionLog.Problems("Mlops:PredictionLog:") is { Count: > 0 } logProblems ? ValidateOptionsResult.Fail(logProblems)
        : options.RuntimeFormat is null ? ValidateOptionsResult.Fail($"Mlops:Runtime is '{options.Runtime}'; use 'mlnet' (the default: the bundle's ML.NET model) or 'onnx' (the bundle's ONNX export through ONNX Runtime).")
        : options.Monitoring is null ? ValidateOptionsResult.Fail("Mlops:Monitoring is null; remove the key or give it Enabled, MaxRowsPerSecond.")
        : options.Monitoring.MaxRowsPerSecond < 1 ? ValidateOptionsResult.Fail($"Mlops:Monitoring:MaxRowsPerSecond is {options.Monitoring.MaxRowsPerSecond}; give at least 1 (rows a second recorded into the monitor's windows), or turn monitoring off with Mlops:Monitoring:Enabled=false.")
        : ValidateOptionsResult.Success;
}
