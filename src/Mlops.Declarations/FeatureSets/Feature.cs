using System.Collections.Generic;

namespace Mlops.Declarations.FeatureSets;

/// <summary>One declared feature.</summary>
/// <param name="Name">The column name in data and the field name in requests.</param>
/// <param name="Type">The declared type.</param>
/// <param name="Nullable">Whether values may be missing.</param>
/// <param name="Min">The smallest allowed value, for numbers.</param>
/// <param name="Max">The largest allowed value, for numbers.</param>
/// <param name="Values">The allowed values, for categories; empty otherwise.</param>
/// <param name="Fill">How missing values are filled; <see cref="FillStrategy.None"/> if not declared.</param>
/// <param name="OnUnknown">What serving does with an undeclared category.</param>
/// <param name="Source">Whether the value comes from data or from code.</param>
/// <param name="Description">Free text for people.</param>
public sealed record Feature(
    string Name,
    FeatureType Type,
    bool Nullable,
    double? Min,
    double? Max,
    IReadOnlyList<string> Values,
    FillStrategy Fill,
    UnknownCategoryPolicy OnUnknown,
    FeatureSource Source,
    string? Description)
{
    /// <summary>What the prediction log does with the value (personal data); <see cref="FeatureSensitivity.None"/> keeps it.</summary>
    public FeatureSensitivity Sensitive { get; init; }

    /// <summary>True for float and int features.</summary>
    public bool IsNumeric => Type is FeatureType.Float or FeatureType.Int;
}
