using System.Globalization;
using System.Text.Json;
using Mlops.Declarations.FeatureSets;

namespace Mlops.Runtime.Serving;

/// <summary>One input of a bundle as request checking needs it, and the rules a value of it must meet.</summary>
/// <param name="Name">The feature's name.</param>
/// <param name="Index">Its column.</param>
/// <param name="Type">Its declared type.</param>
/// <param name="Nullable">Whether it may be null.</param>
/// <param name="Categories">Its declared categories (empty unless a category feature).</param>
/// <param name="OnUnknown">What an undeclared category does.</param>
internal sealed record SchemaInput(string Name, int Index, FeatureType Type, bool Nullable, CategoryLookup Categories, UnknownCategoryPolicy OnUnknown)
{
    /// <summary>The message for a null where the feature is not nullable.</summary>
    public const string NotNullable = "is null, but the feature is not nullable. Send a value.";

    /// <summary>Whether the feature is held as text (category and text features).</summary>
    public bool IsText => Type is FeatureType.Category or FeatureType.Text;

    /// <summary>Whether the feature is a number (float and int features; not bool).</summary>
    public bool IsNumber => Type is FeatureType.Float or FeatureType.Int;

    /// <summary>Converts a value to its column's form (number, or text), or says what is wrong with it.</summary>
    public string? Convert(object? value, out float number, out string? text)
    {
        number = float.NaN;
        text = null;
        if (value is JsonElement json)
        {
            value = json.ValueKind switch
            {
                JsonValueKind.Null or JsonValueKind.Undefined => null,
                JsonValueKind.String => json.GetString(),
                JsonValueKind.True => true,
                JsonValueKind.False => false,
                JsonValueKind.Number => json.TryGetDouble(out var d) ? d : double.NaN,
                _ => json,
            };
            if (value is JsonElement other)
            {
                return $"expected {Expected(Type)}, got a JSON {other.ValueKind.ToString().ToLowerInvariant()}.";
            }
        }

        if (value is null)
        {
            return Nullable ? null : NotNullable;
        }

        switch (Type)
        {
            case FeatureType.Float or FeatureType.Int:
                double x;
                switch (value)
                {
                    case double d: x = d; break;
                    case float f: x = f; break;
                    case int or long or short or byte or decimal: x = System.Convert.ToDouble(value, CultureInfo.InvariantCulture); break;
                    default: return $"expected {Expected(Type)}, got {Describe(value)}.";
                }

                if (!double.IsFinite(x))
                {
                    return "is NaN or infinite; send a finite number, or null when the feature is nullable.";
                }

                if (Type == FeatureType.Int && x != Math.Floor(x))
                {
                    return $"expected an integer, got {x.ToString(CultureInfo.InvariantCulture)}.";
                }

                number = (float)x;
                return null;
            case FeatureType.Bool:
                if (value is bool b)
                {
                    number = b ? 1f : 0f;
                    return null;
                }

                return $"expected true or false, got {Describe(value)}.";
            case FeatureType.Category:
                if (value is not string category)
                {
                    return $"expected one of the categories as a string, got {Describe(value)}.";
                }

                if (Categories.CodeOf(category) < 0 && OnUnknown == UnknownCategoryPolicy.Reject)
                {
                    return Unknown(category);
                }

                text = category;
                return null;
            default:
                if (value is not string other)
                {
                    return $"expected a string, got {Describe(value)}.";
                }

                text = other;
                return null;
        }
    }

    /// <summary>The message for a category that is not declared, when the feature rejects those.</summary>
    public string Unknown(string category) =>
        $"'{category}' is not a known category ({string.Join(", ", Categories.Declared.Order(StringComparer.Ordinal).Select(c => $"'{c}'"))}), and the feature set rejects unknown categories (onUnknown: reject).";

    private static string Expected(FeatureType type) => type switch
    {
        FeatureType.Float => "a number",
        FeatureType.Int => "an integer",
        FeatureType.Bool => "true or false",
        FeatureType.Category => "a category string",
        _ => "a string",
    };

    private static string Describe(object value) => value switch
    {
        string s => $"the string \"{(s.Length > 40 ? s[..40] + "..." : s)}\"",
        bool b => b ? "true" : "false",
        IFormattable f => $"the number {f.ToString(null, CultureInfo.InvariantCulture)}",
        _ => value.GetType().Name,
    };
}
