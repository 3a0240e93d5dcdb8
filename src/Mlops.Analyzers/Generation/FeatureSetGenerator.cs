using System.Collections.Generic;
using System.Collections.Immutable;
using System.Globalization;
using System.Linq;
using System.Threading;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Text;
using Mlops.Analyzers.Declarations;
using Mlops.Declarations.FeatureSets;
using Mlops.Declarations.Models;
using Mlops.Declarations.Repository;

namespace Mlops.Analyzers.Generation;

/// <summary>
/// Writes the members of every partial type marked <c>[FeatureSet("name", version)]</c> from
/// features/*.yaml, and <c>Mlops.Models</c> with one typed handle per models/*.yaml. It reports
/// nothing: the analyzers do (a missing set, a bad file).
/// </summary>
[Generator(LanguageNames.CSharp)]
public sealed class FeatureSetGenerator : IIncrementalGenerator
{
    /// <summary>Tracking names of the pipeline steps, for the caching tests.</summary>
    public static class Steps
    {
        /// <summary>Declaration files read into values.</summary>
        public const string Declarations = nameof(Declarations);

        /// <summary>Types marked [FeatureSet].</summary>
        public const string BoundTypes = nameof(BoundTypes);

        /// <summary>Whether the compilation references ML.NET.</summary>
        public const string UsesMlNet = nameof(UsesMlNet);
    }

    /// <inheritdoc />
    public void Initialize(IncrementalGeneratorInitializationContext context)
    {
        context.RegisterPostInitializationOutput(static c =>
        {
            c.AddEmbeddedAttributeDefinition();
            c.AddSource(AttributeSource.HintName, SourceText.From(AttributeSource.Text, System.Text.Encoding.UTF8));
        });

        var root = context.AnalyzerConfigOptionsProvider.Select(static (o, _) =>
            o.GlobalOptions.TryGetValue("build_property.MlopsRepositoryRoot", out var value) ? value : null);

        var declarations = context.AdditionalTextsProvider
            .Combine(root)
            .Select(static (pair, ct) => Read(pair.Left, pair.Right, ct))
            .Where(static m => m is not null)
            .Select(static (m, _) => m!)
            .WithTrackingName(Steps.Declarations)
            .Collect();

        var featureSets = declarations.Select(static (all, _) =>
            new EquatableArray<FeatureSetModel>(all.Where(d => d.FeatureSet is not null).Select(d => d.FeatureSet!).OrderBy(f => f.Path, System.StringComparer.Ordinal)));
        var models = declarations.Select(static (all, _) =>
            new EquatableArray<ModelFileModel>(all.Where(d => d.Model is not null).Select(d => d.Model!).OrderBy(m => m.Name, System.StringComparer.Ordinal)));

        var boundTypes = context.SyntaxProvider.ForAttributeWithMetadataName(
                AttributeSource.FeatureSetAttribute,
                static (node, _) => node is TypeDeclarationSyntax,
                static (ctx, _) => Bind(ctx))
            .Where(static b => b is not null)
            .Select(static (b, _) => b!)
            .WithTrackingName(Steps.BoundTypes);

        var usesMlNet = context.CompilationProvider
            .Select(static (c, _) => c.GetTypeByMetadataName("Microsoft.ML.Data.ColumnNameAttribute") is not null)
            .WithTrackingName(Steps.UsesMlNet);

        context.RegisterSourceOutput(boundTypes.Combine(featureSets).Combine(usesMlNet), static (spc, input) =>
        {
            var ((bound, sets), mlNet) = input;
            var set = sets.FirstOrDefault(s => s.Name == bound.SetName && s.Version == bound.Version);
            if (bound.IsPartial && set is not null)
            {
                spc.AddSource(bound.HintName, SourceText.From(FeatureSetEmitter.Emit(bound, set, mlNet), System.Text.Encoding.UTF8));
            }
        });

        context.RegisterSourceOutput(models.Combine(boundTypes.Collect()), static (spc, input) =>
        {
            var (modelFiles, bound) = input;
            if (modelFiles.Count > 0)
            {
                spc.AddSource("Mlops.Models.g.cs", SourceText.From(FeatureSetEmitter.EmitModels(modelFiles, bound), System.Text.Encoding.UTF8));
            }
        });
    }

    private static DeclarationFileModel? Read(AdditionalText file, string? root, CancellationToken cancellationToken)
    {
        if (DeclarationPaths.Relative(file.Path, root) is not { } relative || RepositoryLayout.KindOf(relative) is not { } kind
            || kind == DeclarationKind.Environment || file.GetText(cancellationToken) is not { } text)
        {
            return null;
        }

        if (kind == DeclarationKind.FeatureSet)
        {
            var parsed = FeatureSetParser.Parse(relative, text.ToString()).Declaration?.Value;
            return parsed is null ? null : new DeclarationFileModel(ToModel(parsed, relative), null);
        }

        var model = ModelParser.Parse(relative, text.ToString()).Declaration?.Value;
        return model is null ? null : new DeclarationFileModel(null, new ModelFileModel(model.Name, relative, model.FeatureSet.Name, model.FeatureSet.Version));
    }

    private static FeatureSetModel ToModel(FeatureSet set, string path) => new(
        set.Name,
        set.Version,
        path,
        set.SchemaDigest,
        new EquatableArray<FeatureModel>(set.Features
            .Where(f => f.Source == FeatureSource.Data)
            .Select(f => new FeatureModel(f.Name, FeatureClr.PropertyName(f.Name), FeatureClr.TypeName(f.Type, f.Nullable),
                FeatureClr.IsNumber(f.Type), f.Nullable, FeatureClr.Describe(f.Type, f.Nullable), f.Description))));

    private static BoundTypeModel? Bind(GeneratorAttributeSyntaxContext context)
    {
        if (context.TargetSymbol is not INamedTypeSymbol type || type.IsGenericType
            || context.Attributes.FirstOrDefault() is not { } attribute
            || attribute.ConstructorArguments.Length != 2
            || attribute.ConstructorArguments[0].Value is not string name
            || attribute.ConstructorArguments[1].Value is not int version)
        {
            return null;
        }

        var containing = new List<string>();
        for (var outer = type.ContainingType; outer is not null; outer = outer.ContainingType)
        {
            containing.Insert(0, "partial " + Keyword(outer) + " " + outer.Name);
        }

        var isPartial = type.DeclaringSyntaxReferences.All(r => r.GetSyntax() is TypeDeclarationSyntax t
            && t.Modifiers.Any(m => m.ValueText == "partial"));
        var members = type.GetMembers().Where(m => !m.IsImplicitlyDeclared).Select(m => m.Name).Distinct().OrderBy(n => n, System.StringComparer.Ordinal);
        return new BoundTypeModel(
            type.ContainingNamespace.IsGlobalNamespace ? "" : type.ContainingNamespace.ToDisplayString(),
            new EquatableArray<string>(containing),
            Keyword(type),
            type.Name,
            type.ToDisplayString(SymbolDisplayFormat.FullyQualifiedFormat),
            isPartial,
            name,
            version,
            new EquatableArray<string>(members));
    }

    private static string Keyword(INamedTypeSymbol type) =>
        type.IsRecord ? (type.IsValueType ? "record struct" : "record") : type.IsValueType ? "struct" : "class";
}

/// <summary>Writes the generated source text.</summary>
internal static class FeatureSetEmitter
{
    public static string Emit(BoundTypeModel bound, FeatureSetModel set, bool mlNet)
    {
        var writer = new IndentedWriter();
        writer.Line("// <auto-generated/>");
        writer.Line("#nullable enable");
        if (bound.Namespace.Length > 0)
        {
            writer.Line("namespace " + bound.Namespace);
            writer.Open();
        }

        foreach (var outer in bound.ContainingTypes)
        {
            writer.Line(outer);
            writer.Open();
        }

        var reference = set.Name + "@" + set.Version.ToString(CultureInfo.InvariantCulture);
        writer.Line("partial " + bound.Keyword + " " + bound.Name);
        writer.Open();
        writer.Line($"/// <summary>The feature set this type is bound to ({Xml(set.Path)}).</summary>");
        writer.Line($"public const string FeatureSetName = {Literal(set.Name)};");
        writer.Line();
        writer.Line($"/// <summary>The version of the feature set: {reference}.</summary>");
        writer.Line($"public const int FeatureSetVersion = {set.Version.ToString(CultureInfo.InvariantCulture)};");
        writer.Line();
        writer.Line($"/// <summary>The schema digest of {reference}: names, types, nullability and categories of its features. Environments record it at promotion.</summary>");
        writer.Line($"public const string SchemaDigest = {Literal(set.SchemaDigest)};");
        var existing = new HashSet<string>(bound.ExistingMembers, System.StringComparer.Ordinal);
        foreach (var feature in set.Features.Where(f => !existing.Contains(f.PropertyName)))
        {
            writer.Line();
            var summary = (feature.Description is { Length: > 0 } d ? Xml(d.TrimEnd('.')) + ". " : "")
                + $"Feature '{Xml(feature.Name)}' ({feature.Kind})"
                + (feature.IsNumber && feature.Kind.StartsWith("bool", System.StringComparison.Ordinal) ? ": 1 for true, 0 for false" : "")
                + (feature.IsNumber && feature.IsNullable ? "; NaN when missing" : "") + ".";
            writer.Line($"/// <summary>{summary}</summary>");
            if (mlNet)
            {
                writer.Line($"[global::Microsoft.ML.Data.ColumnName({Literal(feature.Name)})]");
            }

            var initial = feature.IsNumber ? (feature.IsNullable ? " = float.NaN;" : "") : feature.IsNullable ? "" : " = \"\";";
            writer.Line($"public {feature.ClrType} {feature.PropertyName} {{ get; set; }}{initial}");
        }

        writer.Close();
        for (var i = 0; i < bound.ContainingTypes.Count; i++)
        {
            writer.Close();
        }

        if (bound.Namespace.Length > 0)
        {
            writer.Close();
        }

        return writer.ToString();
    }

    public static string EmitModels(EquatableArray<ModelFileModel> models, ImmutableArray<BoundTypeModel> bound)
    {
        var writer = new IndentedWriter();
        writer.Line("// <auto-generated/>");
        writer.Line("#nullable enable");
        writer.Line("namespace Mlops");
        writer.Open();
        writer.Line("/// <summary>One typed handle per model in models/, bound to the type of its feature set version.</summary>");
        writer.Line("internal static partial class Models");
        writer.Open();
        var first = true;
        foreach (var model in models)
        {
            var input = bound.Where(b => b.SetName == model.FeatureSetName && b.Version == model.FeatureSetVersion)
                .OrderBy(b => b.FullName, System.StringComparer.Ordinal).FirstOrDefault();
            if (input is null)
            {
                continue;
            }

            if (!first)
            {
                writer.Line();
            }

            first = false;
            var handle = $"global::Mlops.ModelHandle<{input.FullName}>";
            var reference = model.FeatureSetName + "@" + model.FeatureSetVersion.ToString(CultureInfo.InvariantCulture);
            writer.Line($"/// <summary>Model '{Xml(model.Name)}' ({Xml(model.Path)}), trained on {reference}.</summary>");
            writer.Line($"[global::Mlops.Model({Literal(model.Name)})]");
            writer.Line($"public static {handle} {FeatureClr.PropertyName(model.Name)} {{ get; }} = new {handle}({Literal(model.Name)});");
        }

        writer.Close();
        writer.Close();
        return writer.ToString();
    }

    private static string Literal(string value) => Microsoft.CodeAnalysis.CSharp.SymbolDisplay.FormatLiteral(value, quote: true);

    private static string Xml(string value) => value.Replace("&", "&amp;").Replace("<", "&lt;").Replace(">", "&gt;");
}

/// <summary>A text writer that indents by braces.</summary>
internal sealed class IndentedWriter
{
    private readonly System.Text.StringBuilder _builder = new();
    private int _depth;

    public void Line(string text = "")
    {
        if (text.Length > 0)
        {
            _builder.Append(' ', _depth * 4).Append(text);
        }

        _builder.Append('\n');
    }

    public void Open()
    {
        Line("{");
        _depth++;
    }

    public void Close()
    {
        _depth--;
        Line("}");
    }

    public override string ToString() => _builder.ToString();
}
