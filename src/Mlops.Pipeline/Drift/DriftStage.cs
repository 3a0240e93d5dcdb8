using Mlops.Declarations.FeatureSets;
using Mlops.Declarations.Repository;
using Mlops.Pipeline.Predict;
using Mlops.Pipeline.Registry;
using Mlops.Pipeline.Stages;
using Mlops.Runtime.Bundles;
using Mlops.Runtime.Monitoring.Drift;
using Mlops.Runtime.Store;

namespace Mlops.Pipeline.Drift;

/// <summary>What <c>mlops drift</c> compares.</summary>
/// <param name="Root">The repository root (for --feature-set and --model).</param>
/// <param name="Reference">The reference CSV file, or null to use the bundle's reference sample (--model).</param>
/// <param name="Current">The current data: a CSV file, or a prediction log folder.</param>
public sealed record DriftRequest(string Root, DriftPath? Reference, DriftPath Current)
{
    /// <summary>A feature set <c>SET@V</c> whose types the files are read with, or null.</summary>
    public string? FeatureSet { get; init; }

    /// <summary>A registered version <c>MODEL@vN</c>: its bundle's inputs type the files and its reference sample is the reference when no file is given.</summary>
    public string? Model { get; init; }

    /// <summary>The method, thresholds and rules.</summary>
    /// <value>The default value is <c>auto</c> with Evidently's thresholds and a drift share of 0.5.</value>
    public DriftOptions Options { get; init; } = new();
}

/// <summary>A path as given (for messages) and in full.</summary>
/// <param name="FullPath">The path in full.</param>
/// <param name="Display">The path as the user wrote it.</param>
public sealed record DriftPath(string FullPath, string Display);

/// <summary>The outcome of <c>mlops drift</c>.</summary>
/// <param name="Report">Per feature and the data set's verdict.</param>
/// <param name="Reference">What the reference was (a file, or a version's reference sample).</param>
/// <param name="Current">What the current data was (a file or a log folder).</param>
/// <param name="Schema">Where the features' kinds came from: the feature set, the bundle, or inferred from the reference file.</param>
/// <param name="ReferenceRows">Rows in the reference.</param>
/// <param name="CurrentRows">Rows in the current data.</param>
/// <param name="ReadTime">Time spent reading both.</param>
/// <param name="ComputeTime">Time spent on the statistics.</param>
public sealed record DriftOutcome(DriftReport Report, string Reference, string Current, string Schema, long ReferenceRows, long CurrentRows, TimeSpan ReadTime, TimeSpan ComputeTime)
{
    /// <summary>The reference's values per feature, as compared (what a report draws the reference's distribution from).</summary>
    public IReadOnlyList<ColumnValues> ReferenceColumns { get; init; } = [];

    /// <summary>The current data's values per feature, as compared.</summary>
    public IReadOnlyList<ColumnValues> CurrentColumns { get; init; } = [];
}

/// <summary>
/// <c>mlops drift</c>: reads a reference and current data with one schema (a feature set, a
/// registered version's inputs, or kinds inferred from the reference file) and compares them with the
/// detector the server's live windows use (<see cref="DriftDetector"/>).
/// </summary>
public static class DriftStage
{
    /// <summary>Compares.</summary>
    /// <param name="request">What to compare.</param>
    /// <param name="openStore">Opens the bundle store (only when --model needs it).</param>
    /// <param name="time">The clock for the timings.</param>
    /// <param name="cancellationToken">Stops the work.</param>
    /// <exception cref="StageInputException">The request cannot be carried out (unknown feature set or version, nothing to compare with).</exception>
    /// <exception cref="DriftInputException">A file or folder cannot be read.</exception>
    public static async Task<DriftOutcome> RunAsync(DriftRequest request, Func<IBundleStore> openStore, TimeProvider time, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(openStore);
        ArgumentNullException.ThrowIfNull(time);
        if (request.FeatureSet is not null && request.Model is not null)
        {
            throw new StageInputException("--feature-set and --model both say what the features are; pass one of them.");
        }

        if (request.Reference is null && request.Model is null)
        {
            throw new StageInputException("there is nothing to compare with: pass --reference FILE.csv, or --model MODEL@vN to use that version's reference sample.");
        }

        if (request.Options.Problems() is { Count: > 0 } problems)
        {
            throw new StageInputException(string.Join(" ", problems));
        }

        var started = time.GetTimestamp();
        IReadOnlyList<BundleInput> inputs;
        string schema;
        Bundle? bundle = null;
        (string Model, int Version)? version = null;
        IReadOnlyList<ColumnValues>? inferredColumns = null;
        if (request.Model is { } named)
        {
            if (!ModelTag.TryParseName(named, out var model, out var number))
            {
                throw new StageInputException($"--model '{named}' is not MODEL@vN (for example churn@v3). 'mlops registry list' lists the versions.");
            }

            version = (model, number);
            var source = PredictStage.Registered(request.Root, model, number);
            var store = openStore();
            try
            {
                bundle = await PredictStage.FetchAsync(store, source, cancellationToken).ConfigureAwait(false);
            }
            finally
            {
                (store as IDisposable)?.Dispose();
            }

            inputs = bundle.Manifest.Inputs;
            schema = $"{named} ({bundle.Manifest.FeatureSet.Name}@{bundle.Manifest.FeatureSet.Version})";
        }
        else if (request.FeatureSet is { } set)
        {
            if (!FeatureSetReference.TryParse(set, out var reference))
            {
                throw new StageInputException($"--feature-set '{set}' is not SET@V (for example customer@3).");
            }

            var declarations = await RepositoryLoader.LoadAsync(request.Root, cancellationToken).ConfigureAwait(false);
            var declared = declarations.Find(reference!)
                ?? throw new StageInputException($"there is no feature set {set} in features/ of '{request.Root}'. Pass --repo to the repository that declares it.");
            inputs = [.. declared.Value.Features.Where(f => f.Source == FeatureSource.Data).Select(BundleInput.For)];
            schema = set;
        }
        else
        {
            var inferred = await DriftCsv.InferFileAsync(request.Reference!.FullPath, request.Reference.Display, cancellationToken).ConfigureAwait(false);
            inputs = inferred.Inputs;
            inferredColumns = inferred.Columns;
            schema = "inferred from the reference";
        }

        var features = DriftInputs.For(inputs);
        var referenceColumns = inferredColumns ?? (request.Reference is { } file
            ? await DriftCsv.ReadFileAsync(file.FullPath, file.Display, features, cancellationToken).ConfigureAwait(false)
            : await ReferenceSample.ReadAsync(bundle!, cancellationToken).ConfigureAwait(false));
        IReadOnlyList<ColumnValues> currentColumns;
        long currentRows;
        if (Directory.Exists(request.Current.FullPath))
        {
            (currentColumns, currentRows) = await PredictionLogColumns.ReadAsync(request.Current.FullPath, request.Current.Display, features, version?.Model, version?.Version, cancellationToken).ConfigureAwait(false);
        }
        else
        {
            currentColumns = await DriftCsv.ReadFileAsync(request.Current.FullPath, request.Current.Display, features, cancellationToken).ConfigureAwait(false);
            currentRows = currentColumns.Count == 0 ? 0 : currentColumns[0].Count;
        }

        var read = time.GetElapsedTime(started);
        var report = DriftDetector.Compare(referenceColumns, currentColumns, request.Options);
        return new DriftOutcome(
            report,
            request.Reference?.Display ?? $"{request.Model}:{ReferenceSample.EntryName}",
            request.Current.Display,
            schema,
            referenceColumns.Count == 0 ? 0 : referenceColumns[0].Count,
            currentRows,
            read,
            time.GetElapsedTime(started) - read)
        {
            ReferenceColumns = referenceColumns,
            CurrentColumns = currentColumns,
        };
    }
}
