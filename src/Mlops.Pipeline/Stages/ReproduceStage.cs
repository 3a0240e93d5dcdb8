using Mlops.Declarations.Digests;
using Mlops.Declarations.Repository;
using Mlops.Pipeline.Data;
using Mlops.Pipeline.Registry;
using Mlops.Runtime.Git;
using Mlops.Runtime.Bundles;
using Mlops.Runtime.Store;

namespace Mlops.Pipeline.Stages;

/// <summary>One bundle entry that differs between the registered and the reproduced bundle.</summary>
/// <param name="Entry">The entry's name.</param>
/// <param name="Registered">Its digest in the registered bundle, or null when absent there.</param>
/// <param name="Reproduced">Its digest in the reproduced bundle, or null when absent there.</param>
public sealed record EntryDifference(string Entry, string? Registered, string? Reproduced);

/// <summary>What <c>mlops reproduce</c> found.</summary>
/// <param name="Version">The registered version.</param>
/// <param name="ReproducedDigest">The digest of the bundle retrained from the tag's commit.</param>
/// <param name="Differences">Entries whose bytes differ; empty when the digests are equal.</param>
/// <param name="MetricDeltas">Reproduced minus registered, for every holdout metric in either manifest.</param>
public sealed record ReproduceOutcome(ModelVersion Version, string ReproducedDigest, IReadOnlyList<EntryDifference> Differences, IReadOnlyDictionary<string, double> MetricDeltas)
{
    /// <summary>True when the retrained bundle has the registered digest: same inputs, same bytes.</summary>
    public bool Identical => ReproducedDigest == Version.BundleDigest;
}

/// <summary>
/// <c>mlops reproduce MODEL@vN</c>: writes the files of the tag's commit into a temporary folder,
/// trains, evaluates and packages there with a fresh run store, and compares the new bundle with
/// the registered one. Nothing in the repository, its run store or its bundle store changes.
/// </summary>
public static class ReproduceStage
{
    /// <summary>Retrains a registered version and compares bundles.</summary>
    /// <exception cref="StageInputException">The tag does not exist, or its bundle is missing from the store, damaged or unreadable.</exception>
    public static Task<ReproduceOutcome> RunAsync(string root, string reference, IBundleStore store, TimeProvider time, CancellationToken cancellationToken) =>
        RunAsync(root, reference, store, time, data: null, cancellationToken);

    /// <summary>As <see cref="RunAsync(string, string, IBundleStore, TimeProvider, CancellationToken)"/>, fetching data kept in the store through <paramref name="data"/>.</summary>
    /// <param name="root">The repository root.</param>
    /// <param name="reference">The registered version, MODEL@vN.</param>
    /// <param name="store">The store holding the registered bundle.</param>
    /// <param name="time">The clock.</param>
    /// <param name="data">The repository's data cache and store; null for the default ones. The retraining reads through it, so a fetched file is reused.</param>
    /// <param name="cancellationToken">Stops the work.</param>
    /// <exception cref="StageInputException">The tag does not exist, or its bundle is missing from the store, damaged or unreadable.</exception>
    public static async Task<ReproduceOutcome> RunAsync(string root, string reference, IBundleStore store, TimeProvider time, DataCache? data, CancellationToken cancellationToken)
    {
        ModelVersion version;
        try
        {
            version = new ModelRegistry(root, time).Resolve(reference);
        }
        catch (RegistryException e)
        {
            throw new StageInputException(e.Message);
        }

        // The registered bundle is read and checked first: a missing or damaged one is reported before
        // minutes of retraining, as what it is (bad input in the store), not as a defect.
        var registered = await ReadRegisteredAsync(store, version, cancellationToken).ConfigureAwait(false);
        var folder = Path.Combine(Path.GetTempPath(), $"mlops-reproduce-{Guid.NewGuid():N}");
        try
        {
            await ExtractAsync(root, version.Commit, folder, cancellationToken).ConfigureAwait(false);
            byte[] reproduced;
            await using (var workspace = await Workspace.OpenAsync(folder, Path.Combine(folder, ".mlops", "tracking.db"), time, (data ?? new DataCache(root)).ForCopyAt(folder), cancellationToken).ConfigureAwait(false))
            {
                var (model, features) = workspace.Models(version.Model).Single();
                if (External.ExternalModel.IsExternal(model.Value))
                {
                    throw new StageInputException($"{version.Tag} was registered from a file trained outside mlops (trainer: {External.ExternalModel.TrainerName}), so mlops cannot retrain it to compare. Its bundle holds the registered file's bytes; the run and tag record its digest.");
                }

                await TrainStage.RunAsync(workspace, model, features, force: true, progress: null, cancellationToken).ConfigureAwait(false);
                await EvaluateStage.RunAsync(workspace, model, features, force: true, progress: null, cancellationToken).ConfigureAwait(false);
                var local = new LocalFolderStore(Path.Combine(folder, ".mlops", "store"));
                var packaged = await PackageStage.RunAsync(workspace, model, features, local, register: false, cancellationToken).ConfigureAwait(false);
                reproduced = await ReadAsync(local, packaged.Digest, cancellationToken).ConfigureAwait(false);
            }

            return Compare(version, registered, reproduced);
        }
        finally
        {
            try
            {
                Directory.Delete(folder, recursive: true);
            }
            catch (IOException)
            {
                // A leftover temp folder is harmless.
            }
        }
    }

    /// <summary>The registered bundle, its bytes verified against its digest.</summary>
    /// <exception cref="StageInputException">The bundle is not in the store, its bytes do not match its digest, or they are not a bundle.</exception>
    private static async Task<Bundle> ReadRegisteredAsync(IBundleStore store, ModelVersion version, CancellationToken cancellationToken)
    {
        try
        {
            return Bundle.Read(await ReadAsync(store, version.BundleDigest, cancellationToken).ConfigureAwait(false));
        }
        catch (Exception e) when (e is BundleNotFoundException or BundleCorruptException or BundleStoreException)
        {
            throw new StageInputException($"cannot reproduce {version.Tag}: {e.Message}");
        }
        catch (BundleFormatException e)
        {
            throw new StageInputException($"cannot reproduce {version.Tag}: its bundle {version.BundleDigest} is not a readable bundle ({e.Message.TrimEnd('.')}). Restore the object from a copy of the store, or package the version again.");
        }
    }

    private static ReproduceOutcome Compare(ModelVersion version, Bundle registered, byte[] reproducedBytes)
    {
        var reproduced = Bundle.Read(reproducedBytes);
        var differences = registered.EntryNames.Union(reproduced.EntryNames, StringComparer.Ordinal).Order(StringComparer.Ordinal)
            .Select(name => new EntryDifference(name, DigestOf(registered, name), DigestOf(reproduced, name)))
            .Where(d => d.Registered != d.Reproduced)
            .ToList();
        var before = registered.Manifest.Metrics.Overall;
        var after = reproduced.Manifest.Metrics.Overall;
        var deltas = before.Keys.Union(after.Keys, StringComparer.Ordinal)
            .ToDictionary(k => k, k => after.GetValueOrDefault(k, double.NaN) - before.GetValueOrDefault(k, double.NaN), StringComparer.Ordinal);
        return new ReproduceOutcome(version, Sha256Digest.Of(reproducedBytes), differences, deltas);
    }

    private static string? DigestOf(Bundle bundle, string entry) =>
        bundle.EntryNames.Contains(entry, StringComparer.Ordinal) ? Sha256Digest.Of(bundle.Entry(entry)) : null;

    private static async Task<byte[]> ReadAsync(IBundleStore store, string digest, CancellationToken cancellationToken)
    {
        using var buffer = new MemoryStream();
        await store.CopyToAsync(digest, buffer, cancellationToken).ConfigureAwait(false);
        return buffer.ToArray();
    }

    /// <summary>Writes the declaration folders of a commit, then each model's data file, into <paramref name="folder"/>.</summary>
    private static async Task ExtractAsync(string root, string commitId, string folder, CancellationToken cancellationToken)
    {
        using (var repository = GitRepository.Discover(root) ?? throw new StageInputException($"'{root}' is not in a git repository."))
        {
            var commit = repository.FindCommit(commitId)?.Sha ?? throw new StageInputException($"commit {commitId} is not in the repository; fetch it first.");
            foreach (var name in new[] { RepositoryLayout.FeaturesFolder, RepositoryLayout.ModelsFolder, RepositoryLayout.EnvironmentsFolder })
            {
                foreach (var file in repository.ListFiles(commit, name))
                {
                    Write(repository, commit, file.Path, folder);
                }
            }

            var declarations = await RepositoryLoader.LoadAsync(folder, cancellationToken).ConfigureAwait(false);

            // A path that leaves the folder is not copied (nor looked up in the commit): training then
            // reports it, located at data.path, as mlops validate does.
            // Data kept in the store (no path) is fetched by digest when the copy is validated.
            foreach (var path in declarations.Models.Select(m => m.Value.Data.Path?.Replace('\\', '/')).OfType<string>().Where(Data.DataPath.IsPlainRelative).Distinct(StringComparer.Ordinal))
            {
                if (repository.FindFile(commit, path) is not null)
                {
                    Write(repository, commit, path, folder);
                }
            }
        }
    }

    private static void Write(GitRepository repository, string commit, string path, string folder)
    {
        var file = Path.Combine(folder, path.Replace('/', Path.DirectorySeparatorChar));
        Directory.CreateDirectory(Path.GetDirectoryName(file)!);
        using var target = File.Create(file);
        repository.CopyFile(commit, path, target);
    }
}
