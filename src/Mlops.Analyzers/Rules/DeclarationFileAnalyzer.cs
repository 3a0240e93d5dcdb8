using System.Collections.Immutable;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;
using Mlops.Analyzers.Declarations;

namespace Mlops.Analyzers.Rules;

/// <summary>
/// Reports every finding of the declaration files in the file itself, at its line and column, with
/// the id <c>mlops validate</c> uses: a file that does not parse (MLOPS0002 and the rest of the 00xx
/// block), broken references, and a pinned feature set version edited in place (MLOPS0308).
/// </summary>
[DiagnosticAnalyzer(LanguageNames.CSharp)]
public sealed class DeclarationFileAnalyzer : DiagnosticAnalyzer
{
    /// <inheritdoc />
    public override ImmutableArray<DiagnosticDescriptor> SupportedDiagnostics => DeclarationDescriptors.All;

    /// <inheritdoc />
    public override void Initialize(AnalysisContext context)
    {
        context.EnableConcurrentExecution();
        context.ConfigureGeneratedCodeAnalysis(GeneratedCodeAnalysisFlags.None);
        context.RegisterCompilationStartAction(start =>
        {
            var declarations = DeclarationContext.Get(start.Compilation, start.Options, start.CancellationToken);
            if (!declarations.HasDeclarations)
            {
                return;
            }

            start.RegisterAdditionalFileAction(file =>
            {
                foreach (var finding in declarations.Set.Diagnostics)
                {
                    if (declarations.File(finding.Location.Path) is { } text && text.Path == file.AdditionalFile.Path)
                    {
                        file.ReportDiagnostic(Diagnostic.Create(DeclarationDescriptors.For(finding.Id),
                            declarations.ToLocation(finding.Location, file.CancellationToken), finding.Message));
                    }
                }
            });
        });
    }
}
