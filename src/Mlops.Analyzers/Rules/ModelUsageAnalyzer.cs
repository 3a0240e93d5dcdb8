using System.Collections.Immutable;
using System.Linq;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Operations;
using Mlops.Analyzers.Declarations;
using Mlops.Analyzers.Generation;
using Suggestions = Mlops.Declarations.Diagnostics.Suggestions;

namespace Mlops.Analyzers.Rules;

/// <summary>
/// MLOPS1006, MLOPS1007, MLOPS1008 and MLOPS1012: a model handle (<c>new ModelHandle&lt;T&gt;("name")</c> or a
/// generated <c>Mlops.Models</c> property) must name a declared model, its input type must be bound to
/// the feature set version the model file declares, and, when <c>MlopsEnvironment</c> is set, to the
/// version the environment's pinned model was trained on.
/// </summary>
[DiagnosticAnalyzer(LanguageNames.CSharp)]
public sealed class ModelUsageAnalyzer : DiagnosticAnalyzer
{
    /// <summary>Property: the declared model name a misspelt one probably meant.</summary>
    public const string Suggestion = nameof(Suggestion);

    /// <inheritdoc />
    public override ImmutableArray<DiagnosticDescriptor> SupportedDiagnostics { get; } =
        [Diagnostics.ModelNotDeclared, Diagnostics.ModelFeatureSetMismatch, Diagnostics.ServingSkew, Diagnostics.EnvironmentNotDeclared];

    /// <inheritdoc />
    public override void Initialize(AnalysisContext context)
    {
        context.EnableConcurrentExecution();
        context.ConfigureGeneratedCodeAnalysis(GeneratedCodeAnalysisFlags.None);
        context.RegisterCompilationStartAction(start =>
        {
            var compilation = start.Compilation;
            if (compilation.GetTypeByMetadataName(AttributeSource.ModelHandle) is not { } handle
                || compilation.GetTypeByMetadataName(AttributeSource.ModelAttribute) is not { } modelAttribute
                || compilation.GetTypeByMetadataName(AttributeSource.FeatureSetAttribute) is not { } featureSetAttribute)
            {
                return;
            }

            var declarations = DeclarationContext.Get(compilation, start.Options, start.CancellationToken);
            var environment = declarations.Environment is { } name ? declarations.Set.FindEnvironment(name)?.Value : null;
            if (declarations.Environment is { } missing && environment is null && declarations.HasDeclarations)
            {
                start.RegisterCompilationEndAction(end =>
                {
                    var near = Suggestions.Nearest(missing, declarations.Set.Environments.Select(e => e.Value.Name));
                    end.ReportDiagnostic(Diagnostic.Create(Diagnostics.EnvironmentNotDeclared, Location.None, missing,
                        near is null ? "declare it or correct the property." : $"did you mean '{near}'?"));
                });
            }

            start.RegisterOperationAction(operation =>
            {
                var creation = (IObjectCreationOperation)operation.Operation;
                if (creation.Type is INamedTypeSymbol type && SymbolEqualityComparer.Default.Equals(type.OriginalDefinition, handle)
                    && creation.Arguments.FirstOrDefault()?.Value is { ConstantValue: { HasValue: true, Value: string model } } argument)
                {
                    Check(operation, declarations, environment, model, type.TypeArguments[0], featureSetAttribute, argument.Syntax.GetLocation(), creation.Syntax.GetLocation(), reportUnknown: true);
                }
            }, OperationKind.ObjectCreation);

            start.RegisterOperationAction(operation =>
            {
                var reference = (IPropertyReferenceOperation)operation.Operation;
                if (reference.Type is INamedTypeSymbol type && SymbolEqualityComparer.Default.Equals(type.OriginalDefinition, handle)
                    && reference.Property.GetAttributes().FirstOrDefault(a => SymbolEqualityComparer.Default.Equals(a.AttributeClass, modelAttribute)) is { } attribute
                    && attribute.ConstructorArguments.FirstOrDefault().Value is string model)
                {
                    var location = reference.Syntax.GetLocation();
                    Check(operation, declarations, environment, model, type.TypeArguments[0], featureSetAttribute, location, location, reportUnknown: false);
                }
            }, OperationKind.PropertyReference);
        });
    }

    private static void Check(OperationAnalysisContext context, DeclarationContext declarations, Mlops.Declarations.Environments.EnvironmentSpec? environment,
        string modelName, ITypeSymbol input, INamedTypeSymbol featureSetAttribute, Location nameLocation, Location usageLocation, bool reportUnknown)
    {
        var model = declarations.Set.FindModel(modelName);
        if (model is null)
        {
            if (reportUnknown && declarations.HasDeclarations)
            {
                var near = Suggestions.Nearest(modelName, declarations.Set.Models.Select(m => m.Value.Name));
                var properties = near is null ? ImmutableDictionary<string, string?>.Empty : ImmutableDictionary<string, string?>.Empty.Add(Suggestion, near);
                context.ReportDiagnostic(Diagnostic.Create(Diagnostics.ModelNotDeclared, nameLocation, properties, modelName,
                    near is null ? "declare models/" + modelName + ".yaml or correct the name." : $"did you mean '{near}'?"));
            }

            return;
        }

        if (Binding.Of(input, featureSetAttribute) is not { } binding)
        {
            return;
        }

        var declared = model.Value.FeatureSet;
        if (declared.Name != binding.Name || declared.Version != binding.Version)
        {
            context.ReportDiagnostic(Diagnostic.Create(Diagnostics.ModelFeatureSetMismatch, usageLocation,
                modelName, declared.ToString(), model.Path, input.Name, binding.Reference));
            return;
        }

        var pin = environment?.Models.FirstOrDefault(m => m.Model == modelName);
        if (pin?.FeatureSet is { } trained && (trained.Name != binding.Name || trained.Version != binding.Version))
        {
            context.ReportDiagnostic(Diagnostic.Create(Diagnostics.ServingSkew, usageLocation,
                environment!.Name, modelName, pin.Version, trained.ToString(), binding.Reference, input.Name));
        }
    }
}
