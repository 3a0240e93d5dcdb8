using System.Globalization;
using System.Runtime.CompilerServices;
using System.Text.Json;
using Mlops.Declarations.Diagnostics;
using Mlops.Declarations.FeatureSets;

namespace Mlops.Runtime.Features;

/// <summary>
/// One feature as a model takes it, and the one set of rules that turns a value into the model's
/// value: a CSV field (text), a JSON value or a CLR value. Validation, training, evaluation, warm-up,
/// batch scoring and serving all read values through here, so a value means the same everywhere
/// and a bad one is the same diagnostic everywhere (docs/file-formats.md, "Feature values").
/// </summary>
/// <remarks>
/// The rules, decided once: nothing is trimmed; numbers are read culture-invariantly (sign, digits,
/// decimal point, exponent; no spaces, no thousands separators) and must be finite and fit a float;
/// an int must be whole; declared <c>min</c>/<c>max</c> hold everywhere; a bool is <c>true</c>/<c>false</c>
/// in JSON and CLR, and 1/0, true/false or yes/no (any case) in text; a category must be declared
/// unless the feature says <c>onUnknown: ignore</c>; an empty text or a null is missing, which only a
/// nullable feature allows. A JSON or CLR value must have the kind the feature takes: a number for
/// float and int, a bool for bool, a string for category and text.
/// </remarks>
public sealed class FeatureInput
{
    private const int QuotedLength = 40;

    private static readonly double[] s_powersOfTen = [1, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15];

    private readonly double _low;
    private readonly double _high;

    /// <summary>Describes one feature.</summary>
    /// <param name="name">The feature's name.</param>
    /// <param name="index">Its column in a batch.</param>
    /// <param name="type">Its declared type.</param>
    /// <param name="nullable">Whether a value may be missing.</param>
    /// <param name="categories">The declared categories (category features; empty otherwise).</param>
    /// <param name="onUnknown">What an undeclared category does.</param>
    /// <param name="min">The declared minimum, if any (numbers).</param>
    /// <param name="max">The declared maximum, if any (numbers).</param>
    public FeatureInput(string name, int index, FeatureType type, bool nullable, IReadOnlyList<string> categories, UnknownCategoryPolicy onUnknown, double? min, double? max)
    {
        ArgumentNullException.ThrowIfNull(name);
        ArgumentNullException.ThrowIfNull(categories);
        Name = name;
        Index = index;
        Type = type;
        Nullable = nullable;
        Categories = new CategoryLookup(type == FeatureType.Category ? categories : []);
        OnUnknown = onUnknown;
        Min = IsNumber ? min : null;
        Max = IsNumber ? max : null;
        _low = Min ?? double.NegativeInfinity;
        _high = Max ?? double.PositiveInfinity;
    }

    /// <summary>The feature's name.</summary>
    public string Name { get; }

    /// <summary>Its column in a batch.</summary>
    public int Index { get; }

    /// <summary>Its declared type.</summary>
    public FeatureType Type { get; }

    /// <summary>Whether a value may be missing.</summary>
    public bool Nullable { get; }

    /// <summary>What an undeclared category does.</summary>
    public UnknownCategoryPolicy OnUnknown { get; }

    /// <summary>What the prediction log does with the value (personal data): keep, drop or hash it.</summary>
    public FeatureSensitivity Sensitivity { get; init; }

    /// <summary>The declared minimum (numbers), if any.</summary>
    public double? Min { get; }

    /// <summary>The declared maximum (numbers), if any.</summary>
    public double? Max { get; }

    /// <summary>Whether the feature is held as text (category and text features).</summary>
    public bool IsText => Type is FeatureType.Category or FeatureType.Text;

    /// <summary>Whether the feature is a number (float and int features; not bool).</summary>
    public bool IsNumber => Type is FeatureType.Float or FeatureType.Int;

    /// <summary>How its value is held in a row: a number (float, int, bool) or text (category, text).</summary>
    public RowColumnKind Kind => IsText ? RowColumnKind.Text : RowColumnKind.Number;

    /// <summary>The declared categories and their codes.</summary>
    internal CategoryLookup Categories { get; }

    /// <summary>Reads a field of a text file (CSV): the empty field is missing.</summary>
    /// <param name="text">The field, unquoted.</param>
    /// <param name="value">The model's value; meaningful only when there is no problem.</param>
    /// <returns>Null when the value fits, else what is wrong.</returns>
    public ValueProblem? ReadText(string text, out FeatureValue value)
    {
        ArgumentNullException.ThrowIfNull(text);
        return ReadText(text, text, out value);
    }

    /// <summary>
    /// Reads a field of a text file (CSV) given as a span of the reader's buffer: the same rules as
    /// <see cref="ReadText(string, out FeatureValue)"/>, which comes through here. A string is made only
    /// where the value needs one: a text feature, an undeclared category, a message.
    /// </summary>
    /// <param name="text">The field, unquoted.</param>
    /// <param name="value">The model's value; meaningful only when there is no problem.</param>
    /// <returns>Null when the value fits, else what is wrong.</returns>
    public ValueProblem? ReadText(ReadOnlySpan<char> text, out FeatureValue value) => ReadText(text, null, out value);

    /// <summary>Reads a number given as a number (JSON or CLR).</summary>
    /// <param name="number">The number.</param>
    /// <param name="value">The model's value; meaningful only when there is no problem.</param>
    /// <returns>Null when the value fits, else what is wrong.</returns>
    public ValueProblem? ReadNumber(double number, out FeatureValue value) => ReadNumber(number, null, out value);

    /// <summary>Reads a bool given as a bool (JSON or CLR).</summary>
    /// <param name="flag">The bool.</param>
    /// <param name="value">The model's value; meaningful only when there is no problem.</param>
    /// <returns>Null when the value fits, else what is wrong.</returns>
    public ValueProblem? ReadBool(bool flag, out FeatureValue value)
    {
        if (Type == FeatureType.Bool)
        {
            value = FeatureValue.OfNumber(flag ? 1f : 0f);
            return null;
        }

        value = default;
        return WrongKind(flag ? "true" : "false");
    }

    /// <summary>Reads a string given as a string (JSON or CLR): the empty string and null are missing.</summary>
    /// <param name="text">The string.</param>
    /// <param name="value">The model's value; meaningful only when there is no problem.</param>
    /// <returns>Null when the value fits, else what is wrong.</returns>
    public ValueProblem? ReadString(string? text, out FeatureValue value)
    {
        if (string.IsNullOrEmpty(text))
        {
            return ReadMissing(out value);
        }

        if (IsText)
        {
            return ReadWord(text, text, out value);
        }

        value = default;
        return WrongKind(Quote(text));
    }

    /// <summary>Reads a missing value (null, an empty field).</summary>
    /// <param name="value">The model's missing value.</param>
    /// <returns>Null when the feature is nullable, else the problem.</returns>
    public ValueProblem? ReadMissing(out FeatureValue value)
    {
        value = FeatureValue.Missing;
        return Nullable ? null : Problem(DiagnosticIds.NullViolation, "is missing, but the feature is not nullable. Send a value.");
    }

    /// <summary>
    /// Reads a value of any kind: null, a CLR number, bool or string, or a <see cref="JsonElement"/>;
    /// the same rules as the typed readers.
    /// </summary>
    /// <param name="boxed">The value.</param>
    /// <param name="value">The model's value; meaningful only when there is no problem.</param>
    /// <returns>Null when the value fits, else what is wrong.</returns>
    public ValueProblem? ReadObject(object? boxed, out FeatureValue value)
    {
        switch (boxed)
        {
            case null:
                return ReadMissing(out value);
            case JsonElement json:
                return ReadJson(json, out value);
            case string s:
                return ReadString(s, out value);
            case bool b:
                return ReadBool(b, out value);
            case double d:
                return ReadNumber(d, out value);
            case float f:
                return ReadNumber(f, out value);
            case byte or sbyte or short or ushort or int or uint or long or ulong or decimal:
                return ReadNumber(Convert.ToDouble(boxed, CultureInfo.InvariantCulture), out value);
            default:
                value = default;
                return WrongKind($"a {boxed.GetType().Name}");
        }
    }

    /// <summary>Reads a JSON value; the same rules as the typed readers.</summary>
    /// <param name="json">The value.</param>
    /// <param name="value">The model's value; meaningful only when there is no problem.</param>
    /// <returns>Null when the value fits, else what is wrong.</returns>
    public ValueProblem? ReadJson(JsonElement json, out FeatureValue value)
    {
        switch (json.ValueKind)
        {
            case JsonValueKind.Null or JsonValueKind.Undefined:
                return ReadMissing(out value);
            case JsonValueKind.True or JsonValueKind.False:
                return ReadBool(json.ValueKind == JsonValueKind.True, out value);
            case JsonValueKind.Number:
                return ReadNumber(json.TryGetDouble(out var d) ? d : double.PositiveInfinity, json.GetRawText(), out value);
            case JsonValueKind.String:
                string? text;
                try
                {
                    text = json.GetString();
                }
                catch (InvalidOperationException)
                {
                    value = default;
                    return NotUnicode;
                }

                return ReadString(text, out value);
            default:
                value = default;
                return WrongKind($"a JSON {json.ValueKind.ToString().ToLowerInvariant()}");
        }
    }

    /// <summary>
    /// The problem of a string that is not Unicode text: invalid UTF-8, or an escaped lone surrogate
    /// (<c>\ud800</c>). Readers of raw JSON report it for the field that holds such a string.
    /// </summary>
    public static ValueProblem NotUnicode { get; } = new(DiagnosticIds.ValueTypeViolation,
        "holds a string that is not valid Unicode (invalid UTF-8, or a lone surrogate such as \\ud800). Send UTF-8 text.");

    /// <summary>Whether a number passes every rule of this feature at once (the fast path of batch checks).</summary>
    /// <param name="number">The number.</param>
    internal bool Fits(double number) =>
        number >= _low && number <= _high && float.IsFinite((float)number) && (Type != FeatureType.Int || number == Math.Floor(number));

    /// <summary>Reads a number written as text the way every data file and request is read: invariant, no spaces, no separators.</summary>
    /// <param name="text">The text.</param>
    /// <param name="number">The number; may be NaN or infinite when the text spells those.</param>
    public static bool TryParseNumber(ReadOnlySpan<char> text, out double number) =>
        TryParsePlainDecimal(text, out number)
        || double.TryParse(text, NumberStyles.AllowLeadingSign | NumberStyles.AllowDecimalPoint | NumberStyles.AllowExponent, CultureInfo.InvariantCulture, out number);

    /// <summary>
    /// The usual spelling of a number in a data file (<c>29.85</c>, <c>-3</c>, <c>.5</c>: a sign, at most 15
    /// digits, a decimal point, no exponent), read to exactly the double <see cref="double.TryParse(ReadOnlySpan{char}, NumberStyles, IFormatProvider, out double)"/>
    /// gives, several times faster. Such digits are an exact double and so is the power of ten
    /// (at most 10^15), so one IEEE division is the correctly rounded value (Clinger's fast path, the
    /// one .NET takes inside double.Parse too). Anything else is left to double.TryParse.
    /// </summary>
    private static bool TryParsePlainDecimal(ReadOnlySpan<char> text, out double number)
    {
        number = 0;
        var i = 0;
        var negative = false;
        if (text.Length > 0 && text[0] is '-' or '+')
        {
            negative = text[0] == '-';
            i = 1;
        }

        long digits = 0;
        var count = 0;
        var decimals = -1;
        for (; i < text.Length; i++)
        {
            var c = text[i];
            if (char.IsAsciiDigit(c))
            {
                if (count == 15)
                {
                    return false;
                }

                digits = (digits * 10) + (c - '0');
                count++;
                if (decimals >= 0)
                {
                    decimals++;
                }
            }
            else if (c == '.' && decimals < 0)
            {
                decimals = 0;
            }
            else
            {
                return false;
            }
        }

        if (count == 0)
        {
            return false;
        }

        var value = decimals > 0 ? digits / s_powersOfTen[decimals] : digits;
        number = negative ? -value : value;
        return true;
    }

    /// <summary>Reads a bool written as text: 1/0, true/false or yes/no, in any case.</summary>
    /// <param name="text">The text.</param>
    /// <param name="flag">The bool.</param>
    public static bool TryParseBool(ReadOnlySpan<char> text, out bool flag)
    {
        if (text is "1" || text.Equals("true", StringComparison.OrdinalIgnoreCase) || text.Equals("yes", StringComparison.OrdinalIgnoreCase))
        {
            flag = true;
            return true;
        }

        flag = false;
        return text is "0" || text.Equals("false", StringComparison.OrdinalIgnoreCase) || text.Equals("no", StringComparison.OrdinalIgnoreCase);
    }

    /// <summary>A value quoted for a message: cut after 40 characters, control and invisible characters escaped as every diagnostic escapes them.</summary>
    /// <param name="text">The value.</param>
    public static string Quote(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var cut = text.Length > QuotedLength;
        var shown = DiagnosticText.Escape(cut ? text[..QuotedLength] : text).Replace("\"", "\\\"", StringComparison.Ordinal);
        return "\"" + shown + (cut ? "\"..." : "\"");
    }

    /// <summary>The text rules; <paramref name="written"/> is the field as a string when the caller has one (it is kept rather than copied).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private ValueProblem? ReadText(ReadOnlySpan<char> text, string? written, out FeatureValue value)
    {
        if (text.IsEmpty)
        {
            return ReadMissing(out value);
        }

        switch (Type)
        {
            case FeatureType.Float or FeatureType.Int:
                if (!TryParseNumber(text, out var number))
                {
                    value = default;
                    return Problem(DiagnosticIds.ValueTypeViolation, $"expected a number, got {Quote(written ?? text.ToString())}.");
                }

                if (Fits(number))
                {
                    value = FeatureValue.OfNumber((float)number);
                    return null;
                }

                return ReadNumber(number, Quote(written ?? text.ToString()), out value);
            case FeatureType.Bool:
                if (TryParseBool(text, out var flag))
                {
                    return ReadBool(flag, out value);
                }

                value = default;
                return Problem(DiagnosticIds.ValueTypeViolation, $"expected a bool (1/0, true/false or yes/no), got {Quote(written ?? text.ToString())}.");
            default:
                return ReadWord(text, written, out value);
        }
    }

    /// <summary>A category or a text, not empty; a string is made only for a text or an undeclared category.</summary>
    private ValueProblem? ReadWord(ReadOnlySpan<char> text, string? written, out FeatureValue value)
    {
        if (Type == FeatureType.Text)
        {
            value = FeatureValue.OfText(written ?? text.ToString());
            return null;
        }

        var code = Categories.CodeOf(text);
        if (code >= 0)
        {
            value = FeatureValue.OfCode(code);
            return null;
        }

        var category = written ?? text.ToString();
        value = FeatureValue.OfUndeclared(category);
        return OnUnknown == UnknownCategoryPolicy.Reject ? Unknown(category) : null;
    }

    /// <summary>The message for a category that is not declared, when the feature rejects those.</summary>
    private ValueProblem Unknown(string category) => Problem(
        DiagnosticIds.CategoryViolation,
        $"{Quote(category)} is not a declared category ({string.Join(", ", Categories.Declared.Select(Quote))}), and the feature rejects others (onUnknown: reject).");

    private ValueProblem? ReadNumber(double number, string? written, out FeatureValue value)
    {
        if (IsNumber && Fits(number))
        {
            value = FeatureValue.OfNumber((float)number);
            return null;
        }

        value = default;
        var shown = written ?? number.ToString(CultureInfo.InvariantCulture);
        if (!IsNumber)
        {
            return WrongKind(shown);
        }

        if (!double.IsFinite(number))
        {
            return Problem(DiagnosticIds.ValueTypeViolation, $"got {shown}, which is not a finite number. Send a finite number{(Nullable ? ", or null for a missing value" : "")}.");
        }

        if (!float.IsFinite((float)number))
        {
            return Problem(DiagnosticIds.ValueTypeViolation, $"got {shown}, beyond the range of a float (about ±3.4E+38). Send a smaller number.");
        }

        if (Type == FeatureType.Int && number != Math.Floor(number))
        {
            return Problem(DiagnosticIds.ValueTypeViolation, $"expected a whole number, got {shown}.");
        }

        return Problem(DiagnosticIds.RangeViolation, $"got {shown}, outside the declared range [{Bound(Min)}, {Bound(Max)}].");
    }

    private ValueProblem WrongKind(string shown) => Problem(DiagnosticIds.ValueTypeViolation, Type switch
    {
        FeatureType.Float or FeatureType.Int => $"expected a number, got {shown}.",
        FeatureType.Bool => $"expected true or false, got {shown}.",
        FeatureType.Category => $"expected a category as a string, got {shown}.",
        _ => $"expected a string, got {shown}.",
    });

    private static ValueProblem Problem(DiagnosticDescriptor descriptor, string message) => new(descriptor, message);

    private static string Bound(double? bound) => bound?.ToString(CultureInfo.InvariantCulture) ?? "any";
}

/// <summary>
/// A value as a model takes it: a number (float, int and bool features; NaN when missing), or for a
/// category the code of a declared category (<see cref="FeatureBatch.MissingCode"/> when missing,
/// <see cref="FeatureBatch.UndeclaredCode"/> with its text when undeclared), or a text.
/// </summary>
/// <param name="Number">The number (NaN when missing or not a number feature).</param>
/// <param name="Code">A category's code.</param>
/// <param name="Text">A text feature's value, or an undeclared category's text; null otherwise.</param>
public readonly record struct FeatureValue(float Number, int Code, string? Text)
{
    /// <summary>A missing value.</summary>
    public static FeatureValue Missing { get; } = new(float.NaN, FeatureBatch.MissingCode, null);

    /// <summary>A number.</summary>
    /// <param name="number">The number.</param>
    public static FeatureValue OfNumber(float number) => new(number, FeatureBatch.MissingCode, null);

    /// <summary>A declared category.</summary>
    /// <param name="code">Its code.</param>
    public static FeatureValue OfCode(int code) => new(float.NaN, code, null);

    /// <summary>An undeclared category.</summary>
    /// <param name="text">Its text.</param>
    public static FeatureValue OfUndeclared(string text) => new(float.NaN, FeatureBatch.UndeclaredCode, text);

    /// <summary>A text.</summary>
    /// <param name="text">The text.</param>
    public static FeatureValue OfText(string text) => new(float.NaN, FeatureBatch.MissingCode, text);
}
