using Mlops.Pipeline.History;

namespace Mlops.Pipeline.Ci;

/// <summary>A model a change touches: CI trains, evaluates and gates it.</summary>
/// <param name="Model">The model's name.</param>
/// <param name="Path">Its declaration file at the head commit.</param>
/// <param name="Reasons">Why it is selected, in words (for example <c>feature set customer changed (features/customer.yaml)</c>).</param>
public sealed record PlannedModel(string Model, string Path, IReadOnlyList<string> Reasons);

/// <summary>An environment a change touches: its file changed, or a selected model is gated against it.</summary>
/// <param name="Environment">The environment's name.</param>
/// <param name="Path">Its file.</param>
/// <param name="Reasons">Why it is selected, in words.</param>
/// <param name="Diff">What the change to its file deploys (<c>mlops diff</c>); null when the file did not change or cannot be read.</param>
/// <param name="Error">Why the change cannot be explained (the file has errors at one of the commits); null otherwise.</param>
public sealed record PlannedEnvironment(string Environment, string Path, IReadOnlyList<string> Reasons, EnvironmentDiff? Diff, string? Error)
{
    /// <summary>True when the environment's file differs between the two commits.</summary>
    public bool FileChanged => Diff is not null || Error is not null;
}

/// <summary>
/// Which models and environments a change between two commits touches (<c>mlops ci plan</c>): what a pull request's
/// CI job trains and gates, and whose environment diffs its comment explains. Built by <see cref="CiPlanner"/>.
/// </summary>
/// <param name="Base">The base commit's full sha.</param>
/// <param name="Head">The head commit's full sha.</param>
/// <param name="ChangedFiles">The declaration and data files that differ, by path in ordinal order.</param>
/// <param name="Models">The models selected, by name.</param>
/// <param name="Environments">The environments selected, by name.</param>
public sealed record CiPlan(string Base, string Head, IReadOnlyList<string> ChangedFiles, IReadOnlyList<PlannedModel> Models, IReadOnlyList<PlannedEnvironment> Environments)
{
    /// <summary>The diffs of the environments whose files changed and could be read, by environment name.</summary>
    public IReadOnlyList<EnvironmentDiff> Diffs => [.. Environments.Select(e => e.Diff).OfType<EnvironmentDiff>()];
}

/// <summary>A plan cannot be made: the folder is not a repository, or a revision names no commit. The CLI exits 2.</summary>
public sealed class CiPlanException(string message, Exception? inner = null) : Exception(message, inner);
