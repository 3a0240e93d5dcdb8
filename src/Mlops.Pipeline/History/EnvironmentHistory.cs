using Mlops.Declarations.Diagnostics;
using Mlops.Declarations.Environments;
using Mlops.Declarations.Repository;
using Mlops.Pipeline.Promotion;
using Mlops.Pipeline.Registry;
using Mlops.Runtime.Git;

namespace Mlops.Pipeline.History;

/// <summary>One commit that changed an environment file, and what the file pinned after it.</summary>
/// <param name="Commit">The commit's full sha.</param>
/// <param name="Date">When it landed on the branch: the committer date (for a merge, when it was merged).</param>
/// <param name="Author">The author, as <c>Name &lt;email&gt;</c>.</param>
/// <param name="Subject">The first line of the message.</param>
/// <param name="Pins">The pins after the commit; empty when the file was deleted or does not parse.</param>
/// <param name="Exists">False when the commit deleted the file.</param>
/// <param name="Errors">The file's errors after the commit, as <c>path(line,col): error ...</c> lines; empty when it parses.</param>
/// <param name="Promotion">The promotion the commit records (its trailers, or for a merge those of the merged branch's tip), if any.</param>
/// <param name="RolledBack">For a rollback commit, the sha of the promotion it undid.</param>
public sealed partial record EnvironmentRevision(
    string Commit,
    DateTimeOffset Date,
    string Author,
    string Subject,
    IReadOnlyList<PinnedModel> Pins,
    bool Exists,
    IReadOnlyList<string> Errors,
    PromotionRecord? Promotion,
    string? RolledBack)
{
    /// <summary>The pin of a model after this commit, or null.</summary>
    public PinnedModel? Pin(string model) => Pins.FirstOrDefault(p => p.Model == model);

    /// <summary>
    /// The number of the pull request that brought the change, as GitHub writes it in the subject: a merge commit's
    /// <c>Merge pull request #42 from ...</c>, or a squash merge's trailing <c>(#42)</c>; null otherwise. Who approved
    /// it is only in GitHub's API (docs/ci.md, "Who approved what, when").
    /// </summary>
    public int? PullRequest => PullRequestNumber().Match(Subject) is { Success: true } match
        && int.TryParse(match.Groups["n"].ValueSpan, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var number)
            ? number
            : null;

    [System.Text.RegularExpressions.GeneratedRegex(@"^Merge pull request #(?<n>[0-9]{1,9})(?![0-9])|\(#(?<n>[0-9]{1,9})\)$")]
    private static partial System.Text.RegularExpressions.Regex PullRequestNumber();
}

/// <summary>
/// The history of one environment file: every commit on the branch's first-parent line that changed it (merges of
/// promotion branches included, dated when they were merged), newest first, with the pins after each. This answers
/// "what ran in production on date X" (<see cref="AsOf"/>) and "was v8 ever in staging" (<see cref="WasPinned"/>).
/// </summary>
public sealed class EnvironmentHistory
{
    private EnvironmentHistory(string environment, string path, IReadOnlyList<EnvironmentRevision> revisions)
    {
        Environment = environment;
        Path = path;
        Revisions = revisions;
    }

    /// <summary>The environment's name.</summary>
    public string Environment { get; }

    /// <summary>The file, relative to the repository root.</summary>
    public string Path { get; }

    /// <summary>The commits that changed the file, newest first.</summary>
    public IReadOnlyList<EnvironmentRevision> Revisions { get; }

    /// <summary>The pins now (after the newest revision); empty when the file never existed.</summary>
    public IReadOnlyList<PinnedModel> Current => Revisions.Count == 0 ? [] : Revisions[0].Pins;

    /// <summary>Reads the history of <c>environments/ENVIRONMENT.yaml</c> as seen from <paramref name="revision"/>.</summary>
    /// <param name="repositoryPath">The repository's root or a folder inside it.</param>
    /// <param name="environment">The environment's name.</param>
    /// <param name="revision">Where to start: a branch, tag, sha or <c>HEAD</c> (the default).</param>
    /// <exception cref="RegistryException">The folder is not in a git repository.</exception>
    /// <exception cref="ArgumentException">The revision does not name a commit.</exception>
    public static EnvironmentHistory Load(string repositoryPath, string environment, string revision = "HEAD")
    {
        using var repository = ModelRegistry.Open(repositoryPath);
        var tip = repository.FindCommit(revision)
            ?? throw new ArgumentException($"'{revision}' does not name a commit in the repository. Pass a branch, tag or sha.", nameof(revision));
        return Load(repository, environment, tip.Sha);
    }

    /// <summary>The names of the environments whose files exist at <paramref name="revision"/>.</summary>
    public static IReadOnlyList<string> Environments(string repositoryPath, string revision = "HEAD")
    {
        using var repository = ModelRegistry.Open(repositoryPath);
        return repository.FindCommit(revision) is { } commit ? Environments(repository, commit.Sha) : [];
    }

    /// <summary>The revision in effect at <paramref name="when"/>: the newest one dated no later; null before the file existed.</summary>
    public EnvironmentRevision? AsOf(DateTimeOffset when) => Revisions.FirstOrDefault(r => r.Date <= when);

    /// <summary>Whether <paramref name="model"/> v<paramref name="version"/> is or ever was pinned, as the primary or as a canary.</summary>
    public bool WasPinned(string model, int version) =>
        Revisions.Any(r => r.Pin(model) is { } pin && (pin.Version == version || pin.Canary?.Version == version));

    /// <summary>The environments whose files (<c>environments/NAME.yaml</c> or <c>.yml</c>, not in subfolders) exist in a commit.</summary>
    internal static IReadOnlyList<string> Environments(GitRepository repository, string commit) =>
        [.. repository.ListFiles(commit, RepositoryLayout.EnvironmentsFolder)
            .Select(f => f.Path[(RepositoryLayout.EnvironmentsFolder.Length + 1)..])
            .Where(name => !name.Contains('/', StringComparison.Ordinal) && (name.EndsWith(".yaml", StringComparison.Ordinal) || name.EndsWith(".yml", StringComparison.Ordinal)))
            .Select(name => name[..name.LastIndexOf('.')])
            .Distinct()
            .Order(StringComparer.Ordinal)];

    /// <summary>The path of an environment's file in a commit: <c>environments/NAME.yaml</c>, or <c>.yml</c> when only that exists.</summary>
    internal static string PathIn(GitRepository repository, string commit, string environment)
    {
        var yaml = $"environments/{environment}.yaml";
        var yml = $"environments/{environment}.yml";
        return repository.FindFile(commit, yaml) is null && repository.FindFile(commit, yml) is not null ? yml : yaml;
    }

    internal static EnvironmentHistory Load(GitRepository repository, string environment, string tip)
    {
        var path = PathIn(repository, tip, environment);
        var revisions = repository.CommitsTouching(tip, path).Select(commit => Revision(repository, commit, path)).ToList();
        return new EnvironmentHistory(environment, path, revisions);
    }

    private static EnvironmentRevision Revision(GitRepository repository, GitCommit commit, string path)
    {
        IReadOnlyList<PinnedModel> pins = [];
        IReadOnlyList<string> errors = [];
        var text = repository.ReadText(commit.Sha, path);
        if (text is not null)
        {
            var parsed = EnvironmentParser.Parse(path, text);
            errors = [.. parsed.Diagnostics.Where(d => d.Severity == Severity.Error).Select(d => d.ToString())];
            pins = errors.Count == 0 && parsed.Declaration is { } declaration ? declaration.Value.Models : [];
        }

        var promotion = PromotionTrailers.ReadPromotion(commit.Message)
            ?? (commit.Parents.Count > 1 && repository.FindCommit(commit.Parents[1]) is { } merged ? PromotionTrailers.ReadPromotion(merged.Message) : null);
        return new EnvironmentRevision(commit.Sha, commit.Committer.When, commit.Author.ToString(),
            commit.Subject, pins, text is not null, errors, promotion, PromotionTrailers.ReadRollback(commit.Message));
    }
}
