using Mlops.Declarations.Schema;
using Mlops.Runtime.Bundles;

namespace Mlops.Runtime.Scoring;

/// <summary>Loads the scorer a bundle's model format calls for.</summary>
public static class Scorers
{
    /// <summary>Loads the bundle's model.</summary>
    /// <param name="bundle">The bundle.</param>
    /// <param name="runtime">
    /// Which runtime serves an ML.NET bundle that also carries an ONNX export (<see cref="BundleManifest.Onnx"/>):
    /// <see cref="ModelFormat.MlNet"/> (the default) its model zip, <see cref="ModelFormat.Onnx"/> the export through
    /// ONNX Runtime. A bundle without an export is served as it is stored, whatever is asked.
    /// </param>
    /// <exception cref="InvalidDataException">The model cannot be loaded (the message names the bundle's model and trainer, and the component this host lacks).</exception>
    public static IScorer Load(Bundle bundle, ModelFormat runtime = ModelFormat.MlNet)
    {
        ArgumentNullException.ThrowIfNull(bundle);
        var manifest = bundle.Manifest;
        if (runtime == ModelFormat.Onnx && bundle.OnnxBytes is { } export)
        {
            return OnnxScorer.Load(export, [.. manifest.Inputs.Select(i => i.Name)], manifest.Task);
        }

        return manifest.ModelFormat switch
        {
            ModelFormat.Onnx => OnnxScorer.Load(bundle.ModelBytes, [.. manifest.Inputs.Select(i => i.Name)], manifest.Task),
            _ => LoadMlNet(bundle),
        };
    }

    private static ModelScorer LoadMlNet(Bundle bundle)
    {
        var manifest = bundle.Manifest;
        try
        {
            return ModelScorer.Load(new MemoryStream(bundle.ModelBytes, writable: false));
        }
        catch (InvalidDataException e)
        {
            // The manifest knows what the model zip does not say plainly: which trainer made it, and with which ML.NET.
            throw new InvalidDataException(
                $"the bundle of '{manifest.Model}' (trainer '{manifest.Trainer.Name}', {DeclarationSchemas.TaskNames[(int)manifest.Task]}, trained with ML.NET {manifest.Lineage.MlNetVersion}) cannot be loaded here: {e.Message}", e);
        }
    }
}
