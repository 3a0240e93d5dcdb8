using System.ComponentModel.DataAnnotations;
using Mlops.Runtime.Bundles;
using Mlops.Runtime.Scoring;
using Mlops.Runtime.Serving.Batching;

namespace Mlops.Runtime.Reconcile;

/// <summary>How the model host reconciles.</summary>
public sealed class ModelHostOptions
{
    /// <summary>How often the environment file is read again (and the remote fetched).</summary>
    /// <value>The default value is 30 seconds.</value>
    [Range(typeof(TimeSpan), "00:00:00.010", "1.00:00:00")]
    public TimeSpan PollInterval { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>How long a version stays loaded after it stopped being served, so a rollback to it is instant.</summary>
    /// <value>The default value is ten minutes.</value>
    [Range(typeof(TimeSpan), "00:00:00", "7.00:00:00")]
    public TimeSpan RetainPrevious { get; set; } = TimeSpan.FromMinutes(10);

    /// <summary>Where verified bundles are cached; a restart loads them from here without fetching again.</summary>
    /// <value>The default value is <c>.mlops/serve-cache</c> under the current folder.</value>
    [Required]
    public string CacheFolder { get; set; } = Path.Combine(".mlops", "serve-cache");

    /// <summary>How many warm-up scores a version gets before it takes traffic.</summary>
    /// <value>The default value is 4.</value>
    [Range(0, 10_000)]
    public int WarmupRows { get; set; } = 4;

    /// <summary>
    /// Which runtime serves a bundle that carries both an ML.NET model and its ONNX export
    /// (<see cref="Scorers.Load"/>); bundles with one model are served by its runtime.
    /// </summary>
    /// <value>The default value is <see cref="ModelFormat.MlNet"/>.</value>
    public ModelFormat Runtime { get; set; } = ModelFormat.MlNet;

    /// <summary>Dynamic batching of single-row requests, per loaded version.</summary>
    /// <value>The default value is off (<see cref="BatchingOptions.Enabled"/> false).</value>
    [Required]
    public BatchingOptions Batching { get; set; } = new();

    /// <summary>Checks every field (the batching options' too) and reports all problems in one exception.</summary>
    /// <exception cref="ValidationException">A field is out of range.</exception>
    public void Validate()
    {
        var results = new List<ValidationResult>();
        Validator.TryValidateObject(this, new ValidationContext(this), results, validateAllProperties: true);
        var problems = results.Select(r => r.ErrorMessage ?? "").Concat(Batching?.Problems("Batching: ") ?? []).ToList();
        if (problems.Count > 0)
        {
            throw new ValidationException("The model host options are invalid:" + Environment.NewLine + string.Join(Environment.NewLine, problems.Select(p => "  " + p)));
        }
    }
}
