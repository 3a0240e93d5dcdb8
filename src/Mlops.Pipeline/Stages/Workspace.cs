using Mlops.Declarations.Diagnostics;
using Mlops.Declarations.FeatureSets;
using Mlops.Declarations.Models;
using Mlops.Declarations.Repository;
using Mlops.Declarations.Schema;
using Mlops.Pipeline.Data;
using Mlops.Pipeline.Tracking;
using Mlops.Pipeline.Validation;

namespace Mlops.Pipeline.Stages;

/// <summary>A validated repository with its run store: what every stage after validation starts from.</summary>
public sealed class Workspace : IAsyncDisposable
{
    private Workspace(string root, ValidationReport validation, RunStore runs, TimeProvider time, DataCache data)
    {
        Data = data;
        Root = root;
        Validation = validation;
        Runs = runs;
        Time = time;
    }

    /// <summary>The repository root (full path).</summary>
    public string Root { get; }

    /// <summary>The validation every stage runs first.</summary>
    public ValidationReport Validation { get; }

    /// <summary>The declarations.</summary>
    public DeclarationSet Declarations => Validation.Declarations;

    /// <summary>The run store.</summary>
    public RunStore Runs { get; }

    /// <summary>The clock.</summary>
    public TimeProvider Time { get; }

    /// <summary>Where models that keep their data in the store get it.</summary>
    public DataCache Data { get; }

    /// <summary>
    /// Validates the repository and opens its run store. Training on declarations or data that do
    /// not validate would record a run of something nobody declared, so errors stop here.
    /// </summary>
    /// <exception cref="CheckFailedException">Validation found errors.</exception>
    public static Task<Workspace> OpenAsync(string root, string? trackingDb, TimeProvider time, CancellationToken cancellationToken) =>
        OpenAsync(root, trackingDb, time, data: null, cancellationToken);

    /// <summary>As <see cref="OpenAsync(string, string?, TimeProvider, CancellationToken)"/>, with models that keep their data in the store fetching it through <paramref name="data"/>.</summary>
    /// <exception cref="CheckFailedException">Validation found errors.</exception>
    public static async Task<Workspace> OpenAsync(string root, string? trackingDb, TimeProvider time, DataCache? data, CancellationToken cancellationToken)
    {
        var full = Path.GetFullPath(root);
        data ??= new DataCache(full);
        var validation = await RepositoryValidator.ValidateAsync(full, cancellationToken, keepRows: true, data).ConfigureAwait(false);
        return await OpenAsync(full, validation, trackingDb, time, data, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Opens the run store over a validation already made (with rows kept, so the stages reuse
    /// the data it read), for a caller that reports the validation itself, such as a pipeline run.
    /// </summary>
    /// <exception cref="CheckFailedException">The validation found errors.</exception>
    public static Task<Workspace> OpenAsync(string root, ValidationReport validation, string? trackingDb, TimeProvider time, CancellationToken cancellationToken) =>
        OpenAsync(root, validation, trackingDb, time, data: null, cancellationToken);

    /// <summary>As <see cref="OpenAsync(string, ValidationReport, string?, TimeProvider, CancellationToken)"/>, for a validation made with <paramref name="data"/>.</summary>
    /// <exception cref="CheckFailedException">The validation found errors.</exception>
    public static async Task<Workspace> OpenAsync(string root, ValidationReport validation, string? trackingDb, TimeProvider time, DataCache? data, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(validation);
        if (validation.Errors > 0)
        {
            throw new CheckFailedException($"validation found {validation.Errors} error(s); run 'mlops validate' and fix them first", validation.Diagnostics);
        }

        var full = Path.GetFullPath(root);
        var runs = await RunStore.OpenAsync(TrackingLocation.Resolve(full, trackingDb), time, cancellationToken).ConfigureAwait(false);
        return new Workspace(full, validation, runs, time, data ?? new DataCache(full));
    }

    /// <summary>The named models, or every model when <paramref name="name"/> is null.</summary>
    /// <exception cref="StageInputException">No model has that name.</exception>
    public IReadOnlyList<(Declared<ModelSpec> Model, Declared<FeatureSet> Features)> Models(string? name)
    {
        var models = name is null ? Declarations.Models : Declarations.Models.Where(m => m.Value.Name == name).ToList();
        if (models.Count == 0 && name is not null)
        {
            var suggestion = Suggestions.Nearest(name, Declarations.Models.Select(m => m.Value.Name));
            throw new StageInputException($"no model is named '{name}' in models/." + (suggestion is null ? " Run 'mlops validate' to list what is declared." : $" Did you mean '{suggestion}'?"));
        }

        return [.. models.Select(m => (m, Declarations.Find(m.Value.FeatureSet)!))];
    }

    /// <summary>
    /// A model's data as validation read it (rows kept), when it still matches the declaration, so
    /// the stages of one command read and hash each data file once; null when there is none.
    /// </summary>
    public ModelData? DataOf(Declared<ModelSpec> model)
    {
        ArgumentNullException.ThrowIfNull(model);
        return Validation.Data.TryGetValue(model.Value.Name, out var data) && ReferenceEquals(data.Model, model) ? data : null;
    }

    /// <summary>A path under the repository root, relative with forward slashes when inside it.</summary>
    public string Relative(string path) => RepositoryLoader.RelativePath(Root, path);

    /// <inheritdoc />
    public ValueTask DisposeAsync() => Runs.DisposeAsync();
}
