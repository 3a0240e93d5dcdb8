using System.Collections.Generic;
using System.Linq;
using Mlops.Declarations.Diagnostics;
using Mlops.Declarations.Environments;
using Mlops.Declarations.FeatureSets;
using Mlops.Declarations.Schema;

namespace Mlops.Declarations.Repository;

/// <summary>The checks that need more than one file: names are unique and every reference resolves.</summary>
internal static class CrossReferences
{
    public static IEnumerable<Diagnostic> Check(DeclarationSet set) =>
        Duplicates(set).Concat(FileNames(set)).Concat(ModelReferences(set)).Concat(EnvironmentReferences(set));

    // Commands find a model by models/NAME.yaml and an environment by environments/NAME.yaml.
    private static IEnumerable<Diagnostic> FileNames(DeclarationSet set)
    {
        foreach (var model in set.Models.Where(m => FileStem(m.Path) != m.Value.Name))
        {
            yield return DiagnosticIds.ModelFileName.At(model.Map["model"],
                $"{model.Path} declares model '{model.Value.Name}'; the pipeline finds a model by its file name. Rename the file to models/{model.Value.Name}.yaml, or the model to '{FileStem(model.Path)}'.");
        }

        foreach (var environment in set.Environments.Where(e => FileStem(e.Path) != e.Value.Name))
        {
            yield return DiagnosticIds.EnvironmentFileName.At(environment.Map["environment"],
                $"{environment.Path} declares environment '{environment.Value.Name}'; promote and rollback edit environments/NAME.yaml. Rename the file to environments/{environment.Value.Name}.yaml, or the environment to '{FileStem(environment.Path)}'.");
        }
    }

    private static string FileStem(string path)
    {
        var name = path.Substring(path.LastIndexOf('/') + 1);
        var dot = name.LastIndexOf('.');
        return dot < 0 ? name : name.Substring(0, dot);
    }

    private static IEnumerable<Diagnostic> Duplicates(DeclarationSet set)
    {
        foreach (var group in set.FeatureSets.GroupBy(f => f.Value.Reference).Where(g => g.Count() > 1))
        {
            var first = group.First();
            foreach (var duplicate in group.Skip(1))
            {
                yield return DiagnosticIds.DuplicateFeatureSetVersion.At(duplicate.Map["version"],
                    $"feature set '{group.Key}' is also declared in {first.Path}. Give this one a new version, or delete one of the files.");
            }
        }

        foreach (var group in set.Models.GroupBy(m => m.Value.Name).Where(g => g.Count() > 1))
        {
            foreach (var duplicate in group.Skip(1))
            {
                yield return DiagnosticIds.DuplicateModel.At(duplicate.Map["model"],
                    $"model '{group.Key}' is also declared in {group.First().Path}. Rename one of them.");
            }
        }

        foreach (var group in set.Environments.GroupBy(e => e.Value.Name).Where(g => g.Count() > 1))
        {
            foreach (var duplicate in group.Skip(1))
            {
                yield return DiagnosticIds.DuplicateEnvironment.At(duplicate.Map["environment"],
                    $"environment '{group.Key}' is also declared in {group.First().Path}. Rename one of them.");
            }
        }
    }

    private static IEnumerable<Diagnostic> ModelReferences(DeclarationSet set)
    {
        foreach (var model in set.Models)
        {
            var spec = model.Value;
            if (Resolve(set, spec.FeatureSet, model.Map["featureSet"]) is { } missing)
            {
                yield return missing;
                continue;
            }

            var features = set.Find(spec.FeatureSet)!;
            if (features.Value.Find(spec.Label.Column) is not null)
            {
                yield return DiagnosticIds.LabelIsFeature.At(model.Map["label.column"],
                    $"label column '{spec.Label.Column}' is also a feature of {spec.FeatureSet} ({features.Path}). A model must not learn from its answer: remove it from the features.");
            }

            for (var i = 0; i < spec.Slices.Count; i++)
            {
                var slice = features.Value.Find(spec.Slices[i]);
                if (slice is null || slice.Type is not (FeatureType.Category or FeatureType.Bool))
                {
                    var suggestion = ObjectReader.Suggest(spec.Slices[i], features.Value.Features.Where(f => f.Type is FeatureType.Category or FeatureType.Bool).Select(f => f.Name));
                    yield return DiagnosticIds.UnknownSlice.At(model.Map[$"slices[{i}]"],
                        $"slice '{spec.Slices[i]}' is not a category or boolean feature of {spec.FeatureSet}."
                        + (suggestion is null ? " Slice by a declared category or boolean feature." : $" Did you mean '{suggestion}'?"));
                }
            }
        }
    }

    private static IEnumerable<Diagnostic> EnvironmentReferences(DeclarationSet set)
    {
        var modelNames = set.Models.Select(m => m.Value.Name).ToList();
        foreach (var environment in set.Environments)
        {
            var spec = environment.Value;
            if (spec.Requires.PromotedFrom is { } from && set.FindEnvironment(from) is null)
            {
                yield return DiagnosticIds.UnknownEnvironment.At(environment.Map["requires.promotedFrom"],
                    $"'requires.promotedFrom' names environment '{from}', which is not declared in environments/. {DidYouMean(from, set.Environments.Select(e => e.Value.Name), "Declare it or correct the name.")}");
            }

            for (var i = 0; i < spec.Models.Count; i++)
            {
                foreach (var finding in PinReferences(set, environment, spec.Models[i], $"models[{i}]", modelNames))
                {
                    yield return finding;
                }
            }
        }
    }

    private static IEnumerable<Diagnostic> PinReferences(DeclarationSet set, Declared<EnvironmentSpec> environment, PinnedModel pin, string path, IReadOnlyList<string> modelNames)
    {
        var model = set.FindModel(pin.Model);
        if (model is null)
        {
            yield return DiagnosticIds.UnknownModel.At(environment.Map[$"{path}.model"],
                $"model '{pin.Model}' is not declared in models/. {DidYouMean(pin.Model, modelNames, "Declare it or correct the name.")}");
        }

        if (pin.Fallback?.Model is { } fallback && set.FindModel(fallback) is null)
        {
            yield return DiagnosticIds.UnknownModel.At(environment.Map[$"{path}.fallback.model"],
                $"fallback model '{fallback}' is not declared in models/. {DidYouMean(fallback, modelNames, "Declare it or correct the name.")}");
        }

        if (pin.FeatureSet is not { } reference)
        {
            yield break;
        }

        if (Resolve(set, reference, environment.Map[$"{path}.featureSet"]) is { } missing)
        {
            yield return missing;
            yield break;
        }

        if (model is not null && model.Value.FeatureSet.Name != reference.Name)
        {
            yield return DiagnosticIds.PinnedFeatureSetMismatch.At(environment.Map[$"{path}.featureSet"],
                $"version {pin.Version} of '{pin.Model}' is pinned with feature set {reference}, but {model.Path} declares '{model.Value.FeatureSet.Name}'. Check that the pin and the model belong together.");
        }

        var declared = set.Find(reference)!;
        if (pin.FeatureSetDigest is { } recorded && recorded != declared.Value.SchemaDigest)
        {
            yield return DiagnosticIds.FeatureSetEditedInPlace.At(environment.Map[$"{path}.featureSetDigest"],
                $"'{pin.Model}' v{pin.Version} was trained on {reference} with schema digest {recorded}, but {declared.Path} now has {declared.Value.SchemaDigest}: "
                + $"the published version was edited in place. Restore {reference} and publish the change as version {reference.Version + 1}.");
        }
    }

    private static Diagnostic? Resolve(DeclarationSet set, FeatureSetReference reference, SourceLocation location)
    {
        if (set.Find(reference) is not null)
        {
            return null;
        }

        var versions = set.FeatureSets.Where(f => f.Value.Name == reference.Name).Select(f => f.Value.Version).OrderBy(v => v).ToList();
        if (versions.Count == 0)
        {
            return DiagnosticIds.UnknownFeatureSet.At(location,
                $"feature set '{reference.Name}' is not declared in features/. {DidYouMean(reference.Name, set.FeatureSets.Select(f => f.Value.Name).Distinct(), "Declare it or correct the name.")}");
        }

        var list = string.Join(", ", versions.Select(v => $"{reference.Name}@{v}"));
        return DiagnosticIds.UnknownFeatureSetVersion.At(location,
            $"feature set '{reference}' does not exist; features/ declares {list}. Use {reference.Name}@{versions[versions.Count - 1]}, or declare version {reference.Version}.");
    }

    private static string DidYouMean(string value, IEnumerable<string> candidates, string otherwise) =>
        ObjectReader.Suggest(value, candidates) is { } suggestion ? $"Did you mean '{suggestion}'?" : otherwise;
}
