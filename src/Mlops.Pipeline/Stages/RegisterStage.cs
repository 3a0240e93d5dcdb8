using Mlops.Declarations.Diagnostics;
using Mlops.Declarations.Digests;
using Mlops.Declarations.FeatureSets;
using Mlops.Declarations.Models;
using Mlops.Declarations.Schema;
using Mlops.Pipeline.Evaluation;
using Mlops.Pipeline.External;
using Mlops.Pipeline.Tracking;
using Mlops.Pipeline.Training;
using Mlops.Runtime.Bundles;
using Mlops.Runtime.Scoring;
using Mlops.Runtime.Store;

namespace Mlops.Pipeline.Stages;

/// <summary>What to register.</summary>
/// <param name="OnnxFile">The ONNX file, as the user named it (relative paths are taken from the current folder).</param>
/// <param name="Model">The model it is a version of: <c>models/MODEL.yaml</c> declares it with <c>trainer: { name: external }</c>.</param>
/// <param name="FeatureSet">The feature set it takes, <c>NAME@VERSION</c>; must be the one the model declares.</param>
public sealed record RegisterRequest(string OnnxFile, string Model, string FeatureSet);

/// <summary>The outcome of a registration.</summary>
/// <param name="Run">The run that recorded it.</param>
/// <param name="Onnx">What the check learned about the file.</param>
/// <param name="Evaluation">The holdout evaluation.</param>
/// <param name="Package">The bundle and the registered version.</param>
public sealed record RegisterOutcome(Run Run, OnnxModelInfo Onnx, EvaluationReport Evaluation, PackageOutcome Package);

/// <summary>
/// <c>mlops register --onnx FILE --model NAME --feature-set SET@V</c>: brings a model trained elsewhere
/// into the same flow as the models mlops trains. It checks everything first (feature set declared,
/// model declared as external and on that feature set, file present, loadable by ONNX Runtime, inputs
/// fitting the features, work tree committed) and changes nothing when a check fails. Then it records
/// a run, evaluates the file on the model's holdout rows through the scorer serving uses (metrics,
/// slices, latency, reference profile), and packages, stores and tags it with <see cref="PackageStage"/>.
/// </summary>
public static class RegisterStage
{
    /// <summary>The run parameter recording where the file came from (the run store only; never in the bundle).</summary>
    public const string SourceParameter = "source";

    /// <summary>Registers the file.</summary>
    /// <exception cref="StageInputException">A check failed; nothing was recorded, stored or tagged.</exception>
    /// <exception cref="CheckFailedException">The model's data cannot be evaluated as declared; the run is recorded as failed.</exception>
    public static async Task<RegisterOutcome> RunAsync(Workspace workspace, RegisterRequest request, IBundleStore store, IProgress<TrainingProgress>? progress, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(workspace);
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(store);
        var (model, features) = Resolve(workspace, request);
        var spec = model.Value;
        var path = Path.GetFullPath(request.OnnxFile);
        if (!File.Exists(path))
        {
            throw new StageInputException($"the ONNX file '{request.OnnxFile}' does not exist ({path}). Pass the path of the file to register with --onnx.");
        }

        var bytes = await File.ReadAllBytesAsync(path, cancellationToken).ConfigureAwait(false);
        OnnxModelInfo onnx;
        try
        {
            onnx = OnnxModelCheck.Check(bytes, request.OnnxFile, features.Value, features.Path, spec.Task);
        }
        catch (OnnxModelException e)
        {
            throw new StageInputException($"{e.Message}\nNothing was registered for '{spec.Name}'.");
        }

        // Checked before the run starts, not only by packaging: a refused registration records nothing.
        var git = GitState.Read(workspace.Root);
        if (git.Commit is null || git.Dirty == true)
        {
            throw new StageInputException(git.Commit is null
                ? $"'{workspace.Root}' is not a git repository with a commit, so '{spec.Name}' cannot be registered as a tag. Run 'git init' and commit the declarations, then register again."
                : $"the working tree has uncommitted changes; a version's tag must point at the commit whose declarations it was evaluated with. Commit them, then register '{spec.Name}' again.");
        }

        var digest = Sha256Digest.Of(bytes);
        var start = RunStart.FromDeclarations(spec, features.Value, spec.Data.Digest, ExternalModel.TrainerVersion(digest), git);
        var parameters = new Dictionary<string, string>(start.Params)
        {
            [ExternalModel.FormatParameter] = "onnx",
            ["trainer.inputs"] = onnx.Layout == OnnxInputLayout.Packed ? "packed" : "per-feature",
            ["trainer.output"] = onnx.Output,
        };
        if (onnx.Producer is { } producer)
        {
            parameters["trainer.producer"] = producer;
        }

        parameters[SourceParameter] = path;
        start = start with { Params = parameters, MlNetVersion = null };

        var runId = await workspace.Runs.StartRunAsync(start, cancellationToken).ConfigureAwait(false);
        EvaluationReport report;
        try
        {
            var folder = Path.Combine(workspace.Root, TrainStage.RunsFolder, runId);
            Directory.CreateDirectory(folder);
            var copy = Path.Combine(folder, ExternalModel.ModelFileName);
            await File.WriteAllBytesAsync(copy, bytes, cancellationToken).ConfigureAwait(false);
            var evaluation = new EvaluationRequest(workspace.Root, model, features, copy) { ModelFormat = ModelFormat.Onnx };
            report = await new ModelEvaluator(workspace.Time).EvaluateAsync(evaluation, progress, cancellationToken).ConfigureAwait(false);

            // One transaction: the run is complete with its artifact, metrics and evaluation, or still running.
            await workspace.Runs.CompleteRunAsync(runId, new RunCompletion
            {
                Artifact = new RunArtifact(workspace.Relative(copy), digest),
                Metrics = [new RunMetric("holdoutRows", report.HoldoutRows), .. EvaluateStage.RunMetrics(report)],
                Attachments = new Dictionary<string, string>
                {
                    [EvaluateStage.Attachment] = EvaluateStage.Serialize(EvaluateStage.EvaluationKey(start.CacheKey, spec), report),
                },
            }, cancellationToken).ConfigureAwait(false);
        }
        catch (TrainingException e)
        {
            await workspace.Runs.FailRunAsync(runId, RunError.From(e.Diagnostic), CancellationToken.None).ConfigureAwait(false);
            throw new CheckFailedException($"evaluating '{spec.Name}' failed; run {runId} is recorded as failed", e.Diagnostics);
        }
        catch (Exception e)
        {
            // Stopped or broken midway (Ctrl+C, SIGTERM): no half-copied model file stays behind.
            TrainStage.DeleteOutput(Path.Combine(workspace.Root, TrainStage.RunsFolder, runId));
            await workspace.Runs.FailRunAsync(runId, RunError.From(e), CancellationToken.None).ConfigureAwait(false);
            throw;
        }

        var run = await workspace.Runs.GetAsync(runId, cancellationToken).ConfigureAwait(false)
            ?? throw new InvalidOperationException($"Run {runId} vanished from the run store.");
        var package = await PackageStage.PackageRunAsync(workspace, model, features, run, store, register: true, cancellationToken).ConfigureAwait(false);
        return new RegisterOutcome(run, onnx, report, package);
    }

    /// <summary>The model and feature set the request names, checked against each other.</summary>
    private static (Declared<ModelSpec> Model, Declared<FeatureSet> Features) Resolve(Workspace workspace, RegisterRequest request)
    {
        var declarations = workspace.Declarations;
        if (!FeatureSetReference.TryParse(request.FeatureSet, out var reference) || reference is null)
        {
            throw new StageInputException($"--feature-set '{request.FeatureSet}' is not NAME@VERSION. Pass the feature set and version the file takes, for example customer@1.");
        }

        var declared = declarations.FeatureSets.Select(f => f.Value.Reference.ToString()).ToList();
        var features = declarations.Find(reference)
            ?? throw new StageInputException($"feature set '{reference}' is not declared in features/"
                + (declared.Count == 0 ? " (none is)." : $" (declared: {string.Join(", ", declared)}).")
                + (Suggestions.Nearest(reference.ToString(), declared) is { } suggestion ? $" Did you mean '{suggestion}'?" : "")
                + " Declare it in features/, or pass the feature set the file was trained on.");

        var model = declarations.FindModel(request.Model)
            ?? throw new StageInputException($"no model is named '{request.Model}' in models/."
                + (Suggestions.Nearest(request.Model, declarations.Models.Select(m => m.Value.Name)) is { } near ? $" Did you mean '{near}'?" : "")
                + $" To register a file for a new model, declare it in models/{request.Model}.yaml with 'trainer: {{ name: {ExternalModel.TrainerName} }}', 'featureSet: {reference}', its task, label, data and gate (docs/registration.md).");

        var spec = model.Value;
        if (!ExternalModel.IsExternal(spec))
        {
            throw new StageInputException($"{model.Map["trainer.name"]}: model '{spec.Name}' is trained by mlops (trainer: {spec.Trainer.Name}), so its versions come from 'mlops train' and 'mlops package'. Register ONNX files for a model declared with 'trainer: {{ name: {ExternalModel.TrainerName} }}'.");
        }

        if (spec.FeatureSet != reference)
        {
            throw new StageInputException($"{model.Map["featureSet"]}: model '{spec.Name}' is declared on {spec.FeatureSet}, but --feature-set is {reference}. Pass --feature-set {spec.FeatureSet}, or change featureSet in {model.Path} if the file takes {reference}.");
        }

        return (model, features);
    }
}
