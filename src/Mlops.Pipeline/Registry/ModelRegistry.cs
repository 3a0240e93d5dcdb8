using System.Text.RegularExpressions;
using Mlops.Declarations.Digests;
using Mlops.Declarations.Schema;
using Mlops.Runtime.Git;
using Mlops.Runtime.Store;

namespace Mlops.Pipeline.Registry;

/// <summary>
/// The model registry kept in git: each version is an annotated tag <c>MODEL@vN</c> on the commit whose
/// declarations produced it (format: <see cref="ModelTag"/>). The tag's ref is created under git's ref lock only if
/// it does not exist yet, so two registrations racing for the same number cannot both win.
/// </summary>
public sealed class ModelRegistry
{
    private readonly string _repositoryPath;
    private readonly TimeProvider _time;
    private readonly GitIdentity? _identity;

    /// <summary>A registry over the repository holding <paramref name="repositoryPath"/>.</summary>
    /// <param name="repositoryPath">The repository's root or any folder inside it.</param>
    /// <param name="time">The clock for tag dates. The default is <see cref="TimeProvider.System"/>.</param>
    /// <param name="identity">Who signs the tags. The default is git's configured <c>user.name</c> and <c>user.email</c>.</param>
    public ModelRegistry(string repositoryPath, TimeProvider? time = null, GitIdentity? identity = null)
    {
        _repositoryPath = repositoryPath;
        _time = time ?? TimeProvider.System;
        _identity = identity;
    }

    /// <summary>Called with the chosen version before its tag is created; tests use it to make two registrations race.</summary>
    internal Action<int>? VersionChosen { get; set; }

    /// <summary>
    /// Registers a bundle as the model's next version (the highest existing version + 1) with an annotated tag on
    /// the registration's commit. Registering a bundle already registered for the model returns that version.
    /// </summary>
    /// <exception cref="RegistryException">
    /// The registration is malformed, the commit does not exist, no git identity is set, or another registration took
    /// the same version at the same time (<see cref="RegistryError.VersionTaken"/>: register again).
    /// </exception>
    public RegistrationResult Register(ModelRegistration registration)
    {
        ArgumentNullException.ThrowIfNull(registration);
        Validate(registration);
        using var repository = Open(_repositoryPath);
        var commit = repository.FindCommit(registration.Commit)
            ?? throw new RegistryException(RegistryError.CommitNotFound,
                $"commit '{registration.Commit}' does not exist in {repository.Location}, so {registration.Model} cannot be registered on it. Pass an existing commit (the one the bundle was built from).");

        var existing = VersionTags(repository, registration.Model).ToList();
        var same = existing.Select(t => Read(repository.FindTag(t.Name))).FirstOrDefault(v => v?.BundleDigest == registration.BundleDigest);
        if (same is not null)
        {
            return new RegistrationResult(same, Created: false);
        }

        var version = existing.Count == 0 ? 1 : existing.Max(t => t.Version) + 1;
        var tagger = GitIdentity.TrySign(repository, _identity, _time)
            ?? throw new RegistryException(RegistryError.NoIdentity, GitIdentity.MissingMessage);
        var name = ModelTag.Name(registration.Model, version);
        VersionChosen?.Invoke(version);
        // The tag object is written first; the ref is then created under git's ref lock only if it does not exist,
        // so of two registrations racing for the same number exactly one wins.
        var annotation = repository.CreateTagObject(name, commit.Sha, tagger, ModelTag.FormatMessage(registration, version));
        try
        {
            using var refLock = repository.LockRef("refs/tags/" + name, CancellationToken.None);
            if (refLock.Current is not null)
            {
                throw new RegistryException(RegistryError.VersionTaken,
                    $"tag {name} already exists: another registration of {registration.Model} took v{version} while this one was being written. Nothing was changed; register again to get the next version.");
            }

            refLock.Commit(annotation, tagger, "mlops: register " + name);
        }
        catch (GitRefException e)
        {
            throw new RegistryException(RegistryError.VersionTaken, $"tag {name} could not be created: {e.Message} Nothing was changed; register again.", e);
        }

        return new RegistrationResult(Read(repository.FindTag(name)) ?? throw new InvalidOperationException($"The tag {name} just written cannot be read back."), Created: true);
    }

    /// <summary>The registered versions of <paramref name="model"/>, or of every model, by model name then version.</summary>
    /// <remarks>Tags named like versions that cannot be read (lightweight, or without a bundle digest) are left out.</remarks>
    /// <exception cref="RegistryException">The folder is not in a git repository.</exception>
    public IReadOnlyList<ModelVersion> List(string? model = null)
    {
        using var repository = Open(_repositoryPath);
        return [.. VersionTags(repository, model)
            .Select(t => Read(repository.FindTag(t.Name)))
            .OfType<ModelVersion>()
            .OrderBy(v => v.Model, StringComparer.Ordinal)
            .ThenBy(v => v.Version)];
    }

    /// <summary>The version <c>MODEL@vN</c>, or null when no such tag exists.</summary>
    /// <exception cref="RegistryException">The tag exists but is not a registry tag (<see cref="RegistryError.MalformedTag"/>).</exception>
    public ModelVersion? Find(string model, int version)
    {
        using var repository = Open(_repositoryPath);
        var name = ModelTag.Name(model, version);
        return repository.FindTag(name) is not { } tag
            ? null
            : Read(tag) ?? throw Malformed(name);
    }

    /// <summary>The model's highest registered version, or null when it has none.</summary>
    public ModelVersion? Latest(string model) => List(model).LastOrDefault();

    /// <summary>Resolves <c>churn@v8</c> to that version, or <c>churn</c> to its latest version.</summary>
    /// <exception cref="RegistryException">Nothing is registered under the reference, or the tag is malformed.</exception>
    public ModelVersion Resolve(string reference)
    {
        ArgumentNullException.ThrowIfNull(reference);
        if (ModelTag.TryParseName(reference, out var model, out var version))
        {
            return Find(model, version) ?? throw NotRegistered(model, version);
        }

        return Latest(reference) ?? throw new RegistryException(RegistryError.NotRegistered,
            $"model '{reference}' has no registered version (no tag {reference}@vN). Package it first (mlops package {reference}), or check the name.");
    }

    /// <summary>The versions whose bundle is not in <paramref name="store"/>.</summary>
    public async Task<IReadOnlyList<ModelVersion>> FindMissingBundlesAsync(IBundleStore store, string? model = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(store);
        var missing = new List<ModelVersion>();
        foreach (var version in List(model))
        {
            if (!await store.ExistsAsync(version.BundleDigest, cancellationToken).ConfigureAwait(false))
            {
                missing.Add(version);
            }
        }

        return missing;
    }

    /// <summary>Checks that the version's bundle is in <paramref name="store"/>.</summary>
    /// <exception cref="RegistryException">It is not (<see cref="RegistryError.BundleMissing"/>).</exception>
    public static async Task EnsureBundleAsync(ModelVersion version, IBundleStore store, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(version);
        ArgumentNullException.ThrowIfNull(store);
        if (!await store.ExistsAsync(version.BundleDigest, cancellationToken).ConfigureAwait(false))
        {
            throw new RegistryException(RegistryError.BundleMissing,
                $"tag {version.Tag} points to bundle {version.BundleDigest}, which is not in the store at {store.Location}. Push the bundle again (mlops package {version.Model}), or register a new version.");
        }
    }

    /// <summary>Pushes the tag of a version to a remote.</summary>
    /// <param name="version">The version whose tag to push.</param>
    /// <param name="remote">The remote's name, for example <c>origin</c>.</param>
    /// <param name="credentials">Where a token comes from if the remote asks for one; null reads the environment (MLOPS_GIT_TOKEN, GITHUB_TOKEN, then the git credential helper).</param>
    /// <exception cref="RegistryException">The remote does not exist, or refused the tag.</exception>
    public void Push(ModelVersion version, string remote, GitCredentialSource? credentials = null)
    {
        ArgumentNullException.ThrowIfNull(version);
        using var repository = Open(_repositoryPath);
        if (!repository.HasRemote(remote))
        {
            throw new RegistryException(RegistryError.PushFailed, $"remote '{remote}' does not exist, so {version.Tag} cannot be pushed. Add it (git remote add) or name an existing one.");
        }

        string? refused;
        var refSpec = $"refs/tags/{version.Tag}:refs/tags/{version.Tag}";
        try
        {
            refused = repository.Push(remote, refSpec, credentials);
        }
        catch (GitException e)
        {
            throw new RegistryException(RegistryError.PushFailed, $"pushing {version.Tag} to '{remote}' failed: {e.Message}. The tag is registered locally; push it again when the remote is reachable.", e);
        }

        if (refused is not null)
        {
            throw new RegistryException(RegistryError.PushFailed,
                $"'{remote}' refused {version.Tag}: {refused}. Another registration may have pushed the same version first; fetch the tags and register again.");
        }
    }

    /// <summary>Opens the repository holding <paramref name="path"/>.</summary>
    /// <exception cref="RegistryException">There is none, or git cannot open it.</exception>
    internal static GitRepository Open(string path)
    {
        GitRepository? repository;
        try
        {
            repository = GitRepository.Discover(path);
        }
        catch (GitException e)
        {
            throw new RegistryException(RegistryError.NotARepository, $"the git repository holding '{path}' cannot be opened: {e.Message.TrimEnd('.')}. Repair it with git, or run mlops in another clone.", e);
        }

        return repository
            ?? throw new RegistryException(RegistryError.NotARepository, $"'{path}' is not inside a git repository, so there is no registry. Run mlops in a clone of your repository, or 'git init' it first.");
    }

    /// <summary>The version read from a registry tag, or null when the tag is lightweight or its message is not one mlops wrote.</summary>
    internal static ModelVersion? Read(GitTag? tag)
    {
        if (tag is not { Message: { } text, Tagger: { } tagger, Commit: { } commit } || !ModelTag.TryParseName(tag.Name, out var model, out var version)
            || ModelTag.ParseMessage(text) is not { } message
            || message.Model != model || message.Version != version)
        {
            return null;
        }

        return new ModelVersion(model, version, message.Bundle, message.FeatureSet, message.FeatureSetDigest, message.RunId,
            message.Metrics, commit, tagger.When, tagger.ToString());
    }

    /// <summary>The name and version of every tag of the model, or of every model.</summary>
    internal static IEnumerable<(string Name, string Model, int Version)> VersionTags(GitRepository repository, string? model)
    {
        foreach (var tag in repository.TagNames())
        {
            if (ModelTag.TryParseName(tag, out var name, out var version) && (model is null || name == model))
            {
                yield return (tag, name, version);
            }
        }
    }

    internal static RegistryException NotRegistered(string model, int version) => new(RegistryError.NotRegistered,
        $"{ModelTag.Name(model, version)} is not registered (no such tag). List the versions with 'mlops registry list {model}', or package the model first.");

    private static RegistryException Malformed(string name) => new(RegistryError.MalformedTag,
        $"tag {name} is not a registry tag: it is lightweight, or its message does not record the model, version and bundle digest. Delete it (git tag -d {name}) and register the bundle again.");

    private static void Validate(ModelRegistration registration)
    {
        var problems = new List<string>();
        if (!Regex.IsMatch(registration.Model ?? "", $"^{DeclarationSchemas.NamePattern}$"))
        {
            problems.Add($"the model name '{registration.Model}' is not a valid name (lowercase letters, digits, '_' and '-', starting with a letter)");
        }

        if (!Sha256Digest.IsValid(registration.BundleDigest))
        {
            problems.Add($"the bundle digest '{registration.BundleDigest}' is not {Sha256Digest.FormDescription}");
        }

        if (registration.FeatureSetDigest is { } featureSetDigest && !Sha256Digest.IsValid(featureSetDigest))
        {
            problems.Add($"the feature set digest '{featureSetDigest}' is not {Sha256Digest.FormDescription}");
        }

        if (string.IsNullOrWhiteSpace(registration.Commit))
        {
            problems.Add("no commit is given");
        }

        if (registration.RunId is { } run && (run.Length == 0 || run.Contains('\n', StringComparison.Ordinal)))
        {
            problems.Add("the run id is empty or has a line break");
        }

        foreach (var metric in registration.Metrics ?? [])
        {
            if (string.IsNullOrWhiteSpace(metric.Name) || metric.Name.Contains('\n', StringComparison.Ordinal))
            {
                problems.Add($"the metric name '{metric.Name}' is empty or has a line break");
            }
        }

        if (problems.Count > 0)
        {
            throw new RegistryException(RegistryError.InvalidRegistration,
                $"the registration of '{registration.Model}' cannot be written: {string.Join("; ", problems)}. Correct {(problems.Count == 1 ? "it" : "them")} and register again.");
        }
    }
}
