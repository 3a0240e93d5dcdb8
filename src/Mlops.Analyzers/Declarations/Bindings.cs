using System.Linq;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace Mlops.Analyzers.Declarations;

/// <summary>A type's <c>[FeatureSet("name", version)]</c>, read from its attribute.</summary>
internal sealed record Binding(string Name, int Version, AttributeData Attribute)
{
    public string Reference => Name + "@" + Version.ToString(System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>The binding of a type, or null when it has no well-formed [FeatureSet].</summary>
    public static Binding? Of(ITypeSymbol type, INamedTypeSymbol featureSetAttribute)
    {
        foreach (var attribute in type.GetAttributes())
        {
            if (SymbolEqualityComparer.Default.Equals(attribute.AttributeClass, featureSetAttribute)
                && attribute.ConstructorArguments.Length == 2
                && attribute.ConstructorArguments[0].Value is string name
                && attribute.ConstructorArguments[1].Value is int version)
            {
                return new Binding(name, version, attribute);
            }
        }

        return null;
    }

    /// <summary>The location of the attribute's argument at <paramref name="index"/>, else of the attribute.</summary>
    public Location ArgumentLocation(int index, System.Threading.CancellationToken cancellationToken)
    {
        if (Attribute.ApplicationSyntaxReference?.GetSyntax(cancellationToken) is not AttributeSyntax syntax)
        {
            return Location.None;
        }

        return syntax.ArgumentList?.Arguments.ElementAtOrDefault(index) is { } argument ? argument.GetLocation() : syntax.GetLocation();
    }
}
