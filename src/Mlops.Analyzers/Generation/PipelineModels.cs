namespace Mlops.Analyzers.Generation;

// The generator's pipeline carries only these: strings, numbers and EquatableArray. No symbols,
// syntax nodes or locations, so an unchanged input compares equal and its steps are cached.

/// <summary>A feature set version read from features/*.yaml.</summary>
internal sealed record FeatureSetModel(string Name, int Version, string Path, string SchemaDigest, EquatableArray<FeatureModel> Features);

/// <summary>One data feature: its name, the C# type of its member, whether missing values are allowed, and its description.</summary>
internal sealed record FeatureModel(string Name, string PropertyName, string ClrType, bool IsNumber, bool IsNullable, string Kind, string? Description);

/// <summary>A model read from models/*.yaml.</summary>
internal sealed record ModelFileModel(string Name, string Path, string FeatureSetName, int FeatureSetVersion);

/// <summary>What one declaration file contributes: a feature set version, a model, or nothing.</summary>
internal sealed record DeclarationFileModel(FeatureSetModel? FeatureSet, ModelFileModel? Model);

/// <summary>A type marked <c>[FeatureSet("name", version)]</c>.</summary>
/// <param name="Namespace">Its namespace, empty for the global one.</param>
/// <param name="ContainingTypes">Declarations of the types around it, outermost first (<c>partial class Outer</c>).</param>
/// <param name="Keyword">record, record struct, class or struct.</param>
/// <param name="Name">Its name.</param>
/// <param name="FullName">Its fully qualified name with <c>global::</c>.</param>
/// <param name="IsPartial">Whether every declaration is partial; only then are members generated.</param>
/// <param name="SetName">The feature set it names.</param>
/// <param name="Version">The version it names.</param>
/// <param name="ExistingMembers">Member names written by hand, which the generator leaves alone.</param>
internal sealed record BoundTypeModel(
    string Namespace,
    EquatableArray<string> ContainingTypes,
    string Keyword,
    string Name,
    string FullName,
    bool IsPartial,
    string SetName,
    int Version,
    EquatableArray<string> ExistingMembers)
{
    public string HintName => FullName.Replace("global::", "").Replace('<', '_').Replace('>', '_') + ".FeatureSet.g.cs";
}
