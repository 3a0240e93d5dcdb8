using System.Globalization;
using System.Text.Json;

namespace Mlops.Runtime.Scoring;

/// <summary>
/// Turns a request value into a row field. Numbers accept any CLR number, a bool (1 or 0), a
/// numeric string, a bool word (true/false, yes/no, 1/0, any case) and their JSON forms; text accepts
/// strings, and numbers or bools written invariantly. Null, an empty string and JSON null are missing.
/// </summary>
public static class FeatureValues
{
    /// <summary>Reads a number column's value; false when it is not one.</summary>
    public static bool TryToNumber(object? value, out float number)
    {
        switch (value)
        {
            case null:
                number = float.NaN;
                return true;
            case float f:
                number = f;
                return true;
            case double d:
                number = (float)d;
                return true;
            case bool b:
                number = b ? 1f : 0f;
                return true;
            case string s:
                return TryParseNumber(s, out number);
            case JsonElement json:
                return TryToNumber(json, out number);
            case IConvertible convertible when value is byte or sbyte or short or ushort or int or uint or long or ulong or decimal:
                number = convertible.ToSingle(CultureInfo.InvariantCulture);
                return true;
            default:
                number = float.NaN;
                return false;
        }
    }

    /// <summary>Reads a text column's value; false when it is not text, a number or a bool.</summary>
    public static bool TryToText(object? value, out string? text)
    {
        switch (value)
        {
            case null:
                text = null;
                return true;
            case string s:
                text = s.Length == 0 ? null : s;
                return true;
            case bool b:
                text = b ? "true" : "false";
                return true;
            case JsonElement json:
                return TryToText(json, out text);
            case IFormattable formattable when value is float or double or decimal or byte or sbyte or short or ushort or int or uint or long or ulong:
                text = formattable.ToString(null, CultureInfo.InvariantCulture);
                return true;
            default:
                text = null;
                return false;
        }
    }

    private static bool TryToNumber(JsonElement json, out float number)
    {
        switch (json.ValueKind)
        {
            case JsonValueKind.Number when json.TryGetDouble(out var d):
                number = (float)d;
                return true;
            case JsonValueKind.True:
                number = 1f;
                return true;
            case JsonValueKind.False:
                number = 0f;
                return true;
            case JsonValueKind.Null or JsonValueKind.Undefined:
                number = float.NaN;
                return true;
            case JsonValueKind.String:
                return TryParseNumber(json.GetString()!, out number);
            default:
                number = float.NaN;
                return false;
        }
    }

    private static bool TryToText(JsonElement json, out string? text)
    {
        switch (json.ValueKind)
        {
            case JsonValueKind.String:
                var s = json.GetString();
                text = string.IsNullOrEmpty(s) ? null : s;
                return true;
            case JsonValueKind.Null or JsonValueKind.Undefined:
                text = null;
                return true;
            case JsonValueKind.Number or JsonValueKind.True or JsonValueKind.False:
                text = json.GetRawText();
                return true;
            default:
                text = null;
                return false;
        }
    }

    private static bool TryParseNumber(string text, out float number)
    {
        var trimmed = text.Trim();
        if (trimmed.Length == 0)
        {
            number = float.NaN;
            return true;
        }

        if (double.TryParse(trimmed, NumberStyles.Float, CultureInfo.InvariantCulture, out var d) && double.IsFinite(d))
        {
            number = (float)d;
            return true;
        }

        switch (trimmed.ToLowerInvariant())
        {
            case "true" or "yes":
                number = 1f;
                return true;
            case "false" or "no":
                number = 0f;
                return true;
            default:
                number = float.NaN;
                return false;
        }
    }
}
