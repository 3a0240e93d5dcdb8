using System.Collections.Generic;

namespace Mlops.Declarations.Schema;

/// <summary>
/// The shape of a declaration file. One description drives both the YAML readers (known keys,
/// required keys, value kinds, allowed values) and the published JSON Schemas, so the two cannot drift apart.
/// </summary>
/// <param name="Description">What the value means, shown by editors.</param>
public abstract record SchemaNode(string Description);

/// <summary>A mapping with a fixed set of keys; any other key is reported as unknown.</summary>
public sealed record ObjectSchema(string Description, IReadOnlyList<PropertySchema> Properties) : SchemaNode(Description);

/// <summary>One key of an <see cref="ObjectSchema"/>.</summary>
/// <param name="Name">The key as written in YAML (camelCase).</param>
/// <param name="Schema">The value's shape.</param>
/// <param name="Required">Whether the key must be present.</param>
public sealed record PropertySchema(string Name, SchemaNode Schema, bool Required = false);

/// <summary>A list whose items share one shape.</summary>
public sealed record ArraySchema(string Description, SchemaNode Items) : SchemaNode(Description);

/// <summary>A mapping with free keys (trainer parameters, constant answers) whose values share one shape.</summary>
public sealed record MapSchema(string Description, SchemaNode Values) : SchemaNode(Description);

/// <summary>A single value.</summary>
/// <param name="Description">What the value means.</param>
/// <param name="Kind">What kind of scalar it must be.</param>
/// <param name="AllowedValues">If set, the only values accepted (compared case-sensitively).</param>
/// <param name="Pattern">If set, a regular expression the whole value must match.</param>
/// <param name="Minimum">If set, the smallest number accepted.</param>
/// <param name="Maximum">If set, the largest number accepted.</param>
/// <param name="IsFeatureSetReference">True for <c>name@version</c> references: a value off <see cref="Pattern"/> is reported as MLOPS0203 with the corrected reference, not as the generic MLOPS0009.</param>
public sealed record ScalarSchema(
    string Description,
    ScalarKind Kind,
    IReadOnlyList<string>? AllowedValues = null,
    string? Pattern = null,
    double? Minimum = null,
    double? Maximum = null,
    bool IsFeatureSetReference = false) : SchemaNode(Description)
{
    /// <summary>
    /// True when the value's reader checks <see cref="Pattern"/> itself and reports its own, more precise findings
    /// (alert conditions, durations, webhooks); the pattern is still published in the JSON Schema for editors.
    /// </summary>
    public bool ReaderChecksPattern { get; init; }
}

/// <summary>The kinds of scalar a declaration uses.</summary>
public enum ScalarKind
{
    /// <summary>Text. Plain numbers are accepted as their text.</summary>
    String,

    /// <summary>A whole number.</summary>
    Integer,

    /// <summary>A finite number.</summary>
    Number,

    /// <summary><c>true</c> or <c>false</c>.</summary>
    Boolean,

    /// <summary>Any single value: text, number or boolean (labels, categories, constant answers).</summary>
    Any,
}
