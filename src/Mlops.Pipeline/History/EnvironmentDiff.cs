using System.Text.Json;
using Mlops.Declarations.Diagnostics;
using Mlops.Declarations.Environments;
using Mlops.Pipeline.Promotion;
using Mlops.Pipeline.Registry;
using Mlops.Runtime.Git;
using Mlops.Runtime.Store;

namespace Mlops.Pipeline.History;

/// <summary>How a model's pin changed between two versions of an environment file.</summary>
public enum ModelChangeKind
{
    /// <summary>The model was not served before.</summary>
    Added,

    /// <summary>The model is no longer served.</summary>
    Removed,

    /// <summary>Its version, digest, feature set, canary, shadow or another setting changed.</summary>
    Changed,
}

/// <summary>
/// One model's change in an environment diff. <see cref="MetricsDelta"/>, <see cref="GateVerdict"/> and
/// <see cref="DigestsInStore"/> are hooks the caller fills (<see cref="EnvironmentDiff.Annotate"/>,
/// <see cref="EnvironmentDiff.CheckStoreAsync"/>) before rendering.
/// </summary>
/// <param name="Model">The model.</param>
/// <param name="Kind">Added, removed or changed.</param>
/// <param name="Before">The pin before; null when added.</param>
/// <param name="After">The pin after; null when removed.</param>
public sealed record ModelChange(string Model, ModelChangeKind Kind, PinnedModel? Before, PinnedModel? After)
{
    /// <summary>The metric deltas for reviewers (for example <c>auc +0.012</c>), set by the caller; Markdown allowed.</summary>
    public string? MetricsDelta { get; init; }

    /// <summary>The gate verdict for reviewers (for example <c>passed (4 rules)</c>), set by the caller; Markdown allowed.</summary>
    public string? GateVerdict { get; init; }

    /// <summary>For each of <see cref="NewDigests"/>, whether the store holds it; null when not checked.</summary>
    public IReadOnlyDictionary<string, bool>? DigestsInStore { get; init; }

    /// <summary>True when the primary version changed.</summary>
    public bool VersionChanged => Before?.Version != After?.Version;

    /// <summary>
    /// The bundles the change deploys that were not deployed before: the primary's, the canary's and the shadow's
    /// digests after the change that no role held before, with the role and version each serves as.
    /// </summary>
    public IReadOnlyList<(string Role, int Version, string Digest)> NewDigests
    {
        get
        {
            if (After is null)
            {
                return [];
            }

            var old = new HashSet<string>(StringComparer.Ordinal);
            if (Before is { } before)
            {
                old.Add(before.Digest);
                if (before.Canary is { } c)
                {
                    old.Add(c.Digest);
                }

                if (before.Shadow is { } s)
                {
                    old.Add(s.Digest);
                }
            }

            var result = new List<(string, int, string)>();
            if (!old.Contains(After.Digest))
            {
                result.Add(("primary", After.Version, After.Digest));
            }

            if (After.Canary is { } canary && !old.Contains(canary.Digest))
            {
                result.Add(("canary", canary.Version, canary.Digest));
            }

            if (After.Shadow is { } shadow && !old.Contains(shadow.Digest))
            {
                result.Add(("shadow", shadow.Version, shadow.Digest));
            }

            return result;
        }
    }

    /// <summary>What changed, in words: <c>promoted v7 → v8</c>, <c>canary v8 at 10%</c>, <c>digest changed without a new version</c>, ...</summary>
    public IReadOnlyList<string> Changes
    {
        get
        {
            if (Before is null)
            {
                return ["added"];
            }

            if (After is null)
            {
                return ["removed"];
            }

            var changes = new List<string>();
            var completed = Before.Canary is { } oldCanary && After.Canary is null && oldCanary.Version == After.Version && Before.Version != After.Version;
            if (completed)
            {
                changes.Add("canary completed");
            }
            else if (Before.Version != After.Version)
            {
                changes.Add(After.Version > Before.Version ? "promoted" : "rolled back");
            }
            else if (Before.Digest != After.Digest)
            {
                changes.Add("**digest changed without a new version**");
            }

            if (!Equals(Before.FeatureSet, After.FeatureSet) || Before.FeatureSetDigest != After.FeatureSetDigest)
            {
                changes.Add($"feature set {Before.FeatureSet?.ToString() ?? "(none)"} → {After.FeatureSet?.ToString() ?? "(none)"}"
                    + (Equals(Before.FeatureSet, After.FeatureSet) ? " (schema digest changed)" : ""));
            }

            switch (Before.Canary, After.Canary)
            {
                case (null, { } started):
                    changes.Add($"canary v{started.Version} at {started.Weight}%");
                    break;
                case ({ } old, null) when !completed:
                    changes.Add($"canary v{old.Version} removed");
                    break;
                case ({ } old, { } now) when old.Version != now.Version || old.Digest != now.Digest:
                    changes.Add($"canary v{old.Version} → v{now.Version} at {now.Weight}%");
                    break;
                case ({ } old, { } now) when old.Weight != now.Weight:
                    changes.Add($"canary v{now.Version} {old.Weight}% → {now.Weight}%");
                    break;
            }

            switch (Before.Shadow, After.Shadow)
            {
                case (null, { } started):
                    changes.Add($"shadow v{started.Version}");
                    break;
                case ({ } old, null):
                    changes.Add($"shadow v{old.Version} removed");
                    break;
                case ({ } old, { } now) when old != now:
                    changes.Add($"shadow v{old.Version} → v{now.Version}");
                    break;
            }

            if (Before.Enabled != After.Enabled)
            {
                changes.Add(After.Enabled ? "switched on" : "switched off (fallback serves)");
            }

            if (changes.Count == 0)
            {
                changes.Add("settings changed");
            }

            return changes;
        }
    }
}

/// <summary>
/// What a change to an environment file deploys, model by model, for a reviewer: <c>mlops diff</c>. Build it from two
/// texts, two declarations or two git revisions; add store checks and the caller's metrics and gate verdicts; render
/// it with <see cref="EnvironmentDiffMarkdown"/>.
/// </summary>
/// <param name="Environment">The environment's name.</param>
/// <param name="Path">The environment file.</param>
/// <param name="Changes">One entry per model whose pin changed, by model name.</param>
/// <param name="OtherChanges">Top-level settings that changed besides the models: <c>requires</c>, <c>monitoring</c>, <c>description</c>.</param>
public sealed record EnvironmentDiff(string Environment, string Path, IReadOnlyList<ModelChange> Changes, IReadOnlyList<string> OtherChanges)
{
    /// <summary>True when nothing changed.</summary>
    public bool IsEmpty => Changes.Count == 0 && OtherChanges.Count == 0;

    /// <summary>Compares two declarations of one environment; null stands for a file that does not exist.</summary>
    public static EnvironmentDiff Compare(string environment, string path, EnvironmentSpec? before, EnvironmentSpec? after)
    {
        var oldPins = before?.Models ?? [];
        var newPins = after?.Models ?? [];
        var changes = oldPins.Select(p => p.Model).Union(newPins.Select(p => p.Model)).Order(StringComparer.Ordinal)
            .Select(model => (Model: model, Before: oldPins.FirstOrDefault(p => p.Model == model), After: newPins.FirstOrDefault(p => p.Model == model)))
            .Where(c => Json(c.Before) != Json(c.After))
            .Select(c => new ModelChange(c.Model, c.Before is null ? ModelChangeKind.Added : c.After is null ? ModelChangeKind.Removed : ModelChangeKind.Changed, c.Before, c.After))
            .ToList();
        var other = new List<string>();
        if (Json(before?.Requires) != Json(after?.Requires))
        {
            other.Add("requires");
        }

        if (Json(before?.Monitoring) != Json(after?.Monitoring))
        {
            other.Add("monitoring");
        }

        if (before?.Description != after?.Description)
        {
            other.Add("description");
        }

        return new EnvironmentDiff(environment, path, changes, other);
    }

    /// <summary>Compares two texts of an environment file; null stands for a file that does not exist.</summary>
    /// <exception cref="EnvironmentEditException">A text has errors (listed).</exception>
    public static EnvironmentDiff Compare(string environment, string path, string? before, string? after) =>
        Compare(environment, path, Parse(path, before), Parse(path, after));

    /// <summary>Compares an environment file at two revisions (branches, tags, shas).</summary>
    /// <exception cref="ArgumentException">A revision does not name a commit.</exception>
    public static EnvironmentDiff BetweenRevisions(string repositoryPath, string environment, string baseRevision, string targetRevision = "HEAD")
    {
        using var repository = ModelRegistry.Open(repositoryPath);
        var (baseCommit, target) = (Resolve(repository, baseRevision), Resolve(repository, targetRevision));
        return Between(repository, baseCommit, target, environment);
    }

    /// <summary>Compares every environment file that differs between two revisions, by environment name.</summary>
    /// <exception cref="ArgumentException">A revision does not name a commit.</exception>
    public static IReadOnlyList<EnvironmentDiff> BetweenRevisions(string repositoryPath, string baseRevision, string targetRevision = "HEAD")
    {
        using var repository = ModelRegistry.Open(repositoryPath);
        var (baseCommit, target) = (Resolve(repository, baseRevision), Resolve(repository, targetRevision));
        return [.. EnvironmentHistory.Environments(repository, baseCommit).Union(EnvironmentHistory.Environments(repository, target)).Order(StringComparer.Ordinal)
            .Where(e => EnvironmentHistory.PathIn(repository, target, e) is var path
                && repository.FindFile(baseCommit, path)?.Id != repository.FindFile(target, path)?.Id)
            .Select(e => Between(repository, baseCommit, target, e))
            .Where(d => !d.IsEmpty)];
    }

    /// <summary>Lets the caller attach metrics deltas and gate verdicts (or anything else) to each change.</summary>
    public EnvironmentDiff Annotate(Func<ModelChange, ModelChange> annotate)
    {
        ArgumentNullException.ThrowIfNull(annotate);
        return this with { Changes = [.. Changes.Select(annotate)] };
    }

    /// <summary>Records, for every new digest, whether <paramref name="store"/> holds it.</summary>
    public async Task<EnvironmentDiff> CheckStoreAsync(IBundleStore store, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(store);
        var changes = new List<ModelChange>();
        foreach (var change in Changes)
        {
            var present = new Dictionary<string, bool>(StringComparer.Ordinal);
            foreach (var (_, _, digest) in change.NewDigests)
            {
                present[digest] = await store.ExistsAsync(digest, cancellationToken).ConfigureAwait(false);
            }

            changes.Add(change with { DigestsInStore = present });
        }

        return this with { Changes = changes };
    }

    /// <summary>One line: <c>churn v7 -> v8; upsell added v1</c>.</summary>
    public string Summary() => Changes.Count == 0
        ? OtherChanges.Count == 0 ? "no changes" : "changed " + string.Join(", ", OtherChanges)
        : string.Join("; ", Changes.Select(c => $"{c.Model} {Promoter.Describe(c.Before)} -> {Promoter.Describe(c.After)}"));

    private static EnvironmentDiff Between(GitRepository repository, string baseCommit, string target, string environment)
    {
        var path = EnvironmentHistory.PathIn(repository, target, environment);
        string? Text(string commit) => repository.ReadText(commit, EnvironmentHistory.PathIn(repository, commit, environment));
        return Compare(environment, path, Text(baseCommit), Text(target));
    }

    private static string Resolve(GitRepository repository, string revision) =>
        repository.FindCommit(revision)?.Sha
        ?? throw new ArgumentException($"'{revision}' does not name a commit in the repository. Pass a branch, tag or sha.", nameof(revision));

    private static EnvironmentSpec? Parse(string path, string? text)
    {
        if (text is null)
        {
            return null;
        }

        var result = EnvironmentParser.Parse(path, text);
        var errors = result.Diagnostics.Where(d => d.Severity == Severity.Error).ToList();
        return errors.Count == 0 && result.Declaration is { } declaration
            ? declaration.Value
            : throw new EnvironmentEditException($"{path} has errors, so its changes cannot be explained; fix them first (mlops validate):" + string.Concat(errors.Select(e => "\n  " + e)));
    }

    private static string Json<T>(T value) => JsonSerializer.Serialize(value);
}
