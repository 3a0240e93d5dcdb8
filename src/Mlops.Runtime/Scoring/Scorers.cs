using Mlops.Runtime.Bundles;

namespace Mlops.Runtime.Scoring;

/// <summary>Loads the scorer a bundle's model format calls for.</summary>
public static class Scorers
{
    /// <summary>Loads the bundle's model.</summary>
    /// <exception cref="InvalidDataException">The model cannot be loaded.</exception>
    public static IScorer Load(Bundle bundle)
    {
        ArgumentNullException.ThrowIfNull(bundle);
        var manifest = bundle.Manifest;
        return manifest.ModelFormat switch
        {
            ModelFormat.Onnx => OnnxScorer.Load(bundle.ModelBytes, [.. manifest.Inputs.Select(i => i.Name)], manifest.Task),
            _ => ModelScorer.Load(new MemoryStream(bundle.ModelBytes, writable: false)),
        };
    }
}
