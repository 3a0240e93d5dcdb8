using System.Collections.Immutable;
using System.Composition;
using System.Globalization;
using System.Threading.Tasks;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CodeActions;
using Microsoft.CodeAnalysis.CodeFixes;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Mlops.Analyzers.Rules;

namespace Mlops.Analyzers.Fixes;

/// <summary>MLOPS1002: changes the version in [FeatureSet] to the newest declared one.</summary>
[ExportCodeFixProvider(LanguageNames.CSharp, Name = nameof(UpdateFeatureSetVersionFixer)), Shared]
public sealed class UpdateFeatureSetVersionFixer : CodeFixProvider
{
    /// <summary>The equivalence key of the fix.</summary>
    public const string EquivalenceKey = "Mlops.UpdateFeatureSetVersion";

    /// <inheritdoc />
    public override ImmutableArray<string> FixableDiagnosticIds { get; } = [Diagnostics.FeatureSetVersionNotDeclared.Id];

    /// <inheritdoc />
    public override FixAllProvider? GetFixAllProvider() => WellKnownFixAllProviders.BatchFixer;

    /// <inheritdoc />
    public override async Task RegisterCodeFixesAsync(CodeFixContext context)
    {
        var root = await context.Document.GetSyntaxRootAsync(context.CancellationToken).ConfigureAwait(false);
        var diagnostic = context.Diagnostics[0];
        if (root?.FindNode(diagnostic.Location.SourceSpan).FirstAncestorOrSelf<AttributeArgumentSyntax>() is not { } argument
            || !diagnostic.Properties.TryGetValue(FeatureSetReferenceAnalyzer.LatestVersion, out var latest)
            || !int.TryParse(latest, NumberStyles.None, CultureInfo.InvariantCulture, out var version))
        {
            return;
        }

        var replacement = argument.WithExpression(SyntaxFactory.LiteralExpression(SyntaxKind.NumericLiteralExpression, SyntaxFactory.Literal(version)))
            .WithTriviaFrom(argument);
        context.RegisterCodeFix(CodeAction.Create($"Use version {latest}",
            _ => Task.FromResult(context.Document.WithSyntaxRoot(root.ReplaceNode(argument, replacement))), EquivalenceKey), diagnostic);
    }
}
