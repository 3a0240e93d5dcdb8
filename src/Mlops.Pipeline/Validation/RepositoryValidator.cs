using Mlops.Declarations.Diagnostics;
using Mlops.Declarations.Repository;
using Mlops.Pipeline.Data;
using Mlops.Pipeline.Training;

namespace Mlops.Pipeline.Validation;

/// <summary>The outcome of <c>mlops validate</c>.</summary>
/// <param name="Declarations">What the repository declares.</param>
/// <param name="Diagnostics">Every finding: declarations first, then data, each in file order.</param>
/// <param name="DataRows">Data rows checked across all models.</param>
/// <param name="Data">Each model's data as the validation read it, by model name (rows kept only when asked).</param>
public sealed record ValidationReport(DeclarationSet Declarations, IReadOnlyList<Diagnostic> Diagnostics, int DataRows, IReadOnlyDictionary<string, ModelData> Data)
{
    /// <summary>The number of errors.</summary>
    public int Errors => Diagnostics.Count(d => d.Severity == Severity.Error);

    /// <summary>The number of warnings.</summary>
    public int Warnings => Diagnostics.Count(d => d.Severity == Severity.Warning);

    /// <summary>The declaration files read.</summary>
    public int Files => Declarations.FeatureSets.Count + Declarations.Models.Count + Declarations.Environments.Count;
}

/// <summary>Validates a repository: its declarations, their references, and each model's data.</summary>
public static class RepositoryValidator
{
    /// <summary>Runs every check and reports every finding; throws only when <paramref name="root"/> does not exist.</summary>
    /// <param name="root">The repository root.</param>
    /// <param name="cancellationToken">Stops the work.</param>
    /// <param name="keepRows">Whether to keep each model's rows, for the stages that follow in the same command (train, evaluate).</param>
    /// <param name="cache">Where models that keep their data in the store get it; null for the repository's own cache and the store <c>MLOPS_STORE</c> (or the default) names.</param>
    /// <exception cref="DirectoryNotFoundException">The root does not exist.</exception>
    public static async Task<ValidationReport> ValidateAsync(string root, CancellationToken cancellationToken = default, bool keepRows = false, DataCache? cache = null)
    {
        var declarations = await RepositoryLoader.LoadAsync(root, cancellationToken).ConfigureAwait(false);
        var diagnostics = new List<Diagnostic>(declarations.Diagnostics);
        var data = new Dictionary<string, ModelData>(StringComparer.Ordinal);
        var rows = 0;
        foreach (var model in declarations.Models)
        {
            if (model.Value.Trainer.IsAuto)
            {
                // The names trainer auto searches: a typo is caught here, with the nearest name, not after an hour of trials.
                TrainerSearch.Candidates(model, diagnostics);
            }

            if (declarations.Find(model.Value.FeatureSet) is not { } features)
            {
                continue; // already reported as an unresolved reference
            }

            var result = await DataValidator.ReadAsync(root, model, features, keepRows, cancellationToken, cache).ConfigureAwait(false);
            diagnostics.AddRange(result.Diagnostics);
            rows += result.RowCount;
            data[model.Value.Name] = result;
        }

        diagnostics.AddRange(RunbookCheck.Check(root, declarations));
        return new ValidationReport(declarations, diagnostics, rows, data);
    }
}
