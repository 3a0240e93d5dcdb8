using System.Collections.Immutable;
using System.Composition;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CodeActions;
using Microsoft.CodeAnalysis.CodeFixes;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Formatting;
using Mlops.Analyzers.Rules;

namespace Mlops.Analyzers.Fixes;

/// <summary>MLOPS1003: adds a property for the missing feature, of the type the runtime row uses.</summary>
[ExportCodeFixProvider(LanguageNames.CSharp, Name = nameof(AddMissingFeatureFixer)), Shared]
public sealed class AddMissingFeatureFixer : CodeFixProvider
{
    /// <summary>The equivalence key of the fix.</summary>
    public const string EquivalenceKey = "Mlops.AddMissingFeature";

    /// <inheritdoc />
    public override ImmutableArray<string> FixableDiagnosticIds { get; } = [Diagnostics.FeatureMissing.Id];

    /// <inheritdoc />
    public override FixAllProvider? GetFixAllProvider() => null;

    /// <inheritdoc />
    public override async Task RegisterCodeFixesAsync(CodeFixContext context)
    {
        var root = await context.Document.GetSyntaxRootAsync(context.CancellationToken).ConfigureAwait(false);
        var diagnostic = context.Diagnostics[0];
        if (root?.FindNode(diagnostic.Location.SourceSpan).FirstAncestorOrSelf<TypeDeclarationSyntax>() is not { } declaration
            || !diagnostic.Properties.TryGetValue(BoundTypeAnalyzer.MemberName, out var name) || name is null
            || !diagnostic.Properties.TryGetValue(BoundTypeAnalyzer.MemberType, out var type) || type is null
            || !diagnostic.Properties.TryGetValue(BoundTypeAnalyzer.FeatureName, out var feature) || feature is null)
        {
            return;
        }

        var mlNet = diagnostic.Properties.TryGetValue(BoundTypeAnalyzer.UsesMlNet, out var uses) && uses == "true";
        context.RegisterCodeFix(
            CodeAction.Create($"Add '{name}' for feature '{feature}'", ct => AddAsync(context.Document, root, declaration, name, type, feature, mlNet, ct), EquivalenceKey),
            diagnostic);
    }

    private static Task<Document> AddAsync(Document document, SyntaxNode root, TypeDeclarationSyntax declaration, string name, string type, string feature, bool mlNet, CancellationToken cancellationToken)
    {
        _ = cancellationToken;
        var attribute = mlNet ? $"[global::Microsoft.ML.Data.ColumnName({SymbolDisplay.FormatLiteral(feature, quote: true)})] " : "";
        var initial = type == "string" ? " = \"\";" : "";
        var member = (MemberDeclarationSyntax)SyntaxFactory.ParseMemberDeclaration($"{attribute}public {type} {name} {{ get; set; }}{initial}")!
            .WithAdditionalAnnotations(Formatter.Annotation);
        TypeDeclarationSyntax updated = declaration;
        if (declaration.SemicolonToken.IsKind(SyntaxKind.SemicolonToken))
        {
            // record R; becomes record R { ... }
            updated = declaration.WithSemicolonToken(default)
                .WithOpenBraceToken(SyntaxFactory.Token(SyntaxKind.OpenBraceToken))
                .WithCloseBraceToken(SyntaxFactory.Token(SyntaxKind.CloseBraceToken));
        }

        updated = updated.AddMembers(member).WithAdditionalAnnotations(Formatter.Annotation);
        return Task.FromResult(document.WithSyntaxRoot(root.ReplaceNode(declaration, updated)));
    }
}
