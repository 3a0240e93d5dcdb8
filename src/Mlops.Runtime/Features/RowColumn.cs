using Mlops.Declarations.FeatureSets;

namespace Mlops.Runtime.Features;

/// <summary>How a feature is held in a row: a number or text.</summary>
public enum RowColumnKind
{
    /// <summary>
    /// A <see cref="float"/> (ML.NET <c>Single</c>): float and int features, and bool features as
    /// 1 (true) and 0 (false). A missing value is <see cref="float.NaN"/>.
    /// </summary>
    Number,

    /// <summary>A <see cref="string"/>: category and text features. A missing value is null or empty.</summary>
    Text,
}

/// <summary>One column of a feature row.</summary>
/// <param name="Name">The feature's name, also the ML.NET column name.</param>
/// <param name="Kind">How its value is held.</param>
public sealed record RowColumn(string Name, RowColumnKind Kind)
{
    /// <summary>The CLR type of the field: <see cref="float"/> or <see cref="string"/>.</summary>
    public Type ClrType => Kind == RowColumnKind.Number ? typeof(float) : typeof(string);

    /// <summary>The column a declared feature becomes.</summary>
    public static RowColumn For(Feature feature)
    {
        ArgumentNullException.ThrowIfNull(feature);
        return new RowColumn(feature.Name, feature.Type is FeatureType.Category or FeatureType.Text ? RowColumnKind.Text : RowColumnKind.Number);
    }
}
