using System.Text.Json;
using Mlops.Declarations.Digests;
using Mlops.Declarations.FeatureSets;
using Mlops.Declarations.Models;
using Mlops.Declarations.Schema;
using Mlops.Pipeline.Evaluation;
using Mlops.Pipeline.Export;
using Mlops.Pipeline.External;
using Mlops.Pipeline.Gates;
using Mlops.Pipeline.Registry;
using Mlops.Pipeline.Tracking;
using Mlops.Pipeline.Training;
using Mlops.Runtime.Bundles;
using Mlops.Runtime.Evaluation;
using Mlops.Runtime.Monitoring.Drift;
using Mlops.Runtime.Scoring;
using Mlops.Runtime.Store;

namespace Mlops.Pipeline.Stages;

/// <summary>The outcome of packaging one model.</summary>
/// <param name="Run">The run packaged.</param>
/// <param name="Digest">The bundle's content address in the store.</param>
/// <param name="Store">Where it was stored.</param>
/// <param name="Version">The registered version, when registered.</param>
/// <param name="NewVersion">True when this packaging created the version; false when the same bundle was already registered.</param>
public sealed record PackageOutcome(Run Run, string Digest, string Store, ModelVersion? Version, bool NewVersion)
{
    /// <summary>The ONNX export tried for an ML.NET model (carried in the bundle when converted); null for a model that is ONNX already.</summary>
    public OnnxExportResult? Onnx { get; init; }
}

/// <summary>
/// <c>mlops package</c>: builds the deterministic bundle of the current run (model, manifest,
/// reference profile), stores it by its sha256, and registers it as the tag <c>MODEL@vN</c> on the
/// commit whose declarations produced it. The same run packages to the same bundle, and a bundle
/// already registered keeps its version.
/// </summary>
public static class PackageStage
{
    /// <summary>Packages, stores and (unless <paramref name="register"/> is false) registers the current run.</summary>
    /// <exception cref="StageInputException">No evaluation yet, or the declarations are not committed.</exception>
    public static async Task<PackageOutcome> RunAsync(Workspace workspace, Declared<ModelSpec> model, Declared<FeatureSet> features, IBundleStore store, bool register, CancellationToken cancellationToken)
    {
        var run = await EvaluateStage.CurrentRunAsync(workspace, model, features, cancellationToken).ConfigureAwait(false);
        return await PackageRunAsync(workspace, model, features, run, store, register, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Packages, stores and (unless <paramref name="register"/> is false) registers a given evaluated run of the model.</summary>
    /// <exception cref="StageInputException">The run has not been evaluated, or the declarations are not committed.</exception>
    public static async Task<PackageOutcome> PackageRunAsync(Workspace workspace, Declared<ModelSpec> model, Declared<FeatureSet> features, Run run, IBundleStore store, bool register, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(workspace);
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(features);
        ArgumentNullException.ThrowIfNull(run);
        ArgumentNullException.ThrowIfNull(store);
        var evaluation = await EvaluateStage.ReadAsync(workspace, run, cancellationToken).ConfigureAwait(false)
            ?? throw new StageInputException($"run {run.Id} of '{model.Value.Name}' has not been evaluated. Run 'mlops evaluate {model.Value.Name}' first.");
        var git = GitState.Read(workspace.Root);
        if (register && (git.Commit is null || git.Dirty == true))
        {
            throw new StageInputException(git.Commit is null
                ? $"'{workspace.Root}' is not a git repository, so '{model.Value.Name}' cannot be registered as a tag. Run 'git init' and commit, or package with --no-register."
                : $"the working tree has uncommitted changes; a version's tag must point at the commit whose declarations produced it. Commit them, then package '{model.Value.Name}' again.");
        }

        var data = await TrainedDataAsync(workspace, model, features, run, cancellationToken).ConfigureAwait(false);
        var sample = ReferenceSampleOf(data, model, features);
        var modelBytes = await File.ReadAllBytesAsync(Path.Combine(workspace.Root, run.Artifact!.Path), cancellationToken).ConfigureAwait(false);
        var onnx = ExternalModel.IsExternal(model.Value) ? null : await Task.Run(() => OnnxExport.Export(modelBytes, data), cancellationToken).ConfigureAwait(false);
        var bundle = Build(model.Value, features.Value, run, evaluation.Report, modelBytes, sample, onnx);
        string digest;
        using (var stream = new MemoryStream(bundle, writable: false))
        {
            digest = await store.PutAsync(stream, cancellationToken).ConfigureAwait(false);
        }

        if (!register)
        {
            return new PackageOutcome(run, digest, store.Location, null, false) { Onnx = onnx };
        }

        var result = new ModelRegistry(workspace.Root, workspace.Time).Register(new ModelRegistration(model.Value.Name, git.Commit!, digest)
        {
            FeatureSet = features.Value.Reference,
            FeatureSetDigest = features.Value.SchemaDigest,
            RunId = run.Id,
            Metrics = MetricSets.ToRegistry(MetricSets.From(evaluation.Report)),
        });
        return new PackageOutcome(run, digest, store.Location, result.Version, result.Created) { Onnx = onnx };
    }

    /// <summary>The bundle bytes of a run: a pure function of the run's model, its deterministic evaluation and its training data's reference sample.</summary>
    /// <param name="model">The model declaration.</param>
    /// <param name="features">Its feature set.</param>
    /// <param name="run">The run packaged.</param>
    /// <param name="evaluation">The run's evaluation.</param>
    /// <param name="modelBytes">The model file.</param>
    /// <param name="referenceSample">The <see cref="ReferenceSample"/> CSV of the training rows.</param>
    /// <param name="onnx">The model's ONNX export; the bundle carries its graph when it converted.</param>
    public static byte[] Build(ModelSpec model, FeatureSet features, Run run, EvaluationReport evaluation, byte[] modelBytes, byte[] referenceSample, OnnxExportResult? onnx = null)
    {
        // An external model's file is ONNX (mlops register); everything else is what training saved.
        var external = ExternalModel.IsExternal(model);

        // Timings differ between runs of the same inputs; they stay in the tag and the run store.
        var quality = evaluation.Metrics.Where(m => m.Key is not (MetricNames.P50LatencyMs or MetricNames.P99LatencyMs)).ToDictionary(m => m.Key, m => m.Value);
        var manifest = new BundleManifest(
            BundleManifest.CurrentFormat,
            model.Name,
            model.Task,
            external ? ExternalModel.ModelFileName : ModelTrainer.ModelFileName,
            external ? ModelFormat.Onnx : ModelFormat.MlNet,
            Sha256Digest.Of(modelBytes),
            new BundleFeatureSet(features.Name, features.Version, features.SchemaDigest),
            [.. features.Features.Where(f => f.Source == FeatureSource.Data).Select(BundleInput.For)],
            new BundleLabel(model.Label.Column, model.Label.Positive),
            AutoTraining.BundleTrainerOf(model, run),
            new BundleLineage(run.DataDigest ?? model.Data.Digest, run.CacheKey ?? "", external ? "" : TrainerCatalog.MlNetVersion),
            new BundleMetrics(quality, evaluation.Slices.ToDictionary(s => $"{s.Feature}={s.Value}", s => s.Metrics)));
        var profile = JsonSerializer.SerializeToUtf8Bytes(evaluation.Profile, EvaluateStage.Json);
        var entries = new Dictionary<string, byte[]> { [Bundle.ProfileEntry] = profile, [ReferenceSample.EntryName] = referenceSample };
        if (onnx?.Model is { } graph)
        {
            entries[OnnxExport.EntryName] = graph;
            manifest = manifest with
            {
                Onnx = new BundleOnnx(OnnxExport.EntryName, Sha256Digest.Of(graph), $"Microsoft.ML.OnnxConverter {OnnxExport.ConverterVersion}",
                    OnnxExport.OutputOf(model.Task), onnx.RowsCompared, onnx.MaxAbsoluteDifference, OnnxExport.Tolerance),
            };
        }

        return Bundle.Write(manifest, modelBytes, entries);
    }

    /// <summary>The model's data as training read and split it, checked to be the data the run was trained on.</summary>
    /// <exception cref="StageInputException">The data file is no longer the one the run was trained on.</exception>
    private static async Task<TrainingData> TrainedDataAsync(Workspace workspace, Declared<ModelSpec> model, Declared<FeatureSet> features, Run run, CancellationToken cancellationToken)
    {
        var data = workspace.DataOf(model) is { Rows: not null } read
            ? TrainingData.From(read)
            : await TrainingData.LoadAsync(workspace.Root, model, features, cancellationToken, workspace.Data).ConfigureAwait(false);
        if (run.DataDigest is { } trained && trained != data.DataDigest)
        {
            throw new StageInputException($"the data file '{data.DataPath}' hashes to {data.DataDigest}, but run {run.Id} of '{model.Value.Name}' was trained on {trained}; the bundle's reference sample must come from the data the model learned from. Restore that data, or train again.");
        }

        return data;
    }

    /// <summary>
    /// The reference sample of the rows the model was trained on: the training split of the data,
    /// as training reads it, sampled with the split's seed (<see cref="ReferenceSample.Choose"/>).
    /// </summary>
    private static byte[] ReferenceSampleOf(TrainingData data, Declared<ModelSpec> model, Declared<FeatureSet> features)
    {
        var chosen = ReferenceSample.Choose(data.Train.Length, model.Value.Data.Split.Seed);
        var inputs = features.Value.Features.Where(f => f.Source == FeatureSource.Data).Select(BundleInput.For).ToList();
        return ReferenceSample.Write(data.Rows, [.. chosen.Select(i => data.Train[i])], inputs);
    }
}
