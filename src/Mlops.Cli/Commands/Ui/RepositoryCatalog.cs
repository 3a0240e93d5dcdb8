using Mlops.Cli.Commands.History;
using Mlops.Cli.Commands.Registry;
using Mlops.Declarations.Models;
using Mlops.Pipeline.Gates;
using Mlops.Pipeline.History;
using Mlops.Pipeline.Promotion;
using Mlops.Pipeline.Registry;
using Mlops.Pipeline.Tracking;
using Mlops.Runtime.Git;
using Mlops.Server.Ui.Catalog;

namespace Mlops.Cli.Commands.Ui;

/// <summary>
/// The UI's <see cref="IRepositoryCatalog"/> over the pipeline: runs from the run store (opened per request, so a
/// run recorded while the page is open shows on reload, and a store created later is found), versions from the
/// registry's git tags, promotions from the environment files' git history. <c>mlops ui</c> and <c>mlops serve</c>
/// register it.
/// </summary>
/// <param name="repository">The repository root.</param>
/// <param name="trackingDatabase">The run store file (<see cref="TrackingLocation.Resolve"/>).</param>
/// <param name="time">The clock the run store reads with.</param>
internal sealed class RepositoryCatalog(string repository, string trackingDatabase, TimeProvider time) : IRepositoryCatalog
{
    public string Source => repository;

    public async Task<IReadOnlyList<RunView>> RunsAsync(string? model, int limit, CancellationToken cancellationToken) =>
        await WithStoreAsync(async store => (await store.ListAsync(model, limit, cancellationToken).ConfigureAwait(false)).Select(View).ToList(), [], cancellationToken)
            .ConfigureAwait(false);

    public async Task<RunView?> RunAsync(string id, CancellationToken cancellationToken) =>
        await WithStoreAsync(async store => await store.GetAsync(id, cancellationToken).ConfigureAwait(false) is { } run ? View(run) : null, null, cancellationToken)
            .ConfigureAwait(false);

    public Task<RunComparisonView?> CompareAsync(IReadOnlyList<string> ids, CancellationToken cancellationToken) =>
        WithStoreAsync(async store =>
        {
            var runs = new List<Run>();
            foreach (var id in ids)
            {
                if (await store.GetAsync(id, cancellationToken).ConfigureAwait(false) is not { } run)
                {
                    return null;
                }

                runs.Add(run);
            }

            return Compare(runs);
        }, null, cancellationToken);

    public Task<IReadOnlyList<RegisteredModelView>> RegistryAsync(CancellationToken cancellationToken) => Task.Run(() => Git(() =>
    {
        var pins = RegistryCommand.EnvironmentPins(repository);
        return (IReadOnlyList<RegisteredModelView>)[.. new ModelRegistry(repository, time).List()
            .GroupBy(v => v.Model, StringComparer.Ordinal)
            .OrderBy(g => g.Key, StringComparer.Ordinal)
            .Select(g => new RegisteredModelView(g.Key, Description(g.Key), [.. g.OrderBy(v => v.Version).Select(v => new RegisteredVersionView(
                v.Version, v.Tag, v.BundleDigest, v.FeatureSet?.ToString(), v.RunId,
                [.. v.Metrics.Select(m => new KeyValuePair<string, double>(m.Name, m.Value))],
                v.Commit, v.Date, v.Tagger, pins.GetValueOrDefault((v.Model, v.Version)) ?? []))]))];
    }), cancellationToken);

    public Task<IReadOnlyList<string>> EnvironmentsAsync(CancellationToken cancellationToken) =>
        Task.Run(() => Git(() => EnvironmentHistory.Environments(repository)), cancellationToken);

    public Task<EnvironmentHistoryView?> HistoryAsync(string environment, CancellationToken cancellationToken) => Task.Run(() => Git(() =>
    {
        if (!EnvironmentHistory.Environments(repository).Contains(environment, StringComparer.Ordinal))
        {
            return null;
        }

        var history = EnvironmentHistory.Load(repository, environment);
        using var git = GitRepository.Discover(repository)
            ?? throw new RepositoryCatalogException($"'{repository}' is not in a git repository. Run 'mlops ui' on a repository (git init; commit the declarations).");
        var changes = history.Revisions.Select(revision =>
        {
            var commit = git.FindCommit(revision.Commit);
            var body = commit is null ? "" : commit.Message.Replace("\r\n", "\n", StringComparison.Ordinal).Trim('\n');
            var newline = body.IndexOf('\n', StringComparison.Ordinal);
            body = newline < 0 ? "" : body[(newline + 1)..].Trim('\n');
            return new EnvironmentChangeView(revision.Commit, revision.Date, revision.Author, revision.Subject, body,
                [.. revision.Pins.Select(HistoryCommand.Describe)],
                Diff(git, environment, history.Path, revision, commit),
                revision.Promotion is { } p ? $"{p.Model}@v{p.Version} -> {p.Environment} ({p.Mode})" : null,
                revision.RolledBack,
                revision.Errors);
        }).ToList();
        return (EnvironmentHistoryView?)new EnvironmentHistoryView(environment, history.Path, changes);
    }), cancellationToken);

    /// <summary>The runs side by side, through <see cref="RunComparison"/>: the pipeline owns what a delta is.</summary>
    internal static RunComparisonView Compare(IReadOnlyList<Run> runs)
    {
        var baseline = runs[0];
        var comparisons = runs.Skip(1).Select(other => RunComparison.Create(baseline, other)).ToList();
        var parameters = RunTable.ParamNames(runs).Select(name => new ComparedParam(name, [.. runs.Select(r => r.Params.GetValueOrDefault(name))])).ToList();
        var metrics = RunTable.MetricKeys(runs).Select(key =>
        {
            var values = runs.Select(r => r.FindMetric(key.Name, key.Split, key.Slice)?.Value).ToList();
            var deltas = new List<double?> { null };

            // A metric only a later run has is in no comparison with the baseline run's other partners: no delta there.
            deltas.AddRange(comparisons.Select(c => c.Metrics.FirstOrDefault(m => (m.Name, m.Split, m.Slice) == key)?.Delta));
            return new ComparedMetric(new RunMetricView(key.Name, key.Split, key.Slice, values[0] ?? double.NaN, MetricDirection.GreaterIsBetter(key.Name)), values, deltas);
        }).ToList();
        return new RunComparisonView([.. runs.Select(View)], parameters, metrics);
    }

    internal static RunView View(Run run) => new()
    {
        Id = run.Id,
        Model = run.Model,
        Status = RunComparison.Name(run.Status),
        StartedAt = run.StartedAt,
        Duration = run.Duration,
        Params = [.. run.Params],
        Metrics = [.. run.Metrics.Select(m => new RunMetricView(m.Name, m.Split, m.Slice, m.Value, MetricDirection.GreaterIsBetter(m.Name)))],
        DataDigest = run.DataDigest,
        DeclarationsDigest = run.DeclarationsDigest,
        CacheKey = run.CacheKey,
        GitCommit = run.Git.Commit,
        GitDirty = run.Git.Dirty,
        GitBranch = run.Git.Branch,
        Os = run.Toolchain.Os,
        DotNet = run.Toolchain.DotNet,
        MlNet = run.Toolchain.MlNet,
        Seed = run.Seed,
        ArtifactPath = run.Artifact?.Path,
        ArtifactDigest = run.Artifact?.Digest,
        Host = run.Host,
        Error = run.Error?.ToString(),
    };

    /// <summary>The environment diff a commit made, through <see cref="EnvironmentDiff"/> (which owns the words for each change).</summary>
    private static IReadOnlyList<PinChangeView> Diff(GitRepository git, string environment, string path, EnvironmentRevision revision, GitCommit? commit)
    {
        try
        {
            var before = commit is { Parents.Count: > 0 } ? git.ReadText(commit.Parents[0], path) : null;
            var after = revision.Exists ? git.ReadText(revision.Commit, path) : null;
            return [.. EnvironmentDiff.Compare(environment, path, before, after).Changes.Select(change => new PinChangeView(
                change.Model, change.Before?.Version, change.After?.Version,
                [.. change.Changes.Select(words => words.Replace("**", "", StringComparison.Ordinal))],
                change.Changes.Any(words => words.Contains("**", StringComparison.Ordinal))))];
        }
        catch (EnvironmentEditException)
        {
            // One side does not parse: the revision's own errors are shown instead of a diff.
            return [];
        }
    }

    private string? Description(string model)
    {
        foreach (var extension in new[] { ".yaml", ".yml" })
        {
            var file = Path.Combine(repository, "models", model + extension);
            if (File.Exists(file))
            {
                return ModelParser.Parse("models/" + model + extension, File.ReadAllText(file)).Declaration?.Value.Description;
            }
        }

        return null;
    }

    private async Task<T> WithStoreAsync<T>(Func<RunStore, Task<T>> read, T none, CancellationToken cancellationToken)
    {
        if (!TrackingLocation.MayExist(trackingDatabase))
        {
            return none;
        }

        try
        {
            var store = await RunStore.OpenAsync(trackingDatabase, time, cancellationToken).ConfigureAwait(false);
            await using (store.ConfigureAwait(false))
            {
                return await read(store).ConfigureAwait(false);
            }
        }
        catch (TrackingStoreException e)
        {
            throw new RepositoryCatalogException(e.Message, e);
        }
    }

    private static T Git<T>(Func<T> read)
    {
        try
        {
            return read();
        }
        catch (RegistryException e)
        {
            throw new RepositoryCatalogException(e.Message, e);
        }
        catch (GitException e)
        {
            throw new RepositoryCatalogException($"the repository's git data cannot be read: {e.Message}", e);
        }
    }
}
