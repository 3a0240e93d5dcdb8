namespace Mlops.Runtime.Reconcile;

/// <summary>Argo CD's sync words: is what is served what the environment file pins?</summary>
public enum SyncStatus
{
    /// <summary>Served equals desired.</summary>
    Synced,

    /// <summary>Served differs from desired (not loaded yet, or refused).</summary>
    OutOfSync,
}

/// <summary>Argo CD's health words.</summary>
public enum HealthStatus
{
    /// <summary>Everything pinned is served.</summary>
    Healthy,

    /// <summary>A reconcile is loading new versions.</summary>
    Progressing,

    /// <summary>Something pinned was refused or cannot answer, or the declarations have errors; the previous version (or the fallback) serves.</summary>
    Degraded,
}

/// <summary>A version and its bundle.</summary>
/// <param name="Version">The version.</param>
/// <param name="Digest">The bundle digest.</param>
public sealed record VersionRef(int Version, string Digest);

/// <summary>One model's status.</summary>
/// <param name="Model">The model's name.</param>
/// <param name="Sync">Synced when every pinned version (primary, canary, shadow) is served.</param>
/// <param name="Health">Healthy, Progressing or Degraded.</param>
/// <param name="Enabled">Whether the environment file has it switched on.</param>
/// <param name="Desired">The pinned primary.</param>
/// <param name="Served">The primary served now, if any.</param>
/// <param name="DesiredCanary">The pinned canary, if any.</param>
/// <param name="ServedCanary">The canary served now, if any.</param>
/// <param name="CanaryWeight">The canary's share, in percent.</param>
/// <param name="Commit">The environment commit the served versions were pinned at.</param>
/// <param name="Message">Why it is degraded or out of sync, if it is.</param>
public sealed record ModelStatus(
    string Model,
    SyncStatus Sync,
    HealthStatus Health,
    bool Enabled,
    VersionRef Desired,
    VersionRef? Served,
    VersionRef? DesiredCanary,
    VersionRef? ServedCanary,
    int CanaryWeight,
    string? Commit,
    string? Message);

/// <summary>The whole status: desired vs served.</summary>
/// <param name="Environment">The environment's name.</param>
/// <param name="Source">Where the environment file is read from.</param>
/// <param name="Sync">Synced when the served commit is the desired one and every model is synced.</param>
/// <param name="Health">The worst health of any model (Degraded over Progressing over Healthy).</param>
/// <param name="DesiredCommit">The commit of the environment file last read.</param>
/// <param name="ServedCommit">The commit last applied in full.</param>
/// <param name="LastReconcile">When the last reconcile finished.</param>
/// <param name="Message">Why the desired state could not be read or was not applied, if so.</param>
/// <param name="Models">Each model's status.</param>
/// <param name="Diagnostics">
/// When the declarations were read but not applied, the findings that block them, as
/// <c>path(line,col): error MLOPSnnnn: message</c> lines (what <c>mlops validate</c> prints); empty otherwise.
/// </param>
public sealed record HostStatus(
    string Environment,
    string Source,
    SyncStatus Sync,
    HealthStatus Health,
    string? DesiredCommit,
    string? ServedCommit,
    DateTimeOffset? LastReconcile,
    string? Message,
    IReadOnlyList<ModelStatus> Models,
    IReadOnlyList<string> Diagnostics);
