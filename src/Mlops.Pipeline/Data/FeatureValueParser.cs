using System.Globalization;
using Mlops.Declarations.FeatureSets;

namespace Mlops.Pipeline.Data;

/// <summary>Reads a CSV field as the declared type. Empty fields are missing values.</summary>
public static class FeatureValueParser
{
    /// <summary>Reads a number; false for anything that is not a finite number.</summary>
    public static bool TryParseNumber(string text, out double value) =>
        double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out value) && double.IsFinite(value);

    /// <summary>Reads a boolean written 1/0, true/false or yes/no (any case).</summary>
    public static bool TryParseBool(string text, out bool value)
    {
        switch (text.Trim().ToLowerInvariant())
        {
            case "1" or "true" or "yes":
                value = true;
                return true;
            case "0" or "false" or "no":
                value = false;
                return true;
            default:
                value = false;
                return false;
        }
    }

    /// <summary>Whether a field has the declared type (category membership is checked separately).</summary>
    public static bool HasType(Feature feature, string text) => feature.Type switch
    {
        FeatureType.Float => TryParseNumber(text, out _),
        FeatureType.Int => TryParseNumber(text, out var n) && Math.Floor(n) == n,
        FeatureType.Bool => TryParseBool(text, out _),
        _ => true,
    };
}
