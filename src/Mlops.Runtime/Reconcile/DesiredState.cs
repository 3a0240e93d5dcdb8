using Mlops.Declarations.Digests;
using System.Text;
using LibGit2Sharp;
using Mlops.Declarations.Diagnostics;
using Mlops.Declarations.Environments;
using Mlops.Declarations.FeatureSets;

namespace Mlops.Runtime.Reconcile;

/// <summary>What the environment file asks for, and the commit it was read at.</summary>
/// <param name="Environment">The parsed environment file.</param>
/// <param name="Commit">The commit of the environment file (a git sha; for a folder that is not a clean checkout, a content hash).</param>
/// <param name="FeatureSets">The repository's feature sets by name@version (for entity keys and unknown-category policies).</param>
public sealed record DesiredState(EnvironmentSpec Environment, string Commit, IReadOnlyDictionary<string, FeatureSet> FeatureSets);

/// <summary>Where the desired state comes from: a folder, or a git remote and branch.</summary>
public interface IDesiredStateSource
{
    /// <summary>Where it reads from, for messages.</summary>
    string Location { get; }

    /// <summary>Reads the desired state now (fetching first, for a remote).</summary>
    /// <exception cref="DesiredStateException">The environment file is missing or invalid, or the remote cannot be read.</exception>
    Task<DesiredState> ReadAsync(CancellationToken cancellationToken);
}

/// <summary>The desired state cannot be read; what is served stays as it is.</summary>
public sealed class DesiredStateException(string message, Exception? inner = null) : Exception(message, inner);

/// <summary>Parses an environment file and the feature sets next to it.</summary>
internal static class DesiredStateReader
{
    public static DesiredState Parse(string environment, string environmentText, IEnumerable<(string Path, string Text)> featureFiles, string commit)
    {
        var path = $"environments/{environment}.yaml";
        var parsed = EnvironmentParser.Parse(path, environmentText);
        var errors = parsed.Diagnostics.Where(d => d.Severity == Severity.Error).ToList();
        if (parsed.Declaration is null || errors.Count > 0)
        {
            throw new DesiredStateException(string.Join(Environment.NewLine, errors.Select(e => e.ToString())) is { Length: > 0 } text ? text : $"{path}: cannot be read.");
        }

        var featureSets = new Dictionary<string, FeatureSet>(StringComparer.Ordinal);
        foreach (var (featurePath, text) in featureFiles)
        {
            if (FeatureSetParser.Parse(featurePath, text).Declaration?.Value is { } set)
            {
                featureSets[$"{set.Name}@{set.Version}"] = set;
            }
        }

        return new DesiredState(parsed.Declaration.Value, commit, featureSets);
    }

    public static string ContentCommit(string text) => "content-" + Sha256Digest.Hex(Sha256Digest.OfText(text))[..12];
}

/// <summary>
/// Reads <c>environments/ENV.yaml</c> from a folder (a checkout). The commit is the checkout's HEAD
/// when the file there is as committed, otherwise a hash of the file's content.
/// </summary>
/// <param name="repository">The repository root.</param>
/// <param name="environment">The environment's name.</param>
public sealed class FolderDesiredStateSource(string repository, string environment) : IDesiredStateSource
{
    /// <summary>The environment file's path.</summary>
    public string EnvironmentFile { get; } = Path.Combine(Path.GetFullPath(repository), "environments", environment + ".yaml");

    /// <inheritdoc/>
    public string Location => EnvironmentFile;

    /// <inheritdoc/>
    public async Task<DesiredState> ReadAsync(CancellationToken cancellationToken)
    {
        string text;
        try
        {
            text = await File.ReadAllTextAsync(EnvironmentFile, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new DesiredStateException($"{EnvironmentFile}: cannot be read ({e.Message}). Check --repo and --environment.", e);
        }

        var features = new List<(string, string)>();
        var featureFolder = Path.Combine(Path.GetFullPath(repository), "features");
        if (Directory.Exists(featureFolder))
        {
            foreach (var file in Directory.EnumerateFiles(featureFolder, "*.yaml").Order(StringComparer.Ordinal))
            {
                features.Add(($"features/{Path.GetFileName(file)}", await File.ReadAllTextAsync(file, cancellationToken).ConfigureAwait(false)));
            }
        }

        return DesiredStateReader.Parse(environment, text, features, Commit(text));
    }

    private string Commit(string text)
    {
        var root = Path.GetFullPath(repository);
        if (Repository.Discover(root) is not { } gitPath)
        {
            return DesiredStateReader.ContentCommit(text);
        }

        try
        {
            using var git = new Repository(gitPath);
            var relative = Path.GetRelativePath(git.Info.WorkingDirectory, EnvironmentFile).Replace('\\', '/');
            var committed = git.Head.Tip?[relative]?.Target as Blob;
            return committed is not null && committed.GetContentText() == text
                ? git.Head.Tip!.Sha
                : DesiredStateReader.ContentCommit(text);
        }
        catch (LibGit2SharpException)
        {
            return DesiredStateReader.ContentCommit(text);
        }
    }
}

/// <summary>
/// Reads the environment file from a git remote and branch: fetches into a cache clone (bare) and
/// reads the branch's tip without checking anything out. The commit is the tip's sha.
/// </summary>
/// <param name="url">The remote's URL or path.</param>
/// <param name="branch">The branch to follow.</param>
/// <param name="environment">The environment's name.</param>
/// <param name="cacheFolder">Where the cache clone lives.</param>
public sealed class GitDesiredStateSource(string url, string branch, string environment, string cacheFolder) : IDesiredStateSource
{
    private readonly SemaphoreSlim _gate = new(1, 1);

    /// <inheritdoc/>
    public string Location => $"{url} ({branch})";

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
            if (!Repository.IsValid(cacheFolder))
            {
                Directory.CreateDirectory(cacheFolder);
                Repository.Init(cacheFolder, isBare: true);
            }

            using var git = new Repository(cacheFolder);
            if (git.Network.Remotes["origin"] is null)
            {
                git.Network.Remotes.Add("origin", url);
            }
            else if (git.Network.Remotes["origin"].Url != url)
            {
                git.Network.Remotes.Update("origin", r => r.Url = url);
            }

            Commands.Fetch(git, "origin", [$"+refs/heads/{branch}:refs/remotes/origin/{branch}"], new FetchOptions(), null);
            var tip = git.Branches[$"origin/{branch}"]?.Tip
                ?? throw new DesiredStateException($"the remote {url} has no branch '{branch}'. Check --branch.");
            var path = $"environments/{environment}.yaml";
            if (tip[path]?.Target is not Blob blob)
            {
                throw new DesiredStateException($"{path} does not exist at {url} {branch} ({tip.Sha[..12]}). Check --environment.");
            }

            var features = new List<(string, string)>();
            if (tip["features"]?.Target is Tree tree)
            {
                foreach (var entry in tree.Where(e => e.Name.EndsWith(".yaml", StringComparison.Ordinal) && e.Target is Blob).OrderBy(e => e.Name, StringComparer.Ordinal))
                {
                    features.Add(($"features/{entry.Name}", ((Blob)entry.Target).GetContentText()));
                }
            }

            return DesiredStateReader.Parse(environment, blob.GetContentText(), features, tip.Sha);
        }
        catch (LibGit2SharpException e)
        {
            throw new DesiredStateException($"cannot fetch {url} {branch}: {e.Message}. What is served stays as it is; the next poll tries again.", e);
        }
    }
}
