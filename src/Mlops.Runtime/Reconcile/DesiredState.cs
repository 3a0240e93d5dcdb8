using System.Text;
using Mlops.Declarations.Diagnostics;
using Mlops.Declarations.Digests;
using Mlops.Declarations.Environments;
using Mlops.Declarations.FeatureSets;
using Mlops.Declarations.Repository;
using Mlops.Runtime.Git;

namespace Mlops.Runtime.Reconcile;

/// <summary>What the environment file asks for, and the commit it was read at.</summary>
/// <param name="Environment">The parsed environment file.</param>
/// <param name="Commit">The commit the declarations were read at (a git sha; for a folder that is not a clean checkout, a content hash).</param>
/// <param name="FeatureSets">The repository's feature sets by reference (for entity keys, unknown-category policies and schema digests).</param>
public sealed record DesiredState(EnvironmentSpec Environment, string Commit, IReadOnlyDictionary<FeatureSetReference, FeatureSet> FeatureSets)
{
    /// <summary>Each model's <c>description</c> (models/NAME.yaml), for pages; a model without one is absent.</summary>
    public IReadOnlyDictionary<string, string> Descriptions { get; init; } = new Dictionary<string, string>(StringComparer.Ordinal);
}

/// <summary>Where the desired state comes from: a folder, or a git remote and branch.</summary>
public interface IDesiredStateSource
{
    /// <summary>Where it reads from, for messages.</summary>
    string Location { get; }

    /// <summary>Reads the desired state now (fetching first, for a remote).</summary>
    /// <exception cref="DesiredStateException">The environment file is missing, the declarations it depends on have errors, or the remote cannot be read.</exception>
    Task<DesiredState> ReadAsync(CancellationToken cancellationToken);
}

/// <summary>The desired state cannot be read or must not be applied; what is served stays as it is.</summary>
public sealed class DesiredStateException : Exception
{
    /// <summary>The desired state cannot be read at all (a missing file, an unreachable remote).</summary>
    public DesiredStateException(string message, Exception? inner = null)
        : base(message, inner)
    {
    }

    /// <summary>The declarations were read at <paramref name="commit"/> but have errors that block the environment.</summary>
    public DesiredStateException(string message, string commit, IReadOnlyList<string> diagnostics)
        : base(message)
    {
        Commit = commit;
        Diagnostics = diagnostics;
    }

    /// <summary>The commit whose declarations were refused; null when nothing could be read.</summary>
    public string? Commit { get; }

    /// <summary>The blocking findings, as <c>path(line,col): error MLOPSnnnn: message</c> lines; empty when nothing could be read.</summary>
    public IReadOnlyList<string> Diagnostics { get; } = [];
}

/// <summary>
/// Builds the desired state from a repository's declaration files with the loader and cross-references of
/// <c>mlops validate</c>, and refuses it when the environment's declarations have errors (the rule is in docs/serving.md).
/// </summary>
internal static class DesiredStateReader
{
    /// <summary>The environment file among the files read: <c>environments/NAME.yaml</c>, or <c>.yml</c> when only that exists; null when neither does.</summary>
    public static string? EnvironmentPath(DeclarationFiles files, string environment)
    {
        var yaml = $"{RepositoryLayout.EnvironmentsFolder}/{environment}.yaml";
        var yml = $"{RepositoryLayout.EnvironmentsFolder}/{environment}.yml";
        return files.Contains(yaml) ? yaml : files.Contains(yml) ? yml : null;
    }

    /// <summary>Parses and checks the files, and returns the environment's desired state.</summary>
    /// <exception cref="DesiredStateException">The declarations the environment depends on have errors.</exception>
    public static DesiredState Read(DeclarationFiles files, string environmentPath, string commit)
    {
        var set = files.Parse();
        var blocking = Blocking(set, environmentPath).Select(d => d.ToString()).ToList();
        var declared = set.Environments.FirstOrDefault(e => e.Path == environmentPath);
        if (blocking.Count > 0 || declared is null)
        {
            var lines = blocking.Count > 0 ? blocking : [$"{environmentPath}: cannot be read."];
            throw new DesiredStateException(
                $"the declarations at {Short(commit)} have {Count(lines.Count)} that {(lines.Count == 1 ? "blocks" : "block")} {environmentPath}, so it is not applied and what is served stays as it is. "
                + "Fix them and commit (mlops validate reports the same):" + string.Concat(lines.Select(l => Environment.NewLine + l)),
                commit,
                lines);
        }

        var featureSets = new Dictionary<FeatureSetReference, FeatureSet>();
        foreach (var featureSet in set.FeatureSets)
        {
            featureSets.TryAdd(featureSet.Value.Reference, featureSet.Value);
        }

        var descriptions = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var model in set.Models)
        {
            if (model.Value.Description is { Length: > 0 } description)
            {
                descriptions.TryAdd(model.Value.Name, description);
            }
        }

        return new DesiredState(declared.Value, commit, featureSets) { Descriptions = descriptions };
    }

    /// <summary>A commit name for declarations not read from a commit: <c>content-</c> and 12 hex digits of what was read.</summary>
    public static string ContentCommit(DeclarationFiles files)
    {
        var text = new StringBuilder();
        foreach (var (path, content) in files.Texts.OrderBy(t => t.Key, StringComparer.Ordinal))
        {
            text.Append(path).Append('\0').Append(content).Append('\0');
        }

        foreach (var error in files.ReadErrors)
        {
            text.Append(error).Append('\0');
        }

        return "content-" + Sha256Digest.Hex(Sha256Digest.OfText(text.ToString()))[..12];
    }

    /// <summary>
    /// The errors that keep an environment from being applied: every error located in its own file (parse errors and
    /// the cross-references checked there: unknown model, missing feature set, MLOPS0308 in-place edit, ...), in any
    /// feature set file, and in the files of the models it pins (primary or fallback). Other models and environments
    /// do not block it; warnings never do.
    /// </summary>
    private static IEnumerable<Diagnostic> Blocking(DeclarationSet set, string environmentPath)
    {
        var environment = set.Environments.FirstOrDefault(e => e.Path == environmentPath)?.Value;
        var models = (environment?.Models ?? []).SelectMany(p => new[] { p.Model, p.Fallback?.Model }).OfType<string>().ToHashSet(StringComparer.Ordinal);
        var modelFiles = set.Models.Where(m => models.Contains(m.Value.Name)).Select(m => m.Path)
            .Concat(models.SelectMany(m => new[] { $"{RepositoryLayout.ModelsFolder}/{m}.yaml", $"{RepositoryLayout.ModelsFolder}/{m}.yml" }))
            .ToHashSet(StringComparer.Ordinal);
        return set.Diagnostics.Where(d => d.Severity == Severity.Error
            && (d.Location.Path == environmentPath
                || RepositoryLayout.KindOf(d.Location.Path) == DeclarationKind.FeatureSet
                || modelFiles.Contains(d.Location.Path)));
    }

    private static string Count(int errors) => errors == 1 ? "an error" : $"{errors} errors";

    /// <summary>A sha's first 12 digits; a content name is short already.</summary>
    internal static string Short(string commit) => commit.StartsWith("content-", StringComparison.Ordinal) ? commit : commit[..Math.Min(12, commit.Length)];
}

/// <summary>
/// Reads a repository folder (a checkout): the declaration files of <c>features/</c>, <c>models/</c> and
/// <c>environments/</c>, as <c>mlops validate</c> reads them. The commit is the checkout's HEAD when every one of
/// those files is as committed there, otherwise a hash of their content.
/// </summary>
/// <param name="repository">The repository root.</param>
/// <param name="environment">The environment's name.</param>
public sealed class FolderDesiredStateSource(string repository, string environment) : IDesiredStateSource
{
    /// <summary>The repository root, as a full path.</summary>
    public string Root { get; } = Path.GetFullPath(repository);

    /// <summary>The environment file's path: <c>environments/NAME.yaml</c>, or <c>.yml</c> when only that exists.</summary>
    public string EnvironmentFile
    {
        get
        {
            var yaml = Path.Combine(Root, RepositoryLayout.EnvironmentsFolder, environment + ".yaml");
            var yml = Path.ChangeExtension(yaml, ".yml");
            return !File.Exists(yaml) && File.Exists(yml) ? yml : yaml;
        }
    }

    /// <inheritdoc/>
    public string Location => EnvironmentFile;

    /// <inheritdoc/>
    public async Task<DesiredState> ReadAsync(CancellationToken cancellationToken)
    {
        DeclarationFiles files;
        try
        {
            files = await RepositoryLoader.ReadAsync(Root, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new DesiredStateException($"{EnvironmentFile}: cannot be read ({e.Message}). Check --repo and --environment.", e);
        }

        var path = DesiredStateReader.EnvironmentPath(files, environment)
            ?? throw new DesiredStateException($"{EnvironmentFile}: cannot be read (the file does not exist). Check --repo and --environment.");
        return DesiredStateReader.Read(files, path, Commit(files));
    }

    private string Commit(DeclarationFiles files)
    {
        try
        {
            using var git = GitRepository.Discover(Root);
            if (git?.WorkingDirectory is not { } workTree || git.Head.Commit is not { } head || files.ReadErrors.Count > 0)
            {
                return DesiredStateReader.ContentCommit(files);
            }

            var prefix = Path.GetRelativePath(workTree, Root).Replace('\\', '/') is var relative && relative != "." ? relative + "/" : "";
            var committed = RepositoryLayout.Folders
                .SelectMany(folder => git.ListFiles(head, prefix + folder))
                .Where(f => DeclarationFiles.IsDeclaration(f.Path[prefix.Length..]))
                .ToDictionary(f => f.Path[prefix.Length..], f => f.Id, StringComparer.Ordinal);
            var clean = committed.Count == files.Texts.Count
                && files.Texts.All(t => committed.TryGetValue(t.Key, out var id) && git.ReadBlobText(id) == t.Value);
            return clean ? head : DesiredStateReader.ContentCommit(files);
        }
        catch (GitException)
        {
            return DesiredStateReader.ContentCommit(files);
        }
    }
}

/// <summary>
/// Reads the declarations from a git remote and branch: fetches into a cache clone (bare) and reads the files of
/// the branch tip's tree without checking anything out, as <c>mlops validate</c> would read a checkout of it.
/// The commit is the tip's sha.
/// </summary>
/// <param name="url">The remote's URL or path.</param>
/// <param name="branch">The branch to follow.</param>
/// <param name="environment">The environment's name.</param>
/// <param name="cacheFolder">Where the cache clone lives.</param>
/// <param name="credentials">Where a token comes from when the remote asks for one; null reads the environment (MLOPS_GIT_TOKEN, GITHUB_TOKEN, then the git credential helper; docs/git.md, "Credentials").</param>
public sealed class GitDesiredStateSource(string url, string branch, string environment, string cacheFolder, GitCredentialSource? credentials = null) : IDesiredStateSource
{
    private readonly SemaphoreSlim _gate = new(1, 1);

    // Statuses, logs and pages show the location: a token written into the URL must not reach them.
    private string ShownUrl => GitRemoteUrl.WithoutUserInfo(url);

    /// <inheritdoc/>
    public string Location => $"{ShownUrl} ({branch})";

    /// <inheritdoc/>
    public async Task<DesiredState> ReadAsync(CancellationToken cancellationToken)
    {
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            return await Task.Run(Read, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            _gate.Release();
        }
    }

    private DesiredState Read()
    {
        try
        {
            using var git = GitRepository.OpenOrCreateBare(cacheFolder);
            git.SetRemote("origin", url);
            git.Fetch("origin", $"+refs/heads/{branch}:refs/remotes/origin/{branch}", credentials);
            var tip = git.FindCommit($"refs/remotes/origin/{branch}")?.Sha
                ?? throw new DesiredStateException($"the remote {ShownUrl} has no branch '{branch}'. Check --branch.");
            var files = new DeclarationFiles();
            foreach (var file in RepositoryLayout.Folders.SelectMany(folder => git.ListFiles(tip, folder)))
            {
                if (DeclarationFiles.IsDeclaration(file.Path) && files.CheckSize(file.Path, file.Size))
                {
                    files.Add(file.Path, git.ReadBlob(file.Id));
                }
            }

            var path = DesiredStateReader.EnvironmentPath(files, environment)
                ?? throw new DesiredStateException($"{RepositoryLayout.EnvironmentsFolder}/{environment}.yaml does not exist at {ShownUrl} {branch} ({tip[..12]}). Check --environment.");
            return DesiredStateReader.Read(files, path, tip);
        }
        catch (GitException e)
        {
            throw new DesiredStateException($"cannot fetch {ShownUrl} {branch}: {e.Message}. What is served stays as it is; the next poll tries again.", e);
        }
    }
}
