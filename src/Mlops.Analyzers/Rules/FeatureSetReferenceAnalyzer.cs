using System.Collections.Immutable;
using System.Globalization;
using System.Linq;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;
using Mlops.Analyzers.Declarations;
using Mlops.Analyzers.Generation;
using Suggestions = Mlops.Declarations.Diagnostics.Suggestions;

namespace Mlops.Analyzers.Rules;

/// <summary>MLOPS1001 and MLOPS1002: a <c>[FeatureSet]</c> naming a set or version features/ does not declare.</summary>
[DiagnosticAnalyzer(LanguageNames.CSharp)]
public sealed class FeatureSetReferenceAnalyzer : DiagnosticAnalyzer
{
    /// <summary>The property naming the newest declared version, for the fixer.</summary>
    public const string LatestVersion = nameof(LatestVersion);

    /// <inheritdoc />
    public override ImmutableArray<DiagnosticDescriptor> SupportedDiagnostics { get; } =
        [Diagnostics.FeatureSetNotDeclared, Diagnostics.FeatureSetVersionNotDeclared];

    /// <inheritdoc />
    public override void Initialize(AnalysisContext context)
    {
        context.EnableConcurrentExecution();
        context.ConfigureGeneratedCodeAnalysis(GeneratedCodeAnalysisFlags.None);
        context.RegisterCompilationStartAction(start =>
        {
            if (start.Compilation.GetTypeByMetadataName(AttributeSource.FeatureSetAttribute) is not { } attribute)
            {
                return;
            }

            var declarations = DeclarationContext.Get(start.Compilation, start.Options, start.CancellationToken);
            start.RegisterSymbolAction(symbol =>
            {
                if (Binding.Of((INamedTypeSymbol)symbol.Symbol, attribute) is not { } binding)
                {
                    return;
                }

                var versions = declarations.Set.FeatureSets.Where(f => f.Value.Name == binding.Name).Select(f => f.Value.Version).OrderBy(v => v).ToList();
                if (versions.Count == 0)
                {
                    var names = declarations.Set.FeatureSets.Select(f => f.Value.Name).Distinct();
                    var hint = Suggestions.Nearest(binding.Name, names) is { } near ? $"did you mean '{near}'?"
                        : declarations.HasDeclarations ? "declare it in features/ or correct the name."
                        : "no declaration files reached the compiler: set MlopsRepositoryRoot to the folder holding features/.";
                    symbol.ReportDiagnostic(Diagnostic.Create(Diagnostics.FeatureSetNotDeclared, binding.ArgumentLocation(0, symbol.CancellationToken), binding.Name, hint));
                }
                else if (!versions.Contains(binding.Version))
                {
                    var latest = versions[versions.Count - 1].ToString(CultureInfo.InvariantCulture);
                    var list = string.Join(", ", versions.Select(v => binding.Name + "@" + v.ToString(CultureInfo.InvariantCulture)));
                    symbol.ReportDiagnostic(Diagnostic.Create(Diagnostics.FeatureSetVersionNotDeclared, binding.ArgumentLocation(1, symbol.CancellationToken),
                        ImmutableDictionary<string, string?>.Empty.Add(LatestVersion, latest),
                        binding.Name, binding.Version, list, latest));
                }
            }, SymbolKind.NamedType);
        });
    }
}
