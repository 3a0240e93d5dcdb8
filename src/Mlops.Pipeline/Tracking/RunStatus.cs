namespace Mlops.Pipeline.Tracking;

/// <summary>Where a run stands. Stored as lowercase text (<c>running</c>, <c>succeeded</c>, <c>failed</c>).</summary>
public enum RunStatus
{
    /// <summary>Started and neither completed nor failed yet.</summary>
    Running,

    /// <summary>Completed: its metrics and artifact are recorded, and it can serve as a cache hit.</summary>
    Succeeded,

    /// <summary>Failed: its error is recorded; it never serves as a cache hit.</summary>
    Failed,

    /// <summary>
    /// Never stored: a run still <c>running</c> in the database whose recording process is gone from this
    /// machine (it crashed or was killed). Reported when a run is read, so the database is never rewritten by a reader.
    /// </summary>
    Abandoned,
}
