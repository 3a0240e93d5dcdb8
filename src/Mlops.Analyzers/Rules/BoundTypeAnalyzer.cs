using System.Collections.Generic;
using System.Collections.Immutable;
using System.Linq;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;
using Mlops.Analyzers.Declarations;
using Mlops.Analyzers.Generation;
using Suggestions = Mlops.Declarations.Diagnostics.Suggestions;
using Mlops.Declarations.FeatureSets;

namespace Mlops.Analyzers.Rules;

/// <summary>
/// MLOPS1003, MLOPS1004 and MLOPS1005: a type bound to a feature set must have exactly one column
/// member per data feature, of the type the runtime's input row uses. Column members are public
/// instance fields and public properties with a setter, as ML.NET reads them, unless marked [NoColumn].
/// </summary>
[DiagnosticAnalyzer(LanguageNames.CSharp)]
public sealed class BoundTypeAnalyzer : DiagnosticAnalyzer
{
    /// <summary>Property: the feature's name.</summary>
    public const string FeatureName = nameof(FeatureName);

    /// <summary>Property: the member's C# type.</summary>
    public const string MemberType = nameof(MemberType);

    /// <summary>Property: the member's name.</summary>
    public const string MemberName = nameof(MemberName);

    /// <summary>Property: the member names of the set's data features in declared order, comma-separated, so added members keep that order.</summary>
    public const string FeatureMembers = nameof(FeatureMembers);

    /// <summary>Property: "true" when ML.NET's [ColumnName] is available.</summary>
    public const string UsesMlNet = nameof(UsesMlNet);

    /// <summary>Property: the member name an extra member probably meant.</summary>
    public const string Suggestion = nameof(Suggestion);

    private const string ColumnNameAttribute = "Microsoft.ML.Data.ColumnNameAttribute";
    private const string NoColumnAttribute = "Microsoft.ML.Data.NoColumnAttribute";

    /// <inheritdoc />
    public override ImmutableArray<DiagnosticDescriptor> SupportedDiagnostics { get; } =
        [Diagnostics.FeatureMissing, Diagnostics.MemberNotAFeature, Diagnostics.FeatureTypeMismatch];

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

            var columnName = start.Compilation.GetTypeByMetadataName(ColumnNameAttribute);
            var noColumn = start.Compilation.GetTypeByMetadataName(NoColumnAttribute);
            var declarations = DeclarationContext.Get(start.Compilation, start.Options, start.CancellationToken);
            start.RegisterSymbolAction(symbol =>
            {
                var type = (INamedTypeSymbol)symbol.Symbol;
                if (Binding.Of(type, attribute) is not { } binding || declarations.FindFeatureSet(binding.Name, binding.Version) is not { } set)
                {
                    return;
                }

                Check(symbol, type, binding, set, columnName, noColumn);
            }, SymbolKind.NamedType);
        });
    }

    private static void Check(SymbolAnalysisContext context, INamedTypeSymbol type, Binding binding, FeatureSet set,
        INamedTypeSymbol? columnName, INamedTypeSymbol? noColumn)
    {
        var features = set.Features.Where(f => f.Source == FeatureSource.Data).ToList();
        var matched = new HashSet<string>(System.StringComparer.Ordinal);
        var extras = new List<ISymbol>();
        foreach (var member in Columns(type, noColumn))
        {
            var column = ColumnOf(member, columnName);
            var feature = features.FirstOrDefault(f => f.Name == column)
                ?? (column == member.Name ? features.FirstOrDefault(f => FeatureClr.PropertyName(f.Name) == member.Name) : null);
            if (feature is null || !matched.Add(feature.Name))
            {
                extras.Add(member);
                continue;
            }

            CheckType(context, member, feature, binding);
        }

        var unmatched = features.Where(f => !matched.Contains(f.Name)).ToList();
        foreach (var extra in extras.Where(e => InSource(e)))
        {
            var near = Suggestions.Nearest(extra.Name, unmatched.Select(f => FeatureClr.PropertyName(f.Name)));
            var properties = ImmutableDictionary<string, string?>.Empty.Add(MemberName, extra.Name);
            if (near is not null)
            {
                properties = properties.Add(Suggestion, near);
            }

            context.ReportDiagnostic(Diagnostic.Create(Diagnostics.MemberNotAFeature, extra.Locations[0], properties,
                extra.Name, binding.Reference, near is null ? "remove it, or mark it [NoColumn]." : $"did you mean '{near}'?"));
        }

        var typeLocation = type.Locations.FirstOrDefault(InSourceLocation);
        if (typeLocation is null)
        {
            return;
        }

        var memberOrder = string.Join(",", features.Select(f => FeatureClr.PropertyName(f.Name)));
        foreach (var feature in unmatched)
        {
            var properties = ImmutableDictionary<string, string?>.Empty
                .Add(FeatureName, feature.Name)
                .Add(MemberName, FeatureClr.PropertyName(feature.Name))
                .Add(MemberType, FeatureClr.TypeName(feature.Type, feature.Nullable))
                .Add(FeatureMembers, memberOrder)
                .Add(UsesMlNet, columnName is null ? "false" : "true");
            context.ReportDiagnostic(Diagnostic.Create(Diagnostics.FeatureMissing, typeLocation, properties,
                type.Name, binding.Reference, feature.Name, FeatureClr.Describe(feature.Type, feature.Nullable)));
        }
    }

    private static void CheckType(SymbolAnalysisContext context, ISymbol member, Feature feature, Binding binding)
    {
        var memberType = member is IPropertySymbol p ? p.Type : ((IFieldSymbol)member).Type;
        var annotation = member is IPropertySymbol q ? q.NullableAnnotation : ((IFieldSymbol)member).NullableAnnotation;
        var wrong = FeatureClr.IsNumber(feature.Type)
            ? memberType.SpecialType != SpecialType.System_Single
            : memberType.SpecialType != SpecialType.System_String
              || (annotation == NullableAnnotation.Annotated && !feature.Nullable)
              || (annotation == NullableAnnotation.NotAnnotated && feature.Nullable);
        if (wrong && InSource(member))
        {
            var expected = FeatureClr.TypeName(feature.Type, feature.Nullable);
            context.ReportDiagnostic(Diagnostic.Create(Diagnostics.FeatureTypeMismatch, member.Locations[0],
                ImmutableDictionary<string, string?>.Empty.Add(MemberType, expected),
                member.Name, memberType.ToDisplayString(SymbolDisplayFormat.MinimallyQualifiedFormat.WithMiscellaneousOptions(SymbolDisplayMiscellaneousOptions.IncludeNullableReferenceTypeModifier | SymbolDisplayMiscellaneousOptions.UseSpecialTypes)),
                feature.Name, binding.Reference, FeatureClr.Describe(feature.Type, feature.Nullable), expected));
        }
    }

    /// <summary>The members ML.NET reads as columns: public instance fields and settable public properties, base types included.</summary>
    private static IEnumerable<ISymbol> Columns(INamedTypeSymbol type, INamedTypeSymbol? noColumn)
    {
        for (var current = type; current is not null && current.SpecialType != SpecialType.System_Object; current = current.BaseType)
        {
            foreach (var member in current.GetMembers())
            {
                var isColumn = member switch
                {
                    IFieldSymbol field => !field.IsImplicitlyDeclared && !field.IsConst,
                    IPropertySymbol property => !property.IsIndexer && property.GetMethod is not null && property.SetMethod is not null,
                    _ => false,
                };
                if (isColumn && !member.IsStatic && member.DeclaredAccessibility == Accessibility.Public
                    && !(noColumn is not null && member.GetAttributes().Any(a => SymbolEqualityComparer.Default.Equals(a.AttributeClass, noColumn))))
                {
                    yield return member;
                }
            }
        }
    }

    private static string ColumnOf(ISymbol member, INamedTypeSymbol? columnName)
    {
        if (columnName is not null)
        {
            foreach (var attribute in member.GetAttributes())
            {
                if (SymbolEqualityComparer.Default.Equals(attribute.AttributeClass, columnName)
                    && attribute.ConstructorArguments.Length == 1 && attribute.ConstructorArguments[0].Value is string name)
                {
                    return name;
                }
            }
        }

        return member.Name;
    }

    private static bool InSource(ISymbol symbol) => symbol.Locations.Any(InSourceLocation);

    private static bool InSourceLocation(Location location) =>
        location.IsInSource && !location.SourceTree!.FilePath.EndsWith(".g.cs", System.StringComparison.OrdinalIgnoreCase);
}
