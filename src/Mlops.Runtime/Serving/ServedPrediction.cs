using Mlops.Runtime.Scoring;

namespace Mlops.Runtime.Serving;

/// <summary>Which part of a served model answered.</summary>
public enum ServedRole
{
    /// <summary>The pinned version.</summary>
    Primary,

    /// <summary>The canary version.</summary>
    Canary,

    /// <summary>The fallback (a constant or another model).</summary>
    Fallback,

    /// <summary>A version addressed explicitly by the request.</summary>
    Explicit,
}

/// <summary>A prediction and where it came from: enough to trace it to <c>MODEL@vN</c> and the environment commit.</summary>
/// <param name="Prediction">The answer.</param>
/// <param name="Model">The model that answered (the fallback model's name when one did).</param>
/// <param name="Version">Its version; 0 for a constant fallback.</param>
/// <param name="Digest">Its bundle digest; null for a constant fallback.</param>
/// <param name="Commit">The environment commit that pinned it.</param>
/// <param name="Role">Primary, canary, fallback or an explicitly asked version.</param>
/// <param name="Reason">Why a fallback answered, if one did.</param>
public sealed record ServedPrediction(Prediction Prediction, string Model, int Version, string? Digest, string? Commit, ServedRole Role, string? Reason = null);

/// <summary>A batch's predictions and where they came from: one version answered every row.</summary>
/// <param name="Predictions">The answers, by column.</param>
/// <param name="Model">The model that answered (the fallback model's name when one did).</param>
/// <param name="Version">Its version; 0 for a constant fallback.</param>
/// <param name="Digest">Its bundle digest; null for a constant fallback.</param>
/// <param name="Commit">The environment commit that pinned it.</param>
/// <param name="Role">Primary, canary, fallback or an explicitly asked version.</param>
/// <param name="Reason">Why a fallback answered, if one did.</param>
public sealed record ServedBatch(BatchPredictions Predictions, string Model, int Version, string? Digest, string? Commit, ServedRole Role, string? Reason = null)
{
    /// <summary>The shadow's predictions for the same rows, when a shadow is served (for the monitor; never returned to the caller).</summary>
    public ShadowResult? Shadow { get; init; }

    /// <summary>One row's answer, as a single-row request would have it.</summary>
    /// <param name="row">The row, from 0.</param>
    public ServedPrediction Row(int row) => new(Predictions[row], Model, Version, Digest, Commit, Role, Reason);
}

/// <summary>No answer could be given: the model is off or failing and has no fallback.</summary>
public sealed class ModelUnavailableException(string message, Exception? inner = null) : Exception(message, inner);

/// <summary>How answers and logs name who answered: primary, canary, fallback, explicit.</summary>
public static class ServedRoleNames
{
    /// <summary>The written name of a role.</summary>
    /// <param name="role">The role.</param>
    public static string Of(ServedRole role) => role switch
    {
        ServedRole.Primary => "primary",
        ServedRole.Canary => "canary",
        ServedRole.Fallback => "fallback",
        ServedRole.Explicit => "explicit",
        _ => role.ToString().ToLowerInvariant(),
    };
}
