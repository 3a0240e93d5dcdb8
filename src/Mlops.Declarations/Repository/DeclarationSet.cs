using System.Collections.Generic;
using System.Linq;
using Mlops.Declarations.Diagnostics;
using Mlops.Declarations.Environments;
using Mlops.Declarations.FeatureSets;
using Mlops.Declarations.Models;
using Mlops.Declarations.Schema;

namespace Mlops.Declarations.Repository;

/// <summary>
/// Every declaration of a repository, parsed and cross-checked, with all findings. Built from
/// (path, text) pairs so the CLI (from disk) and the analyzers (from AdditionalFiles) share it.
/// </summary>
public sealed class DeclarationSet
{
    private DeclarationSet(
        IReadOnlyList<Declared<FeatureSet>> featureSets,
        IReadOnlyList<Declared<ModelSpec>> models,
        IReadOnlyList<Declared<EnvironmentSpec>> environments,
        IReadOnlyList<Diagnostic> diagnostics)
    {
        FeatureSets = featureSets;
        Models = models;
        Environments = environments;
        Diagnostics = diagnostics;
    }

    /// <summary>The feature sets, every version.</summary>
    public IReadOnlyList<Declared<FeatureSet>> FeatureSets { get; }

    /// <summary>The models.</summary>
    public IReadOnlyList<Declared<ModelSpec>> Models { get; }

    /// <summary>The environments.</summary>
    public IReadOnlyList<Declared<EnvironmentSpec>> Environments { get; }

    /// <summary>Every finding, in file order.</summary>
    public IReadOnlyList<Diagnostic> Diagnostics { get; }

    /// <summary>True when any finding is an error.</summary>
    public bool HasErrors => Diagnostics.Any(d => d.Severity == Severity.Error);

    /// <summary>The feature set version a reference names, or null.</summary>
    public Declared<FeatureSet>? Find(FeatureSetReference reference) =>
        FeatureSets.FirstOrDefault(f => f.Value.Name == reference.Name && f.Value.Version == reference.Version);

    /// <summary>The model with this name, or null.</summary>
    public Declared<ModelSpec>? FindModel(string name) => Models.FirstOrDefault(m => m.Value.Name == name);

    /// <summary>The environment with this name, or null.</summary>
    public Declared<EnvironmentSpec>? FindEnvironment(string name) => Environments.FirstOrDefault(e => e.Value.Name == name);

    /// <summary>Parses the files and checks the references between them.</summary>
    /// <param name="files">Repository-relative paths (forward slashes) and contents; files outside the three folders are ignored.</param>
    /// <param name="readErrors">Findings from reading the files (too large, not text), reported before the rest.</param>
    public static DeclarationSet Create(IEnumerable<KeyValuePair<string, string>> files, IEnumerable<Diagnostic>? readErrors = null)
    {
        var diagnostics = new List<Diagnostic>(readErrors ?? []);
        var featureSets = new List<Declared<FeatureSet>>();
        var models = new List<Declared<ModelSpec>>();
        var environments = new List<Declared<EnvironmentSpec>>();
        foreach (var file in files.OrderBy(f => f.Key, System.StringComparer.Ordinal))
        {
            switch (RepositoryLayout.KindOf(file.Key))
            {
                case DeclarationKind.FeatureSet:
                    Collect(FeatureSetParser.Parse(file.Key, file.Value), featureSets, diagnostics);
                    break;
                case DeclarationKind.Model:
                    Collect(ModelParser.Parse(file.Key, file.Value), models, diagnostics);
                    break;
                case DeclarationKind.Environment:
                    Collect(EnvironmentParser.Parse(file.Key, file.Value), environments, diagnostics);
                    break;
            }
        }

        var set = new DeclarationSet(featureSets, models, environments, diagnostics);
        diagnostics.AddRange(CrossReferences.Check(set));
        return set;
    }

    private static void Collect<T>(ParseResult<T> result, List<Declared<T>> declarations, List<Diagnostic> diagnostics)
    {
        diagnostics.AddRange(result.Diagnostics);
        if (result.Declaration is { } declaration)
        {
            declarations.Add(declaration);
        }
    }
}
