using System.Collections.Immutable;
using System.Composition;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CodeActions;
using Microsoft.CodeAnalysis.CodeFixes;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Rename;
using Mlops.Analyzers.Rules;

namespace Mlops.Analyzers.Fixes;

/// <summary>MLOPS1004: renames the extra member to the feature it probably meant, or removes it.</summary>
[ExportCodeFixProvider(LanguageNames.CSharp, Name = nameof(ExtraMemberFixer)), Shared]
public sealed class ExtraMemberFixer : CodeFixProvider
{
    /// <summary>The equivalence key of the rename.</summary>
    public const string RenameKey = "Mlops.RenameExtraMember";

    /// <summary>The equivalence key of the removal.</summary>
    public const string RemoveKey = "Mlops.RemoveExtraMember";

    /// <inheritdoc />
    public override ImmutableArray<string> FixableDiagnosticIds { get; } = [Diagnostics.MemberNotAFeature.Id];

    /// <inheritdoc />
    public override FixAllProvider? GetFixAllProvider() => WellKnownFixAllProviders.BatchFixer;

    /// <inheritdoc />
    public override async Task RegisterCodeFixesAsync(CodeFixContext context)
    {
        var root = await context.Document.GetSyntaxRootAsync(context.CancellationToken).ConfigureAwait(false);
        var diagnostic = context.Diagnostics[0];
        var node = root?.FindNode(diagnostic.Location.SourceSpan);
        if (root is null || node is null)
        {
            return;
        }

        if (diagnostic.Properties.TryGetValue(BoundTypeAnalyzer.Suggestion, out var suggestion) && suggestion is not null)
        {
            context.RegisterCodeFix(CodeAction.Create($"Rename to '{suggestion}'",
                ct => RenameAsync(context.Document, node, suggestion, ct), RenameKey), diagnostic);
        }

        SyntaxNode? member = node.FirstAncestorOrSelf<PropertyDeclarationSyntax>();
        if (member is null && node.FirstAncestorOrSelf<FieldDeclarationSyntax>() is { } field)
        {
            member = field.Declaration.Variables.Count == 1 ? field : node.FirstAncestorOrSelf<VariableDeclaratorSyntax>();
        }

        if (member is not null)
        {
            context.RegisterCodeFix(CodeAction.Create("Remove the member",
                _ => Task.FromResult(context.Document.WithSyntaxRoot(root.RemoveNode(member, SyntaxRemoveOptions.KeepNoTrivia)!)), RemoveKey), diagnostic);
        }
    }

    private static async Task<Solution> RenameAsync(Document document, SyntaxNode node, string name, CancellationToken cancellationToken)
    {
        var model = await document.GetSemanticModelAsync(cancellationToken).ConfigureAwait(false);
        var symbol = model?.GetDeclaredSymbol(node, cancellationToken);
        return symbol is null
            ? document.Project.Solution
            : await Renamer.RenameSymbolAsync(document.Project.Solution, symbol, new SymbolRenameOptions(), name, cancellationToken).ConfigureAwait(false);
    }
}
