using Mlops.Declarations.Environments;

namespace Mlops.Runtime.Monitoring.Alerts;

/// <summary>
/// One measurement of one rule for one served version, handed to <see cref="AlertEngine.Observe"/> by whatever computes it
/// (the server's live windows, <c>mlops monitor check</c>, a test).
/// </summary>
/// <param name="Rule">The rule measured, from the environment file.</param>
/// <param name="Model">The model's name.</param>
/// <param name="Version">The served version (primary, canary or shadow).</param>
/// <param name="Value">
/// The figure the rule compares: for <c>drift</c> 1 when the data set drifted and 0 when not; for <c>nullRate</c> the largest
/// null rate of any feature; a ratio from 0 to 1 for rates; milliseconds for latency; the live metric itself. Null when the
/// window cannot tell (too few rows, no feedback yet): an inconclusive value neither fires nor resolves an alert.
/// </param>
/// <param name="Detail">What the value is made of, shown in the message: for drift the drifted features, for a null rate the feature.</param>
/// <param name="Training">The version's training figure of the rule's metric, for rules such as <c>auc &lt; training - 0.05</c>; without it such a rule is inconclusive.</param>
public sealed record AlertObservation(AlertRule Rule, string Model, int Version, double? Value, string? Detail = null, double? Training = null);

/// <summary>The environment's last promotion, named in every alert message: the first suspect when something breaks.</summary>
/// <param name="Commit">The commit's full sha.</param>
/// <param name="Author">Its author, as <c>Name &lt;email&gt;</c>.</param>
/// <param name="Time">When it landed on the branch.</param>
/// <param name="Subject">The first line of its message.</param>
public sealed record PromotionInfo(string Commit, string Author, DateTimeOffset Time, string? Subject = null);

/// <summary>Where an alert stands for one rule, model and version, as in Prometheus.</summary>
public enum AlertPhase
{
    /// <summary>The condition does not hold (or never did); nothing is kept.</summary>
    Inactive,

    /// <summary>The condition holds, for less time than the rule's <c>for</c>.</summary>
    Pending,

    /// <summary>The condition has held for the rule's <c>for</c>; a firing message was sent.</summary>
    Firing,
}

/// <summary>What a notification announces.</summary>
public enum AlertNotificationStatus
{
    /// <summary>The alert started firing.</summary>
    Firing,

    /// <summary>A firing alert's condition stopped holding.</summary>
    Resolved,
}

/// <summary>The state of one pending or firing alert.</summary>
/// <param name="Rule">The rule.</param>
/// <param name="Model">The model.</param>
/// <param name="Version">The version.</param>
/// <param name="Phase">Pending or firing.</param>
/// <param name="ActiveSince">When the breach began (the first breaching observation).</param>
/// <param name="Value">The last value observed.</param>
/// <param name="Threshold">The threshold it was compared with.</param>
/// <param name="Detail">The last observation's detail.</param>
public sealed record AlertState(AlertRule Rule, string Model, int Version, AlertPhase Phase, DateTimeOffset ActiveSince, double Value, double Threshold, string? Detail);

/// <summary>One message: an alert fired, or resolved. The log line and the webhook's JSON are made from it (<see cref="AlertMessage"/>).</summary>
/// <param name="Status">Firing or resolved.</param>
/// <param name="Environment">The environment whose file declares the rule.</param>
/// <param name="Model">The model.</param>
/// <param name="Version">The version.</param>
/// <param name="Rule">The rule.</param>
/// <param name="Value">The value that fired it, or, when resolved, the first value that no longer breached.</param>
/// <param name="Threshold">The threshold it was compared with.</param>
/// <param name="Detail">What the value is made of (drifted features).</param>
/// <param name="StartsAt">When the breach began.</param>
/// <param name="EndsAt">When it was seen to end; null while firing.</param>
/// <param name="LastPromotion">The environment's last promotion, when known.</param>
/// <param name="RollbackCommand">The exact command that undoes it: <c>mlops rollback ENV</c>.</param>
/// <param name="RunbookLink">The rule's runbook, as a link when a base address is configured.</param>
public sealed record AlertNotification(
    AlertNotificationStatus Status,
    string Environment,
    string Model,
    int Version,
    AlertRule Rule,
    double Value,
    double Threshold,
    string? Detail,
    DateTimeOffset StartsAt,
    DateTimeOffset? EndsAt,
    PromotionInfo? LastPromotion,
    string RollbackCommand,
    string? RunbookLink);

/// <summary>Receives the engine's notifications; must return at once and never throw (the engine runs on the caller's thread).</summary>
public interface IAlertPublisher
{
    /// <summary>Hands a notification over for logging and delivery.</summary>
    void Publish(AlertNotification notification);
}
