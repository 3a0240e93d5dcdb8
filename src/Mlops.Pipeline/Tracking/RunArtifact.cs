namespace Mlops.Pipeline.Tracking;

/// <summary>The file a run produced.</summary>
/// <param name="Path">Where it was written, as the training side reports it (relative to the repository root when inside it).</param>
/// <param name="Digest">Its content address, <c>sha256:...</c>.</param>
public sealed record RunArtifact(string Path, string? Digest);
