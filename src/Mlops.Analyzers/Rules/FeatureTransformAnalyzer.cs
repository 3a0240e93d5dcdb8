using System.Collections.Concurrent;
using System.Collections.Immutable;
using System.Linq;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;
using Mlops.Analyzers.Declarations;
using Mlops.Analyzers.Generation;
using Mlops.Declarations.FeatureSets;

namespace Mlops.Analyzers.Rules;

/// <summary>
/// MLOPS1009, MLOPS1010 and MLOPS1011: every feature declared <c>transform: code</c> of a feature set
/// the compilation binds has exactly one method marked <c>[FeatureTransform("set", "feature")]</c>, and
/// every such method names a feature computed by code.
/// </summary>
[DiagnosticAnalyzer(LanguageNames.CSharp)]
public sealed class FeatureTransformAnalyzer : DiagnosticAnalyzer
{
    /// <inheritdoc />
    public override ImmutableArray<DiagnosticDescriptor> SupportedDiagnostics { get; } =
        [Diagnostics.FeatureTransformMissing, Diagnostics.FeatureTransformDuplicated, Diagnostics.FeatureTransformNotDeclared];

    /// <inheritdoc />
    public override void Initialize(AnalysisContext context)
    {
        context.EnableConcurrentExecution();
        context.ConfigureGeneratedCodeAnalysis(GeneratedCodeAnalysisFlags.None);
        context.RegisterCompilationStartAction(start =>
        {
            if (start.Compilation.GetTypeByMetadataName(AttributeSource.FeatureTransformAttribute) is not { } transform
                || start.Compilation.GetTypeByMetadataName(AttributeSource.FeatureSetAttribute) is not { } featureSet)
            {
                return;
            }

            var declarations = DeclarationContext.Get(start.Compilation, start.Options, start.CancellationToken);
            var implementations = new ConcurrentBag<(string Set, string Feature, IMethodSymbol Method, Location Location)>();
            var bindings = new ConcurrentBag<(Binding Binding, Location Location)>();

            start.RegisterSymbolAction(symbol =>
            {
                var method = (IMethodSymbol)symbol.Symbol;
                foreach (var attribute in method.GetAttributes().Where(a => SymbolEqualityComparer.Default.Equals(a.AttributeClass, transform)))
                {
                    if (attribute.ConstructorArguments.Length != 2 || attribute.ConstructorArguments[0].Value is not string set
                        || attribute.ConstructorArguments[1].Value is not string feature)
                    {
                        continue;
                    }

                    var location = attribute.ApplicationSyntaxReference?.GetSyntax(symbol.CancellationToken).GetLocation() ?? method.Locations[0];
                    implementations.Add((set, feature, method, location));
                    var versions = declarations.Set.FeatureSets.Where(f => f.Value.Name == set).Select(f => f.Value).ToList();
                    if (versions.Count == 0)
                    {
                        continue; // an unknown set is MLOPS1001's to report where the set is bound
                    }

                    if (!versions.Any(v => v.Find(feature) is { Source: FeatureSource.Code }))
                    {
                        var reason = versions.Any(v => v.Find(feature) is not null)
                            ? "which is read from data, not computed by code; declare it 'transform: code' or remove the attribute."
                            : "which no version of the set declares; correct the name or declare the feature.";
                        symbol.ReportDiagnostic(Diagnostic.Create(Diagnostics.FeatureTransformNotDeclared, location, feature, set, reason));
                    }
                }
            }, SymbolKind.Method);

            start.RegisterSymbolAction(symbol =>
            {
                if (Binding.Of((INamedTypeSymbol)symbol.Symbol, featureSet) is { } binding
                    && symbol.Symbol.Locations.FirstOrDefault(l => l.IsInSource) is { } location)
                {
                    bindings.Add((binding, binding.ArgumentLocation(0, symbol.CancellationToken) is { IsInSource: true } argument ? argument : location));
                }
            }, SymbolKind.NamedType);

            start.RegisterCompilationEndAction(end =>
            {
                foreach (var group in implementations.GroupBy(i => (i.Set, i.Feature)))
                {
                    var ordered = group.OrderBy(i => i.Location.SourceTree?.FilePath, System.StringComparer.Ordinal).ThenBy(i => i.Location.SourceSpan.Start).ToList();
                    foreach (var duplicate in ordered.Skip(1))
                    {
                        end.ReportDiagnostic(Diagnostic.Create(Diagnostics.FeatureTransformDuplicated, duplicate.Location,
                            group.Key.Feature, group.Key.Set, ordered[0].Method.ContainingType.Name + "." + ordered[0].Method.Name));
                    }
                }

                foreach (var bound in bindings.GroupBy(b => b.Binding.Reference).Select(g => g.OrderBy(b => b.Location.SourceTree?.FilePath, System.StringComparer.Ordinal).First()))
                {
                    if (declarations.FindFeatureSet(bound.Binding.Name, bound.Binding.Version) is not { } set)
                    {
                        continue;
                    }

                    foreach (var feature in set.Features.Where(f => f.Source == FeatureSource.Code))
                    {
                        if (!implementations.Any(i => i.Set == set.Name && i.Feature == feature.Name))
                        {
                            end.ReportDiagnostic(Diagnostic.Create(Diagnostics.FeatureTransformMissing, bound.Location, feature.Name, bound.Binding.Reference, set.Name));
                        }
                    }
                }
            });
        });
    }
}
