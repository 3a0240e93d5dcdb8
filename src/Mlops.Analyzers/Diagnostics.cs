using Microsoft.CodeAnalysis;

namespace Mlops.Analyzers;

/// <summary>The categories of the analyzers' diagnostics.</summary>
internal static class Categories
{
    public const string FeatureSets = "Mlops.FeatureSets";
    public const string Models = "Mlops.Models";
    public const string Declarations = "Mlops.Declarations";
}

/// <summary>
/// Every diagnostic the analyzers report about C# code against the declarations: the MLOPS1xxx block.
/// Each help link is the id's page, docs/diagnostics/ID.md. The declaration files' own findings
/// (MLOPS0xxx) are reported with the ids <c>mlops validate</c> uses, see <see cref="DeclarationDescriptors"/>.
/// </summary>
internal static class Diagnostics
{
    /// <summary>Where the id pages live; the help link is this plus <c>ID.md</c>.</summary>
    public const string HelpLinkBase = Mlops.Declarations.Diagnostics.DiagnosticIds.HelpLinkBase;

    public static readonly DiagnosticDescriptor FeatureSetNotDeclared = Create("MLOPS1001",
        "Feature set named in [FeatureSet] is not declared",
        "Feature set '{0}' is not declared in features/; {1}",
        Categories.FeatureSets);

    public static readonly DiagnosticDescriptor FeatureSetVersionNotDeclared = Create("MLOPS1002",
        "Feature set version in [FeatureSet] is not declared",
        "Feature set '{0}@{1}' does not exist; features/ declares {2}. Use version {3}, or declare version {1}.",
        Categories.FeatureSets);

    public static readonly DiagnosticDescriptor FeatureMissing = Create("MLOPS1003",
        "Type bound to a feature set lacks a declared feature",
        "'{0}' is bound to {1} but has no member for feature '{2}' ({3}); add it",
        Categories.FeatureSets);

    public static readonly DiagnosticDescriptor MemberNotAFeature = Create("MLOPS1004",
        "Type bound to a feature set has a member that is not a feature",
        "'{0}' is not a feature of {1}, so the model would get a column it was not trained on; {2}",
        Categories.FeatureSets);

    public static readonly DiagnosticDescriptor FeatureTypeMismatch = Create("MLOPS1005",
        "Member type differs from the declared feature",
        "'{0}' is '{1}' but feature '{2}' of {3} is {4}; declare it as '{5}'",
        Categories.FeatureSets);

    public static readonly DiagnosticDescriptor ModelNotDeclared = Create("MLOPS1006",
        "Model is not declared",
        "Model '{0}' is not declared in models/; {1}",
        Categories.Models);

    public static readonly DiagnosticDescriptor ModelFeatureSetMismatch = Create("MLOPS1007",
        "Model input type is bound to another feature set",
        "Model '{0}' is trained on {1} ({2}), but '{3}' is bound to {4}; use a type bound to {1}",
        Categories.Models);

    public static readonly DiagnosticDescriptor ServingSkew = Create("MLOPS1008",
        "Environment serves a version trained on another feature set version",
        "Environment '{0}' serves '{1}' v{2}, trained on {3}, but this code sends {4} ('{5}'); bind the input to {3}, or promote a version trained on {4}",
        Categories.Models);

    public static readonly DiagnosticDescriptor FeatureTransformMissing = Create("MLOPS1009",
        "Feature computed by code has no [FeatureTransform] method",
        "Feature '{0}' of {1} is declared 'transform: code' but no method is marked [FeatureTransform(\"{2}\", \"{0}\")]; add one",
        Categories.FeatureSets, compilationEnd: true);

    public static readonly DiagnosticDescriptor FeatureTransformDuplicated = Create("MLOPS1010",
        "Feature computed by code has more than one [FeatureTransform] method",
        "Feature '{0}' of feature set '{1}' is also computed by '{2}'; keep one [FeatureTransform] method so training and serving call the same code",
        Categories.FeatureSets, compilationEnd: true);

    public static readonly DiagnosticDescriptor FeatureTransformNotDeclared = Create("MLOPS1011",
        "[FeatureTransform] names a feature that is not computed by code",
        "[FeatureTransform] names '{0}' of feature set '{1}', {2}",
        Categories.FeatureSets);

    public static readonly DiagnosticDescriptor EnvironmentNotDeclared = Create("MLOPS1012",
        "MlopsEnvironment names an environment that is not declared",
        "MlopsEnvironment is '{0}', which is not declared in environments/; {1}",
        Categories.Models, compilationEnd: true);

    /// <summary>The help link of an id: its page in docs/diagnostics/.</summary>
    public static string HelpLink(string id) => Mlops.Declarations.Diagnostics.DiagnosticIds.HelpLink(id);

    private static DiagnosticDescriptor Create(string id, string title, string message, string category,
        bool compilationEnd = false) =>
        new(id, title, message, category, DiagnosticSeverity.Error, isEnabledByDefault: true, helpLinkUri: HelpLink(id),
            customTags: compilationEnd ? [WellKnownDiagnosticTags.CompilationEnd] : []);
}
