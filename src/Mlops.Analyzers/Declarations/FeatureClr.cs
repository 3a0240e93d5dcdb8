using System.Globalization;
using System.Text;
using Mlops.Declarations.FeatureSets;

namespace Mlops.Analyzers.Declarations;

/// <summary>
/// How a feature looks in C#, the same as the runtime's input row (Mlops.Runtime.Scoring.FeatureRowType):
/// float, int and bool features are <c>float</c> (bool as 1/0, a missing value as NaN, since ML.NET
/// has no nullable columns); category and text features are <c>string</c>, <c>string?</c> when nullable.
/// </summary>
internal static class FeatureClr
{
    public static bool IsNumber(FeatureType type) => type is FeatureType.Float or FeatureType.Int or FeatureType.Bool;

    /// <summary>The C# type a member for the feature must have, as written in source.</summary>
    public static string TypeName(FeatureType type, bool nullable) => IsNumber(type) ? "float" : nullable ? "string?" : "string";

    /// <summary>The feature's declared type and nullability, for messages.</summary>
    public static string Describe(FeatureType type, bool nullable) =>
        type.ToString().ToLowerInvariant() + (nullable ? ", nullable" : "");

    /// <summary><c>monthly_charges</c> to <c>MonthlyCharges</c>.</summary>
    public static string PropertyName(string feature)
    {
        var builder = new StringBuilder(feature.Length);
        var upper = true;
        foreach (var c in feature)
        {
            if (!char.IsLetterOrDigit(c))
            {
                upper = true;
                continue;
            }

            builder.Append(upper ? char.ToUpper(c, CultureInfo.InvariantCulture) : c);
            upper = false;
        }

        if (builder.Length == 0 || char.IsDigit(builder[0]))
        {
            builder.Insert(0, 'F');
        }

        return builder.ToString();
    }
}
