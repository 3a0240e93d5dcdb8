using System.Text;
using Mlops.Declarations.Diagnostics;
using Mlops.Declarations.Digests;
using Mlops.Declarations.Environments;
using Mlops.Declarations.FeatureSets;
using Mlops.Runtime.Git;

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
        try
        {
            using var git = GitRepository.Discover(Path.GetFullPath(repository));
            if (git?.WorkingDirectory is not { } workTree || git.Head.Commit is not { } head)
            {
                return DesiredStateReader.ContentCommit(text);
            }

            var relative = Path.GetRelativePath(workTree, EnvironmentFile).Replace('\\', '/');
            return git.ReadText(head, relative) == text ? head : DesiredStateReader.ContentCommit(text);
        }
        catch (GitException)
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
            using var git = GitRepository.OpenOrCreateBare(cacheFolder);
            git.SetRemote("origin", url);
            git.Fetch("origin", $"+refs/heads/{branch}:refs/remotes/origin/{branch}");
            var tip = git.FindCommit($"refs/remotes/origin/{branch}")?.Sha
                ?? throw new DesiredStateException($"the remote {url} has no branch '{branch}'. Check --branch.");
            var path = $"environments/{environment}.yaml";
            var text = git.ReadText(tip, path)
                ?? throw new DesiredStateException($"{path} does not exist at {url} {branch} ({tip[..12]}). Check --environment.");
            var features = git.ListFiles(tip, "features")
                .Where(f => f.Path.LastIndexOf('/') == "features".Length && f.Path.EndsWith(".yaml", StringComparison.Ordinal))
                .Select(f => (f.Path, git.ReadBlobText(f.Id)))
                .ToList();
            return DesiredStateReader.Parse(environment, text, features, tip);
        }
        catch (GitException e)
        {
            throw new DesiredStateException($"cannot fetch {url} {branch}: {e.Message}. What is served stays as it is; the next poll tries again.", e);
        }
    }
}
