using System.Collections.Generic;
using System.Collections.Immutable;
using System.Composition;
using System.Linq;
using System.Threading.Tasks;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CodeActions;
using Microsoft.CodeAnalysis.CodeFixes;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Formatting;
using Mlops.Analyzers.Rules;

namespace Mlops.Analyzers.Fixes;

/// <summary>
/// MLOPS1003: adds a property for the missing feature, of the type the runtime row uses. Fix all adds
/// every missing feature of a type in one edit, in the feature set's order.
/// </summary>
[ExportCodeFixProvider(LanguageNames.CSharp, Name = nameof(AddMissingFeatureFixer)), Shared]
public sealed class AddMissingFeatureFixer : CodeFixProvider
{
    /// <summary>The equivalence key of the fix.</summary>
    public const string EquivalenceKey = "Mlops.AddMissingFeature";

    // Every diagnostic of a type sits on the type's name and each fix rewrites the whole declaration,
    // so the batch fixer's merge would see overlapping edits and keep one per pass; this provider
    // groups the diagnostics by declaration and adds all their members at once.
    private static readonly FixAllProvider s_fixAll = FixAllProvider.Create(async (context, document, diagnostics) =>
    {
        var root = await document.GetSyntaxRootAsync(context.CancellationToken).ConfigureAwait(false);
        if (root is null)
        {
            return document;
        }

        var byDeclaration = new Dictionary<TypeDeclarationSyntax, List<MissingMember>>();
        foreach (var diagnostic in diagnostics)
        {
            if (Declaration(root, diagnostic) is { } declaration && MissingMember.From(diagnostic) is { } member)
            {
                if (!byDeclaration.TryGetValue(declaration, out var members))
                {
                    byDeclaration.Add(declaration, members = []);
                }

                members.Add(member);
            }
        }

        // ReplaceNodes hands over each declaration with its nested ones already rewritten.
        return document.WithSyntaxRoot(root.ReplaceNodes(byDeclaration.Keys,
            (original, rewritten) => WithMembers(rewritten, byDeclaration[original])));
    });

    /// <inheritdoc />
    public override ImmutableArray<string> FixableDiagnosticIds { get; } = [Diagnostics.FeatureMissing.Id];

    /// <inheritdoc />
    public override FixAllProvider? GetFixAllProvider() => s_fixAll;

    /// <inheritdoc />
    public override async Task RegisterCodeFixesAsync(CodeFixContext context)
    {
        var root = await context.Document.GetSyntaxRootAsync(context.CancellationToken).ConfigureAwait(false);
        var diagnostic = context.Diagnostics[0];
        if (root is null || Declaration(root, diagnostic) is not { } declaration || MissingMember.From(diagnostic) is not { } member)
        {
            return;
        }

        context.RegisterCodeFix(
            CodeAction.Create($"Add '{member.Name}' for feature '{member.Feature}'",
                _ => Task.FromResult(context.Document.WithSyntaxRoot(root.ReplaceNode(declaration, WithMembers(declaration, [member])))),
                EquivalenceKey),
            diagnostic);
    }

    private static TypeDeclarationSyntax? Declaration(SyntaxNode root, Diagnostic diagnostic) =>
        root.FindNode(diagnostic.Location.SourceSpan).FirstAncestorOrSelf<TypeDeclarationSyntax>();

    private static TypeDeclarationSyntax WithMembers(TypeDeclarationSyntax declaration, IEnumerable<MissingMember> members)
    {
        var updated = declaration;
        if (declaration.SemicolonToken.IsKind(SyntaxKind.SemicolonToken))
        {
            // record R; becomes record R { ... }
            updated = declaration.WithSemicolonToken(default)
                .WithOpenBraceToken(SyntaxFactory.Token(SyntaxKind.OpenBraceToken))
                .WithCloseBraceToken(SyntaxFactory.Token(SyntaxKind.CloseBraceToken));
        }

        foreach (var member in members.GroupBy(m => m.Name).Select(g => g.First()))
        {
            // After the last member of an earlier feature, else before the first of a later one, else
            // at the end: one fix at a time and fix all then write the members in the same order.
            var existing = updated.Members;
            var order = member.Order(member.Name);
            var after = -1;
            var before = -1;
            for (var i = 0; i < existing.Count; i++)
            {
                var rank = member.Order(NameOf(existing[i]));
                if (rank >= 0 && rank < order)
                {
                    after = i;
                }
                else if (rank > order && before < 0)
                {
                    before = i;
                }
            }

            var at = after >= 0 ? after + 1 : before >= 0 ? before : existing.Count;
            updated = updated.WithMembers(existing.Insert(at, member.ToSyntax().WithTrailingTrivia(SyntaxFactory.ElasticMarker).WithAdditionalAnnotations(Formatter.Annotation)));
        }

        return updated.WithAdditionalAnnotations(Formatter.Annotation);
    }

    private static string? NameOf(MemberDeclarationSyntax member) => member switch
    {
        PropertyDeclarationSyntax property => property.Identifier.ValueText,
        FieldDeclarationSyntax field => field.Declaration.Variables.FirstOrDefault()?.Identifier.ValueText,
        _ => null,
    };

    /// <summary>What one MLOPS1003 diagnostic asks for, read from its properties.</summary>
    private sealed class MissingMember(string name, string type, string feature, bool mlNet, ImmutableArray<string> featureMembers)
    {
        public string Name { get; } = name;

        public string Feature { get; } = feature;

        /// <summary>The position of a member name among the feature set's members, or -1 for a member that is no feature.</summary>
        public int Order(string? memberName) => memberName is null ? -1 : featureMembers.IndexOf(memberName);

        public static MissingMember? From(Diagnostic diagnostic)
        {
            var properties = diagnostic.Properties;
            if (!properties.TryGetValue(BoundTypeAnalyzer.MemberName, out var name) || name is null
                || !properties.TryGetValue(BoundTypeAnalyzer.MemberType, out var type) || type is null
                || !properties.TryGetValue(BoundTypeAnalyzer.FeatureName, out var feature) || feature is null)
            {
                return null;
            }

            var order = properties.TryGetValue(BoundTypeAnalyzer.FeatureMembers, out var list) && list is not null
                ? list.Split(',').ToImmutableArray()
                : [];
            var mlNet = properties.TryGetValue(BoundTypeAnalyzer.UsesMlNet, out var uses) && uses == "true";
            return new MissingMember(name, type, feature, mlNet, order);
        }

        public MemberDeclarationSyntax ToSyntax()
        {
            var attribute = mlNet ? $"[global::Microsoft.ML.Data.ColumnName({SymbolDisplay.FormatLiteral(Feature, quote: true)})] " : "";
            var initial = type == "string" ? " = \"\";" : "";
            return SyntaxFactory.ParseMemberDeclaration($"{attribute}public {type} {Name} {{ get; set; }}{initial}")!;
        }
    }
}
