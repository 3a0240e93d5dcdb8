using Mlops.Declarations.Digests;
using Mlops.Declarations.FeatureSets;
using Mlops.Declarations.Models;
using Mlops.Pipeline.Stages;
using Mlops.Pipeline.Tracking;

namespace Mlops.Pipeline.External;

/// <summary>
/// A model trained outside mlops: its model file declares <c>trainer: { name: external }</c>, and
/// <c>mlops register --onnx FILE</c> records, evaluates, packages and tags each ONNX file for it. Gate,
/// package, promote and serve then treat its latest registration as the current run, the way they
/// treat the run the declarations train for other models.
/// </summary>
public static class ExternalModel
{
    /// <summary>The trainer name that marks a model as trained elsewhere.</summary>
    public const string TrainerName = "external";

    /// <summary>The entry name of the ONNX file in runs and bundles.</summary>
    public const string ModelFileName = "model.onnx";

    /// <summary>The run parameter holding the model file's format.</summary>
    public const string FormatParameter = "trainer.format";

    /// <summary>Whether the model is trained outside mlops (<c>trainer: { name: external }</c>, any case).</summary>
    public static bool IsExternal(ModelSpec model)
    {
        ArgumentNullException.ThrowIfNull(model);
        return string.Equals(model.Trainer.Name, TrainerName, StringComparison.OrdinalIgnoreCase);
    }

    /// <summary>The command that registers a file for the model, for messages.</summary>
    public static string RegisterCommand(ModelSpec model)
    {
        ArgumentNullException.ThrowIfNull(model);
        return $"mlops register --onnx FILE --model {model.Name} --feature-set {model.FeatureSet}";
    }

    /// <summary>
    /// The cache key of a registration: the training key of the declarations with the ONNX file's
    /// digest in the trainer-version slot, so the key still names everything that determines the model.
    /// </summary>
    public static string TrainerVersion(string onnxDigest) => $"onnx {onnxDigest}";

    /// <summary>
    /// The latest registration of an external model, when it was registered with the current
    /// declarations and data and its ONNX file is still in the run folder.
    /// </summary>
    /// <exception cref="StageInputException">There is none: register the file (again).</exception>
    public static async Task<Run> CurrentRunAsync(Workspace workspace, ModelSpec model, FeatureSet features, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(workspace);
        ArgumentNullException.ThrowIfNull(model);
        var run = await workspace.Runs.LatestAsync(model.Name, RunStatus.Succeeded, cancellationToken).ConfigureAwait(false);
        if (run is null || !run.Params.ContainsKey(FormatParameter))
        {
            throw new StageInputException($"'{model.Name}' is trained outside mlops (trainer: {TrainerName}) and has no registered model file yet. Run '{RegisterCommand(model)}' first.");
        }

        if (run.DeclarationsDigest != CacheKey.DeclarationsDigest(model, features) || run.DataDigest != model.Data.Digest)
        {
            throw new StageInputException($"the latest registration of '{model.Name}' (run {run.Id}) was evaluated against other declarations or data than the repository holds now. Register the model file again: '{RegisterCommand(model)}'.");
        }

        var path = Path.Combine(workspace.Root, run.Artifact?.Path ?? "");
        if (run.Artifact?.Digest is not { } digest || !File.Exists(path) || await Sha256Digest.OfFileAsync(path, cancellationToken).ConfigureAwait(false) != digest)
        {
            throw new StageInputException($"the model file of run {run.Id} ('{run.Artifact?.Path}') is missing or altered. Register the model file again: '{RegisterCommand(model)}'.");
        }

        return run;
    }
}
