using System.Collections.Generic;

namespace Mlops.Declarations.Repository;

/// <summary>The three kinds of declaration file, each in its own top-level folder.</summary>
public enum DeclarationKind
{
    /// <summary><c>features/</c>.</summary>
    FeatureSet,

    /// <summary><c>models/</c>.</summary>
    Model,

    /// <summary><c>environments/</c>.</summary>
    Environment,
}

/// <summary>The repository convention: which folder holds which kind.</summary>
public static class RepositoryLayout
{
    /// <summary>The folder of feature sets.</summary>
    public const string FeaturesFolder = "features";

    /// <summary>The folder of model declarations.</summary>
    public const string ModelsFolder = "models";

    /// <summary>The folder of environments.</summary>
    public const string EnvironmentsFolder = "environments";

    /// <summary>The three folders declarations are read from, in the order they are read.</summary>
    public static IReadOnlyList<string> Folders { get; } = [FeaturesFolder, ModelsFolder, EnvironmentsFolder];

    /// <summary>The kind a repository-relative path declares, or null when it is not a declaration file.</summary>
    public static DeclarationKind? KindOf(string relativePath)
    {
        var path = relativePath.Replace('\\', '/');
        if (!(path.EndsWith(".yaml", System.StringComparison.OrdinalIgnoreCase) || path.EndsWith(".yml", System.StringComparison.OrdinalIgnoreCase)))
        {
            return null;
        }

        var slash = path.IndexOf('/');
        return slash < 0 ? null : path.Substring(0, slash) switch
        {
            FeaturesFolder => DeclarationKind.FeatureSet,
            ModelsFolder => DeclarationKind.Model,
            EnvironmentsFolder => DeclarationKind.Environment,
            _ => null,
        };
    }
}
