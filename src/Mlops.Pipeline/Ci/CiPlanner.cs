using Mlops.Declarations.Environments;
using Mlops.Declarations.FeatureSets;
using Mlops.Declarations.Models;
using Mlops.Declarations.Repository;
using Mlops.Pipeline.History;
using Mlops.Pipeline.Promotion;
using Mlops.Pipeline.Registry;
using Mlops.Runtime.Git;

namespace Mlops.Pipeline.Ci;

/// <summary>
/// Works out which models and environments a change between two commits touches, from the declarations in the two
/// commits' trees (never the work tree, which CI may have changed):
/// <list type="bullet">
/// <item>a changed feature-set file selects every model whose <c>featureSet</c> names a set the file declares, whatever version it pins;</item>
/// <item>a changed model file, or a change to the data file a model names, selects that model;</item>
/// <item>a changed environment file selects that environment, with its <see cref="EnvironmentDiff"/>;</item>
/// <item>a selected model selects the environments it is gated against: every environment that pins it (primary,
/// canary or shadow: its champion and <c>requires</c> are there), or, when none pins it yet, every environment
/// without <c>requires.promotedFrom</c> (where a new version is promoted first).</item>
/// </list>
/// A model whose file the change deletes is not selected: there is nothing left to train.
/// </summary>
public static class CiPlanner
{
    /// <summary>Plans the change from <paramref name="baseRevision"/> to <paramref name="headRevision"/>.</summary>
    /// <param name="repositoryPath">The repository's root or a folder inside it.</param>
    /// <param name="baseRevision">The revision the change starts from (a branch, tag or sha); it need not be an ancestor of the head.</param>
    /// <param name="headRevision">The revision with the change.</param>
    /// <exception cref="CiPlanException">The folder is not in a repository, or a revision names no commit.</exception>
    public static CiPlan Plan(string repositoryPath, string baseRevision, string headRevision)
    {
        GitRepository repository;
        try
        {
            repository = ModelRegistry.Open(repositoryPath);
        }
        catch (RegistryException e)
        {
            throw new CiPlanException(e.Message, e);
        }

        using (repository)
        {
            var baseCommit = Resolve(repository, "base", baseRevision);
            var headCommit = Resolve(repository, "head", headRevision);
            var before = Tree.Read(repository, baseCommit);
            var after = Tree.Read(repository, headCommit);

            var changed = before.Files.Keys.Union(after.Files.Keys)
                .Where(path => before.Files.GetValueOrDefault(path) != after.Files.GetValueOrDefault(path))
                .ToHashSet(StringComparer.Ordinal);
            var models = new SortedDictionary<string, Selection>(StringComparer.Ordinal);
            void SelectModel(string name, string reason) => Add(models, name, after.Models[name].Path, reason);

            foreach (var path in changed.Where(p => RepositoryLayout.KindOf(p) == DeclarationKind.FeatureSet).Order(StringComparer.Ordinal))
            {
                var names = before.FeatureSetNames(path).Union(after.FeatureSetNames(path)).ToHashSet(StringComparer.Ordinal);
                foreach (var (name, model) in after.Models.Where(m => names.Contains(m.Value.Spec.FeatureSet.Name)))
                {
                    SelectModel(name, $"feature set {model.Spec.FeatureSet.Name} changed ({path})");
                }
            }

            foreach (var (name, model) in after.Models)
            {
                if (changed.Contains(model.Path))
                {
                    SelectModel(name, before.Files.ContainsKey(model.Path) ? $"model file changed ({model.Path})" : $"model file added ({model.Path})");
                }

                // Data kept in the store changes only with its digest, which is a change of the model file.
                if (model.Spec.Data.Path is not { } data)
                {
                    continue;
                }

                if (repository.FindFile(baseCommit, data)?.Id != repository.FindFile(headCommit, data)?.Id)
                {
                    changed.Add(data);
                    SelectModel(name, $"data file changed ({data})");
                }
            }

            // A model file that no longer parses is still a change CI must report (its validation fails); it is named by its file.
            foreach (var path in changed.Where(p => RepositoryLayout.KindOf(p) == DeclarationKind.Model && after.Files.ContainsKey(p)
                && after.Models.Values.All(m => m.Path != p)).Order(StringComparer.Ordinal))
            {
                Add(models, Stem(path), path, $"model file changed ({path}) but does not parse; mlops validate says why");
            }

            var environments = new SortedDictionary<string, Selection>(StringComparer.Ordinal);
            var diffs = new Dictionary<string, (EnvironmentDiff? Diff, string? Error)>(StringComparer.Ordinal);
            foreach (var path in changed.Where(p => RepositoryLayout.KindOf(p) == DeclarationKind.Environment).Order(StringComparer.Ordinal))
            {
                var name = after.EnvironmentName(path) ?? before.EnvironmentName(path) ?? Stem(path);
                var (baseText, headText) = (repository.ReadText(baseCommit, path), repository.ReadText(headCommit, path));
                Add(environments, name, path, baseText is null ? "environment file added" : headText is null ? "environment file deleted" : "environment file changed");
                try
                {
                    diffs[name] = (EnvironmentDiff.Compare(name, path, baseText, headText), null);
                }
                catch (EnvironmentEditException e)
                {
                    diffs[name] = (null, e.Message);
                }
            }

            foreach (var model in models.Keys)
            {
                var pinning = after.Environments.Where(e => e.Value.Spec.Models.Any(p => p.Model == model)).ToList();
                foreach (var (name, environment) in pinning)
                {
                    Add(environments, name, environment.Path, $"pins model {model}: its gate runs against the pinned champion and the requirements");
                }

                if (pinning.Count == 0)
                {
                    foreach (var (name, environment) in after.Environments.Where(e => e.Value.Spec.Requires.PromotedFrom is null))
                    {
                        Add(environments, name, environment.Path, $"model {model} is pinned nowhere yet and is promoted here first (no requires.promotedFrom)");
                    }
                }
            }

            return new CiPlan(
                baseCommit,
                headCommit,
                [.. changed.Order(StringComparer.Ordinal)],
                [.. models.Select(m => new PlannedModel(m.Key, m.Value.Path, m.Value.Reasons))],
                [.. environments.Select(e => new PlannedEnvironment(e.Key, e.Value.Path, e.Value.Reasons,
                    diffs.GetValueOrDefault(e.Key).Diff, diffs.GetValueOrDefault(e.Key).Error))]);
        }
    }

    private static void Add(SortedDictionary<string, Selection> selections, string name, string path, string reason)
    {
        if (!selections.TryGetValue(name, out var selection))
        {
            selections[name] = selection = new Selection(path, []);
        }

        if (!selection.Reasons.Contains(reason))
        {
            selection.Reasons.Add(reason);
        }
    }

    private static string Resolve(GitRepository repository, string role, string revision) =>
        repository.FindCommit(revision)?.Sha
        ?? throw new CiPlanException($"the {role} revision '{revision}' does not name a commit in {repository.Location}. Pass a branch, tag or sha that exists there; a shallow clone must fetch it first (actions/checkout with fetch-depth: 0).");

    private static string Stem(string path)
    {
        var name = path[(path.LastIndexOf('/') + 1)..];
        return name.Contains('.', StringComparison.Ordinal) ? name[..name.LastIndexOf('.')] : name;
    }

    private sealed record Selection(string Path, List<string> Reasons);

    private sealed record Found<T>(string Path, T Spec);

    /// <summary>The declaration files of one commit (path to blob id) and what they declare, where they parse.</summary>
    private sealed record Tree(
        IReadOnlyDictionary<string, string> Files,
        IReadOnlyDictionary<string, IReadOnlyList<string>> FeatureSets,
        SortedDictionary<string, Found<ModelSpec>> Models,
        SortedDictionary<string, Found<EnvironmentSpec>> Environments)
    {
        public static Tree Read(GitRepository repository, string commit)
        {
            var files = RepositoryLayout.Folders
                .SelectMany(folder => repository.ListFiles(commit, folder))
                .Where(f => RepositoryLayout.KindOf(f.Path) is not null)
                .ToDictionary(f => f.Path, f => f.Id, StringComparer.Ordinal);
            var featureSets = new Dictionary<string, IReadOnlyList<string>>(StringComparer.Ordinal);
            var models = new SortedDictionary<string, Found<ModelSpec>>(StringComparer.Ordinal);
            var environments = new SortedDictionary<string, Found<EnvironmentSpec>>(StringComparer.Ordinal);
            foreach (var path in files.Keys.Order(StringComparer.Ordinal))
            {
                var text = repository.ReadBlobText(files[path]);
                switch (RepositoryLayout.KindOf(path))
                {
                    case DeclarationKind.FeatureSet:
                        // A file that does not parse far enough still names its set by its file name, the convention.
                        featureSets[path] = FeatureSetParser.Parse(path, text).Declaration is { } set ? [set.Value.Name] : [Stem(path)];
                        break;
                    case DeclarationKind.Model when ModelParser.Parse(path, text).Declaration is { } model:
                        models.TryAdd(model.Value.Name, new(path, model.Value));
                        break;
                    case DeclarationKind.Environment when EnvironmentParser.Parse(path, text).Declaration is { } environment:
                        environments.TryAdd(environment.Value.Name, new(path, environment.Value));
                        break;
                }
            }

            return new Tree(files, featureSets, models, environments);
        }

        public IReadOnlyList<string> FeatureSetNames(string path) => FeatureSets.GetValueOrDefault(path) ?? [];

        public string? EnvironmentName(string path) => Environments.Values.FirstOrDefault(e => e.Path == path)?.Spec.Name;
    }
}
