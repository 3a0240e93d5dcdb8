namespace Mlops.Pipeline.Tracking;

/// <summary>What a run produced; see <see cref="RunStore.CompleteRunAsync"/>. Everything is written in one transaction.</summary>
public sealed record RunCompletion
{
    /// <summary>The metrics measured during training (evaluation may add more later with <see cref="RunStore.AddMetricsAsync"/>).</summary>
    public IReadOnlyList<RunMetric> Metrics { get; init; } = [];

    /// <summary>The saved model, or null when none was written.</summary>
    public RunArtifact? Artifact { get; init; }

    /// <summary>Parameters learned only while training (effective defaults); added to those recorded at the start, replacing equal names.</summary>
    public IReadOnlyDictionary<string, string> Params { get; init; } = new Dictionary<string, string>();

    /// <summary>JSON documents to attach by name, for example an evaluation report.</summary>
    public IReadOnlyDictionary<string, string> Attachments { get; init; } = new Dictionary<string, string>();
}
