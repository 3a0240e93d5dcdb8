using System.Globalization;
using Mlops.Declarations.FeatureSets;
using Mlops.Declarations.Models;
using Mlops.Declarations.Schema;
using Mlops.Pipeline.Evaluation;
using Mlops.Pipeline.Registry;
using Mlops.Pipeline.Stages;
using Mlops.Pipeline.Tracking;
using Mlops.Pipeline.Training;
using Mlops.Runtime.Bundles;
using Mlops.Runtime.Git;
using Mlops.Runtime.Store;

namespace Mlops.Pipeline.Gates;

/// <summary>
/// The champion compared with the candidate on the same evaluation rows (<see cref="Comparison"/>), or why it was not
/// (<see cref="NotPaired"/>): then champion rules fall back to the metrics the champion's registry tag recorded.
/// </summary>
/// <param name="Comparison">The paired comparison, when the rows could be paired.</param>
/// <param name="NotPaired">Why not, in words that follow "not paired: ", with what to do.</param>
public sealed record ChampionPairing(PairedComparison? Comparison, string? NotPaired)
{
    /// <summary>
    /// Pairs the candidate's current holdout with the champion when those rows were outside the champion's training
    /// data too: the split (seed, holdout fraction, time column) in the champion's model file at its registered commit
    /// equals the candidate's, and the split key is stable (an entity column both feature sets declare; without one the
    /// key is the whole record, and with a time split the cut follows the data, so then the data must be the very file
    /// the champion was trained on). Then both are scored on the rows and compared with a paired bootstrap.
    /// </summary>
    /// <param name="workspace">The repository.</param>
    /// <param name="model">The candidate's model.</param>
    /// <param name="features">Its feature set.</param>
    /// <param name="run">The candidate's run.</param>
    /// <param name="champion">The version the environment pins.</param>
    /// <param name="cancellationToken">Stops the work.</param>
    public static async Task<ChampionPairing> PairAsync(
        Workspace workspace, Declared<ModelSpec> model, Declared<FeatureSet> features, Run run, ModelVersion champion, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(workspace);
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(features);
        ArgumentNullException.ThrowIfNull(champion);
        Bundle bundle;
        try
        {
            bundle = await ReadBundleAsync(workspace, champion, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is BundleNotFoundException or BundleCorruptException or BundleStoreException or BundleFormatException)
        {
            return Unpaired($"the champion's bundle could not be read ({e.Message.TrimEnd('.')}); make the store that holds {champion.BundleDigest} reachable (--store or MLOPS_STORE)");
        }

        if (Eligibility(workspace, model, features, champion, bundle) is { } reason)
        {
            return Unpaired(reason);
        }

        var request = EvaluateStage.Request(workspace, model, features, run);
        try
        {
            return new ChampionPairing(await new ModelEvaluator(workspace.Time).CompareAsync(request, bundle, cancellationToken).ConfigureAwait(false), null);
        }
        catch (PairingException e)
        {
            return Unpaired(e.Message + "; retrain the champion's successor on a feature set that includes its features, or compare by the tag's metrics (no confidence)");
        }
        catch (InvalidDataException e)
        {
            return Unpaired($"the champion's model cannot be loaded here ({e.Message.TrimEnd('.')})");
        }
    }

    private static ChampionPairing Unpaired(string reason) => new(null, reason);

    private static async Task<Bundle> ReadBundleAsync(Workspace workspace, ModelVersion champion, CancellationToken cancellationToken)
    {
        var store = BundleStoreFactory.Create(workspace.Data.Store);
        try
        {
            using var buffer = new MemoryStream();
            await store.CopyToAsync(champion.BundleDigest, buffer, cancellationToken).ConfigureAwait(false);
            return Bundle.Read(buffer.ToArray());
        }
        finally
        {
            (store as IDisposable)?.Dispose();
        }
    }

    /// <summary>Why the current holdout rows may not all be outside the champion's training data, or null when they are.</summary>
    private static string? Eligibility(Workspace workspace, Declared<ModelSpec> model, Declared<FeatureSet> features, ModelVersion champion, Bundle bundle)
    {
        var spec = model.Value;
        if (bundle.Manifest.Task != spec.Task)
        {
            return $"the champion {champion.Tag} solves another task than the candidate";
        }

        // Declarations carry their path relative to the repository root (absolute only when loaded from elsewhere).
        var path = Path.IsPathRooted(model.Path) ? workspace.Relative(model.Path) : model.Path.Replace('\\', '/');
        string? text;
        using (var git = GitRepository.Discover(workspace.Root))
        {
            text = git?.ReadText(champion.Commit, path);
        }

        if (text is null || ModelParser.Parse(path, text).Declaration is not { } declared)
        {
            return $"the champion's model file {path} cannot be read at its commit {champion.Commit[..Math.Min(7, champion.Commit.Length)]}, so its split is unknown; fetch the commit (git fetch --tags)";
        }

        var (was, now) = (declared.Value.Data.Split, spec.Data.Split);
        if (now.Holdout == 0)
        {
            return "the candidate holds no rows out (data.split.holdout: 0, folds alone), so every row trained it; declare a holdout (for example 0.2) to compare it with the champion on rows neither trained on";
        }

        // Folds partition the training rows only: which rows are held out depends on the seed, the fraction and the time column.
        if ((was.Seed, was.Holdout, was.TimeColumn) != (now.Seed, now.Holdout, now.TimeColumn))
        {
            return $"the champion {champion.Tag} was split with {Describe(was)} and the candidate with {Describe(now)}, so some current holdout rows may have been the champion's training rows; "
                + "keep data.split as the champion's to compare them on rows neither trained on";
        }

        var currentData = spec.Data.Digest;
        var sameData = currentData is not null && currentData == bundle.Manifest.Lineage.DataDigest;
        if (now.TimeColumn is not null)
        {
            return sameData ? null
                : $"a time split's cut follows the data, and the data changed since the champion {champion.Tag} ({Short(bundle.Manifest.Lineage.DataDigest)} -> {Short(currentData)}), so the cut may have moved into the champion's training period";
        }

        var entity = features.Value.Entity;
        var championEntity = champion.FeatureSet is { } reference ? workspace.Declarations.Find(reference)?.Value.Entity : entity;
        if (entity is not null && entity == championEntity)
        {
            return null; // the key's hash decides the side, whatever else changed in the file
        }

        return sameData ? null
            : $"rows are split by {(entity is null ? "their whole record (the feature set declares no entity)" : $"entity '{entity}', the champion's by {(championEntity is null ? "its whole record" : $"'{championEntity}'")}")}, and the data changed since the champion {champion.Tag} "
                + $"({Short(bundle.Manifest.Lineage.DataDigest)} -> {Short(currentData)}), so a current holdout row may have been a training row of the champion; declare an entity column in the feature set so that a key keeps its side across data versions";
    }

    private static string Describe(SplitSpec split) => string.Create(CultureInfo.InvariantCulture,
        $"seed {split.Seed}, holdout {split.Holdout}{(split.TimeColumn is { } time ? $", timeColumn {time}" : "")}");

    private static string Short(string? digest) => digest is null ? "none" : digest.Length > 19 ? digest[..19] + "…" : digest;
}
