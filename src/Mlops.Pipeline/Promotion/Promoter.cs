using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;
using Mlops.Declarations.Environments;
using Mlops.Declarations.Schema;
using Mlops.Pipeline.History;
using Mlops.Pipeline.Registry;
using Mlops.Runtime.Git;
using Mlops.Runtime.Store;

namespace Mlops.Pipeline.Promotion;

/// <summary>
/// Promotes a registered version to an environment: checks it (registered, bundle present, pins in the file match
/// their tags, the environment's requirements met), edits only the lines of <c>environments/ENV.yaml</c> that
/// change, and commits the edit on a new branch <c>promote/MODEL-vN-ENV</c> (or on the current branch) without
/// touching the working tree. Every refusal happens before anything is written.
/// </summary>
public sealed class Promoter
{
    private readonly TimeProvider _time;
    private readonly IBundleStore? _store;
    private readonly GitIdentity? _identity;

    /// <summary>A promoter.</summary>
    /// <param name="time">The clock for commit dates. The default is <see cref="TimeProvider.System"/>.</param>
    /// <param name="store">When given, the promoted version's bundle must be in it.</param>
    /// <param name="identity">Who authors the commits. The default is git's configured <c>user.name</c> and <c>user.email</c>.</param>
    public Promoter(TimeProvider? time = null, IBundleStore? store = null, GitIdentity? identity = null)
    {
        _time = time ?? TimeProvider.System;
        _store = store;
        _identity = identity;
    }

    /// <summary>Called after the commit is built and before the ref is moved; tests use it to make two promotions race.</summary>
    internal Action? BeforeRefUpdate { get; set; }

    /// <summary>The branch a promotion commits to in <see cref="CommitTarget.NewBranch"/> mode: <c>promote/churn-v8-staging</c>, with <c>-canary</c>, <c>-shadow</c>, <c>-complete</c> or <c>-abort</c> appended for those modes.</summary>
    public static string BranchName(string model, int version, string environment, PromotionMode mode = PromotionMode.Full) =>
        $"promote/{model}-v{version.ToString(CultureInfo.InvariantCulture)}-{environment}" + mode switch
        {
            PromotionMode.Canary => "-canary",
            PromotionMode.Shadow => "-shadow",
            PromotionMode.CompleteCanary => "-complete",
            PromotionMode.AbortCanary => "-abort",
            _ => "",
        };

    /// <summary>Runs a promotion.</summary>
    /// <exception cref="PromotionException">The promotion was refused (see <see cref="PromotionException.Failure"/>); nothing was written, except when the push failed.</exception>
    public async Task<PromotionResult> PromoteAsync(PromotionRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        Validate(request);
        using var repository = Open(request.RepositoryPath);
        var baseCommit = repository.Head.Commit ?? throw new PromotionException(PromotionFailure.NotARepository,
            "the repository has no commit yet, so there is no environment file to promote to. Commit the declarations first.");
        var (editor, path) = ReadEnvironment(repository, baseCommit, request.Environment);
        var before = editor.Find(request.Model);
        var version = ResolveVersion(repository, request, before);
        var tag = FindVersion(repository, request.Model, version);

        if (_store is not null && request.Mode != PromotionMode.AbortCanary
            && !await _store.ExistsAsync(tag.BundleDigest, cancellationToken).ConfigureAwait(false))
        {
            throw new PromotionException(PromotionFailure.BundleMissing,
                $"tag {tag.Tag} points to bundle {tag.BundleDigest}, which is not in the store at {_store.Location}, so a server could not load it. Nothing was written; push the bundle again (mlops package {request.Model}) or promote another version.");
        }

        CheckPinnedDigests(repository, editor, before);
        CheckRequirements(repository, baseCommit, editor, request, version);

        var edited = Edit(editor, before, request, tag);
        var after = edited.Find(request.Model);
        var message = Message(request, tag, path, before, after);
        if (edited.Text == editor.Text)
        {
            return new PromotionResult(PromotionStatus.UpToDate, request.Model, version, request.Environment, request.Mode, path,
                baseCommit, baseCommit, null, before, after, message, Pushed: false, WorkingTreeUpdated: false);
        }

        var signature = GitIdentity.TrySign(repository, _identity, _time)
            ?? throw new PromotionException(PromotionFailure.NoIdentity, GitIdentity.MissingMessage);
        var branch = request.Target == CommitTarget.NewBranch ? BranchName(request.Model, version, request.Environment, request.Mode) : null;
        var change = new EnvironmentChange(path, baseCommit, edited.Text, message, request.Target, branch);
        var outcome = EnvironmentCommitWriter.Write(repository, change, signature, BeforeRefUpdate, cancellationToken);
        var pushed = request.PushTo is { } remote && Push(repository, remote, outcome.Branch, outcome.Commit, request.Credentials);
        return new PromotionResult(outcome.Status, request.Model, version, request.Environment, request.Mode, path, baseCommit,
            outcome.Commit, outcome.Branch, before, after, message, pushed, outcome.WorkingTreeUpdated);
    }

    /// <summary>Opens the repository holding <paramref name="path"/>.</summary>
    internal static GitRepository Open(string path)
    {
        try
        {
            return ModelRegistry.Open(path);
        }
        catch (RegistryException e)
        {
            throw new PromotionException(PromotionFailure.NotARepository, e.Message, e);
        }
    }

    /// <summary>Reads and parses an environment file from a commit.</summary>
    internal static (EnvironmentFileEditor Editor, string Path) ReadEnvironment(GitRepository repository, string commit, string environment)
    {
        var path = EnvironmentHistory.PathIn(repository, commit, environment);
        var text = repository.ReadText(commit, path) ?? throw EnvironmentNotFound(repository, commit, environment);
        try
        {
            return (EnvironmentFileEditor.Parse(path, text), path);
        }
        catch (EnvironmentEditException e)
        {
            throw new PromotionException(PromotionFailure.InvalidEnvironmentFile, e.Message, e);
        }
    }

    /// <summary>The error for an environment whose file does not exist in <paramref name="commit"/>, listing those that do.</summary>
    internal static PromotionException EnvironmentNotFound(GitRepository repository, string commit, string environment)
    {
        var known = EnvironmentHistory.Environments(repository, commit);
        return new PromotionException(PromotionFailure.EnvironmentNotFound,
            $"{EnvironmentHistory.PathIn(repository, commit, environment)} does not exist at {EnvironmentCommitWriter.Short(commit)}, so there is no environment '{environment}'. "
            + (known.Count == 0 ? "Declare one in environments/." : $"Environments: {string.Join(", ", known)}."));
    }

    /// <summary>Reads a registered version from its tag.</summary>
    internal static ModelVersion FindVersion(GitRepository repository, string model, int version)
    {
        var name = ModelTag.Name(model, version);
        if (repository.FindTag(name) is not { } tag)
        {
            throw new PromotionException(PromotionFailure.NotRegistered,
                $"{name} is not registered (no such tag), so it cannot be promoted. Nothing was written; list the versions with 'mlops registry list {model}', or package the model first.");
        }

        return ModelRegistry.Read(tag) ?? throw new PromotionException(PromotionFailure.NotRegistered,
            $"tag {name} is not a registry tag (lightweight, or its message lacks the bundle digest), so the version cannot be trusted. Nothing was written; delete the tag and register the bundle again.");
    }

    private static int ResolveVersion(GitRepository repository, PromotionRequest request, PinnedModel? pin)
    {
        if (request.Mode is PromotionMode.CompleteCanary or PromotionMode.AbortCanary)
        {
            var verb = request.Mode == PromotionMode.CompleteCanary ? "complete" : "abort";
            var canary = pin?.Canary ?? throw new PromotionException(PromotionFailure.InvalidState,
                $"{request.Model} has no canary in {request.Environment}, so there is none to {verb}. Nothing was written; start one with a canary promotion first.");
            if (request.Version is { } asked && asked != canary.Version)
            {
                throw new PromotionException(PromotionFailure.InvalidState,
                    $"the canary of {request.Model} in {request.Environment} is v{canary.Version}, not v{asked}. Nothing was written; {verb} v{canary.Version}, or leave the version out.");
            }

            return canary.Version;
        }

        if (request.Version is { } version)
        {
            return version;
        }

        return ModelRegistry.VersionTags(repository, request.Model)
            .Select(t => ModelRegistry.Read(repository.FindTag(t.Name)))
            .OfType<ModelVersion>()
            .Select(v => (int?)v.Version)
            .Max()
            ?? throw new PromotionException(PromotionFailure.NotRegistered,
                $"model '{request.Model}' has no registered version (no tag {request.Model}@vN), so there is nothing to promote. Package it first (mlops package {request.Model}), or check the name.");
    }

    /// <summary>Refuses when the file pins a version of the model with a digest other than its tag's: tampered, mistyped, or a deleted tag.</summary>
    private static void CheckPinnedDigests(GitRepository repository, EnvironmentFileEditor editor, PinnedModel? pin)
    {
        if (pin is null)
        {
            return;
        }

        var pinPath = editor.PinPath(pin.Model);
        var pinned = new List<(string Field, string Role, int Version, string Digest)> { (pinPath, "", pin.Version, pin.Digest) };
        if (pin.Canary is { } canary)
        {
            pinned.Add(($"{pinPath}.canary", "canary ", canary.Version, canary.Digest));
        }

        if (pin.Shadow is { } shadow)
        {
            pinned.Add(($"{pinPath}.shadow", "shadow ", shadow.Version, shadow.Digest));
        }

        var problems = new List<string>();
        foreach (var (field, role, version, digest) in pinned)
        {
            var name = ModelTag.Name(pin.Model, version);
            var tag = ModelRegistry.Read(repository.FindTag(name));
            if (tag is null)
            {
                problems.Add($"{editor.LocationOf(field + ".version")}: {editor.Path} pins {pin.Model} {role}v{version}, but {name} is not a registered version (no readable tag; on a fresh clone, fetch the tags with git fetch --tags)");
            }
            else if (tag.BundleDigest != digest)
            {
                problems.Add($"{editor.LocationOf(field + ".digest")}: {editor.Path} pins {pin.Model} {role}v{version} with digest {digest}, but tag {name} records {tag.BundleDigest}");
            }
            else if (role.Length == 0 && pin.FeatureSetDigest is { } featureSetDigest && tag.FeatureSetDigest is { } tagged && featureSetDigest != tagged)
            {
                problems.Add($"{editor.LocationOf(field + ".featureSetDigest")}: {editor.Path} records feature set digest {featureSetDigest} for {pin.Model} v{version}, but tag {name} records {tagged}");
            }
        }

        if (problems.Count > 0)
        {
            throw new PromotionException(PromotionFailure.DigestMismatch,
                string.Join(";\n", problems) + ".\nThe file was edited by hand or tampered with (or the tags are missing), so mlops will not build on it. Nothing was written; restore the digests the tags record (or roll back the change), then promote again.");
        }
    }

    private static void CheckRequirements(GitRepository repository, string baseCommit, EnvironmentFileEditor editor, PromotionRequest request, int version)
    {
        if (request.Mode == PromotionMode.AbortCanary)
        {
            return; // removing a canary only takes traffic back to the version already approved
        }

        var problems = new List<string>();
        var requires = editor.Environment.Requires;
        var name = ModelTag.Name(request.Model, version);
        if (requires.PromotedFrom is { } from && from != request.Environment)
        {
            var history = EnvironmentHistory.Load(repository, from, baseCommit);
            if (history.Revisions.Count == 0)
            {
                problems.Add($"{editor.LocationOf("requires.promotedFrom")}: {editor.Path} requires promotion from '{from}', but {history.Path} does not exist. Declare that environment, or correct 'promotedFrom'");
            }
            else if (!history.WasPinned(request.Model, version))
            {
                problems.Add($"{editor.LocationOf("requires.promotedFrom")}: {request.Environment} requires a version promoted to {from} first, and {name} has never been pinned in {history.Path}. Promote it to {from} first");
            }
        }

        if (request.Gate is { Passed: false } failed)
        {
            var rules = failed.Checks.Where(c => !c.Passed).Select(c => c.Description ?? c.Metric);
            problems.Add($"the gate of {name} failed ({string.Join("; ", rules)}), and a version that failed its gate is never promoted. Fix the model or its gate");
        }

        if (requires.Gates.Count > 0 && request.Mode != PromotionMode.CompleteCanary)
        {
            if (request.Gate is not { } gate)
            {
                problems.Add($"{editor.LocationOf("requires.gates")}: {request.Environment} requires passing gates on {string.Join(", ", requires.Gates)}, but no gate result was given. Run the gate (mlops gate {request.Model} --environment {request.Environment}) and pass its result");
            }
            else
            {
                foreach (var metric in requires.Gates.Where(m => !gate.Checks.Any(c => c.Metric == m)))
                {
                    problems.Add($"{editor.LocationOf("requires.gates")}: {request.Environment} requires a passing gate rule on '{metric}', but the gate result has no rule on it. Add a '{metric}' rule to the model's gate");
                }
            }
        }

        if (problems.Count > 0)
        {
            throw new PromotionException(PromotionFailure.RequirementsNotMet,
                $"{name} cannot be promoted to {request.Environment}: its requirements are not met. Nothing was written.\n" + string.Join(";\n", problems) + ".");
        }
    }

    private static EnvironmentFileEditor Edit(EnvironmentFileEditor editor, PinnedModel? pin, PromotionRequest request, ModelVersion tag)
    {
        var (model, version, environment) = (request.Model, tag.Version, request.Environment);
        try
        {
            switch (request.Mode)
            {
                case PromotionMode.Full:
                    if (pin?.Canary is { } canary)
                    {
                        return canary.Version == version
                            ? editor.CompleteCanary(model, tag.FeatureSet, tag.FeatureSetDigest)
                            : throw InvalidState($"{model} has a canary v{canary.Version} running in {environment}; complete or abort it before promoting v{version}");
                    }

                    var withoutShadow = pin?.Shadow?.Version == version ? editor.RemoveShadow(model) : editor;
                    return withoutShadow.SetPin(model, version, tag.BundleDigest, tag.FeatureSet, tag.FeatureSetDigest);
                case PromotionMode.Canary:
                    RequireOtherPrimary(pin, request, version, "a canary runs next to a primary version");
                    var cleared = pin!.Shadow is not null ? editor.RemoveShadow(model) : editor;
                    return cleared.SetCanary(model, version, tag.BundleDigest, request.CanaryWeight!.Value);
                case PromotionMode.Shadow:
                    RequireOtherPrimary(pin, request, version, "a shadow runs next to a primary version");
                    return pin!.Canary is { } running
                        ? throw InvalidState($"{model} has a canary v{running.Version} running in {environment}; complete or abort it before adding a shadow")
                        : editor.SetShadow(model, version, tag.BundleDigest);
                case PromotionMode.CompleteCanary:
                    return editor.CompleteCanary(model, tag.FeatureSet, tag.FeatureSetDigest);
                default:
                    return editor.RemoveCanary(model);
            }
        }
        catch (EnvironmentEditException e)
        {
            throw new PromotionException(PromotionFailure.InvalidEnvironmentFile, e.Message, e);
        }
    }

    private static void RequireOtherPrimary(PinnedModel? pin, PromotionRequest request, int version, string why)
    {
        if (pin is null)
        {
            throw InvalidState($"{request.Model} is not pinned in {request.Environment}, and {why}. Promote a version fully first");
        }

        if (pin.Version == version)
        {
            throw InvalidState($"{request.Model} v{version} is already the primary version in {request.Environment}");
        }
    }

    private static PromotionException InvalidState(string message) => new(PromotionFailure.InvalidState, message + ". Nothing was written.");

    private static string Message(PromotionRequest request, ModelVersion tag, string path, PinnedModel? before, PinnedModel? after)
    {
        var (model, version, environment) = (request.Model, tag.Version, request.Environment);
        var subject = request.Mode switch
        {
            PromotionMode.Canary => $"Promote {model} v{version} to {environment} as a {request.CanaryWeight}% canary",
            PromotionMode.Shadow => $"Promote {model} v{version} to {environment} as a shadow",
            PromotionMode.CompleteCanary => $"Complete the canary of {model} v{version} in {environment}",
            PromotionMode.AbortCanary => $"Abort the canary of {model} v{version} in {environment}",
            _ => $"Promote {model} v{version} to {environment}",
        };

        var text = new StringBuilder(subject).Append("\n\n")
            .Append(CultureInfo.InvariantCulture, $"{path}: {model} {Describe(before)} -> {Describe(after)}\n\n")
            .Append(CultureInfo.InvariantCulture, $"Bundle: {tag.BundleDigest} (tag {tag.Tag}, commit {EnvironmentCommitWriter.Short(tag.Commit)})\n");
        if (tag.FeatureSet is { } featureSet)
        {
            text.Append(CultureInfo.InvariantCulture, $"Feature set: {featureSet}{(tag.FeatureSetDigest is { } d ? " " + d : "")}\n");
        }

        if (tag.RunId is { } run)
        {
            text.Append(CultureInfo.InvariantCulture, $"Run: {run}\n");
        }

        // Only the overall metrics: per-slice values multiply with every slice and value, and the
        // gated ones are already in the gate summary below; the tag keeps them all.
        var overall = tag.Metrics.Where(m => !m.Name.Contains('[', StringComparison.Ordinal)).ToList();
        if (overall.Count > 0)
        {
            text.Append("Metrics: ").AppendJoin(", ", overall.Select(m => $"{m.Name} {m.Value.ToString("0.####", CultureInfo.InvariantCulture)}{(m.Interval is { } interval ? " " + interval : "")}"));
            if (overall.Count < tag.Metrics.Count)
            {
                text.Append(CultureInfo.InvariantCulture, $" (per-slice metrics: git show {tag.Tag})");
            }

            text.Append('\n');
        }

        if (before is not null)
        {
            text.Append(CultureInfo.InvariantCulture, $"Previous: v{before.Version} {before.Digest}\n");
        }

        text.Append('\n');
        if (request.Gate is { } gate)
        {
            text.Append(CultureInfo.InvariantCulture, $"Gate: {(gate.Passed ? "passed" : "FAILED")} ({gate.Checks.Count} {(gate.Checks.Count == 1 ? "rule" : "rules")})\n\n");
            var summary = gate.Summary.Replace("\r\n", "\n", StringComparison.Ordinal).Trim('\n');
            if (summary.Length > 0)
            {
                text.Append(summary).Append("\n\n");
            }
        }
        else
        {
            text.Append("Gate: no gate result was given\n\n");
        }

        var bundle = request.Mode == PromotionMode.AbortCanary ? null : tag.BundleDigest;
        text.Append(PromotionTrailers.Format(model, version, environment, PromotionTrailers.ModeText(request.Mode, request.CanaryWeight), bundle));
        return text.ToString();
    }

    /// <summary><c>v7</c>, <c>v7 + canary v8 at 10%</c>, <c>v7 + shadow v8</c>, or <c>(not pinned)</c>.</summary>
    internal static string Describe(PinnedModel? pin) =>
        pin is null
            ? "(not pinned)"
            : $"v{pin.Version}"
                + (pin.Canary is { } c ? $" + canary v{c.Version} at {c.Weight}%" : "")
                + (pin.Shadow is { } s ? $" + shadow v{s.Version}" : "");

    internal static bool Push(GitRepository repository, string remoteName, string branch, string commit, GitCredentialSource? credentials)
    {
        if (!repository.HasRemote(remoteName))
        {
            throw new PromotionException(PromotionFailure.PushFailed,
                $"remote '{remoteName}' does not exist, so {branch} was committed ({EnvironmentCommitWriter.Short(commit)}) but not pushed. Add the remote, or push the branch yourself.") { Commit = commit };
        }

        string? refused;
        try
        {
            refused = repository.Push(remoteName, $"refs/heads/{branch}:refs/heads/{branch}", credentials);
        }
        catch (GitException e)
        {
            refused = e.Message;
        }

        return refused is null
            ? true
            : throw new PromotionException(PromotionFailure.PushFailed,
                $"pushing {branch} to '{remoteName}' failed: {refused.TrimEnd('.')}. The commit {EnvironmentCommitWriter.Short(commit)} is in the local branch; fetch, and push again (or promote again if the remote's environment file changed).")
            { Commit = commit };
    }

    private static void Validate(PromotionRequest request)
    {
        var problems = new List<string>();
        var name = $"^{DeclarationSchemas.NamePattern}$";
        if (!Regex.IsMatch(request.Model ?? "", name))
        {
            problems.Add($"the model name '{request.Model}' is not a valid name (lowercase letters, digits, '_' and '-', starting with a letter)");
        }

        if (!Regex.IsMatch(request.Environment ?? "", name))
        {
            problems.Add($"the environment name '{request.Environment}' is not a valid name (lowercase letters, digits, '_' and '-', starting with a letter)");
        }

        if (request.Version is < 1)
        {
            problems.Add($"the version {request.Version} is not 1 or more");
        }

        if (request.Mode == PromotionMode.Canary && request.CanaryWeight is not (>= 1 and <= 100))
        {
            problems.Add(request.CanaryWeight is null ? "a canary needs a weight (the percent of traffic, 1 to 100)" : $"the canary weight {request.CanaryWeight} is not between 1 and 100 percent");
        }

        if (request.Mode != PromotionMode.Canary && request.CanaryWeight is not null)
        {
            problems.Add($"a canary weight is given, but the mode is {request.Mode}, not a canary");
        }

        if (string.IsNullOrWhiteSpace(request.RepositoryPath))
        {
            problems.Add("no repository path is given");
        }

        if (problems.Count > 0)
        {
            throw new PromotionException(PromotionFailure.InvalidRequest,
                $"the promotion request is invalid: {string.Join("; ", problems)}. Correct {(problems.Count == 1 ? "it" : "them")} and run it again.");
        }
    }
}
