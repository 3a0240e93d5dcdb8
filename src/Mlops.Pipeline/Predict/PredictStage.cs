using Mlops.Declarations.FeatureSets;
using Mlops.Declarations.Repository;
using Mlops.Declarations.Schema;
using Mlops.Pipeline.Registry;
using Mlops.Pipeline.Stages;
using Mlops.Runtime.Bundles;
using Mlops.Runtime.Features;
using Mlops.Runtime.Scoring;
using Mlops.Runtime.Store;

namespace Mlops.Pipeline.Predict;

/// <summary>Which bundle scored a file: the one an environment pins, or a registered version.</summary>
/// <param name="Model">The model's name.</param>
/// <param name="Version">Its registered version.</param>
/// <param name="Digest">The bundle's content address.</param>
/// <param name="Environment">The environment whose pin was used, or null when a version was asked for.</param>
public sealed record PredictSource(string Model, int Version, string Digest, string? Environment);

/// <summary>The outcome of <c>mlops predict</c>.</summary>
/// <param name="Source">The bundle that scored.</param>
/// <param name="Counts">Rows read, scored and refused.</param>
/// <param name="OutputPath">The predictions file.</param>
/// <param name="SidecarPath">The file beside it that says what produced it.</param>
public sealed record PredictOutcome(PredictSource Source, PredictCounts Counts, string OutputPath, string SidecarPath);

/// <summary>
/// <c>mlops predict</c>: the offline half of serving. Finds exactly the bundle an environment pins
/// (or a registered version), fetches and verifies it from the store, loads it with the scorer the
/// server uses, and scores a CSV file through the same row container and rules
/// (<see cref="BatchPredictor"/>). A sidecar file says which model, version and bundle produced the output.
/// </summary>
public static class PredictStage
{
    /// <summary>The sidecar's suffix, after the output file's name.</summary>
    public const string SidecarSuffix = ".meta.json";

    /// <summary>Scores a file.</summary>
    /// <param name="root">The repository root.</param>
    /// <param name="model">The model's name.</param>
    /// <param name="environment">The environment whose pin to use; or null with <paramref name="version"/>.</param>
    /// <param name="version">The registered version to use; or null with <paramref name="environment"/>.</param>
    /// <param name="store">The bundle store.</param>
    /// <param name="request">The files.</param>
    /// <param name="progress">Receives the rows read so far.</param>
    /// <param name="time">The clock.</param>
    /// <param name="cancellationToken">Stops the work; nothing half-written is left.</param>
    /// <exception cref="StageInputException">The model, environment, version or bundle cannot be found, or the input is not usable.</exception>
    /// <exception cref="RowsRefusedException">Rows do not fit and no errors file was asked for.</exception>
    public static async Task<PredictOutcome> RunAsync(string root, string model, string? environment, int? version, IBundleStore store, PredictRequest request, IProgress<long>? progress, TimeProvider time, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(request);
        if ((environment is null) == (version is null))
        {
            throw new StageInputException("name the bundle to score with: --environment ENV (what it pins) or --version N (a registered version), one of them.");
        }

        var declarations = await RepositoryLoader.LoadAsync(root, cancellationToken).ConfigureAwait(false);
        var source = environment is not null ? Pinned(declarations, model, environment) : Registered(root, model, version!.Value);
        var bundle = await FetchAsync(store, source, cancellationToken).ConfigureAwait(false);
        var featureSet = declarations.Find(new FeatureSetReference(bundle.Manifest.FeatureSet.Name, bundle.Manifest.FeatureSet.Version))?.Value;
        var schema = new InputSchema(bundle.Manifest.Inputs, featureSet);
        IScorer scorer;
        try
        {
            scorer = Scorers.Load(bundle);
        }
        catch (InvalidDataException e)
        {
            throw new StageInputException($"{model} v{source.Version} ({source.Digest}) cannot be loaded: {e.Message}");
        }

        try
        {
            var counts = await BatchPredictor.RunAsync(scorer, schema, request, progress, time, cancellationToken).ConfigureAwait(false);
            var sidecar = request.OutputPath + SidecarSuffix;
            await WriteSidecarAsync(sidecar, source, bundle, request, counts, cancellationToken).ConfigureAwait(false);
            return new PredictOutcome(source, counts, request.OutputPath, sidecar);
        }
        finally
        {
            (scorer as IDisposable)?.Dispose();
        }
    }

    private static PredictSource Pinned(DeclarationSet declarations, string model, string environment)
    {
        if (declarations.FindEnvironment(environment) is not { } declared)
        {
            var names = declarations.Environments.Select(e => e.Value.Name).Order(StringComparer.Ordinal).ToList();
            throw new StageInputException($"there is no environment '{environment}' in environments/." + (names.Count == 0 ? "" : $" It declares {string.Join(", ", names)}."));
        }

        var pin = declared.Value.Models.FirstOrDefault(m => m.Model == model)
            ?? throw new StageInputException($"environment '{environment}' pins no model '{model}' ({declared.Path} pins {(declared.Value.Models.Count == 0 ? "nothing" : string.Join(", ", declared.Value.Models.Select(m => m.Model)))}). Promote a version first, or name one with --version.");
        return new PredictSource(model, pin.Version, pin.Digest, environment);
    }

    /// <summary>A registered version (the git tag MODEL@vN).</summary>
    internal static PredictSource Registered(string root, string model, int version)
    {
        var registered = new ModelRegistry(root).Find(model, version)
            ?? throw new StageInputException($"there is no registered version {model}@v{version} (no git tag of that name). 'mlops registry list {model}' lists the versions.");
        return new PredictSource(model, version, registered.BundleDigest, null);
    }

    /// <summary>Fetches a bundle from the store and checks it holds the model it should.</summary>
    internal static async Task<Bundle> FetchAsync(IBundleStore store, PredictSource source, CancellationToken cancellationToken)
    {
        using var buffer = new MemoryStream();
        try
        {
            await store.CopyToAsync(source.Digest, buffer, cancellationToken).ConfigureAwait(false);
            var bundle = Bundle.Read(buffer.ToArray());
            return bundle.Manifest.Model == source.Model ? bundle
                : throw new StageInputException($"bundle {source.Digest} holds model '{bundle.Manifest.Model}', not '{source.Model}'. Correct the pin.");
        }
        catch (Exception e) when (e is BundleNotFoundException or BundleCorruptException or BundleFormatException or BundleStoreException or ArgumentException)
        {
            throw new StageInputException($"{source.Model} v{source.Version}: bundle {source.Digest} cannot be read from the store at {store.Location}: {e.Message}");
        }
    }

    private static async Task WriteSidecarAsync(string path, PredictSource source, Bundle bundle, PredictRequest request, PredictCounts counts, CancellationToken cancellationToken)
    {
        var document = new
        {
            model = source.Model,
            version = source.Version,
            bundleDigest = source.Digest,
            environment = source.Environment,
            featureSet = $"{bundle.Manifest.FeatureSet.Name}@{bundle.Manifest.FeatureSet.Version}",
            input = request.DisplayPath,
            rows = counts.Rows,
            scored = counts.Scored,
            refused = counts.Refused,
            errors = request.ErrorsPath,
        };
        var temporary = path + ".tmp";
        await File.WriteAllTextAsync(temporary, System.Text.Json.JsonSerializer.Serialize(document, EvaluateStage.Json), cancellationToken).ConfigureAwait(false);
        File.Move(temporary, path, overwrite: true);
    }
}
