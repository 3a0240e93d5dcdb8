using System.Globalization;

namespace Mlops.Declarations.Schema;

/// <summary>A scalar whose kind was decided by YAML's core schema: quoted values are always text.</summary>
/// <param name="Text">The value as written.</param>
/// <param name="Kind">What YAML makes of it.</param>
public sealed record ScalarValue(string Text, ScalarValueKind Kind)
{
    /// <summary>The value as a number, or null when it is not one.</summary>
    public double? AsNumber() =>
        Kind is ScalarValueKind.Integer or ScalarValueKind.Number
        && double.TryParse(Text, NumberStyles.Float, CultureInfo.InvariantCulture, out var value)
            ? value
            : null;

    /// <summary>The value as a boolean, or null when it is not one.</summary>
    public bool? AsBoolean() => Kind == ScalarValueKind.Boolean ? Text.ToLowerInvariant() == "true" : null;

    /// <inheritdoc />
    public override string ToString() => Text;
}

/// <summary>What a YAML scalar is under the core schema.</summary>
public enum ScalarValueKind
{
    /// <summary>Text, quoted or plain.</summary>
    Text,

    /// <summary>A plain whole number.</summary>
    Integer,

    /// <summary>A plain number with a fraction or exponent.</summary>
    Number,

    /// <summary>A plain true or false.</summary>
    Boolean,

    /// <summary>A plain null, <c>~</c>, or nothing.</summary>
    Null,
}
