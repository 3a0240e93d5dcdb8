using System.Collections.Generic;
using Mlops.Declarations.Diagnostics;

namespace Mlops.Declarations.Yaml;

/// <summary>A YAML node with the place it starts at. Built by <see cref="YamlDocumentReader"/>.</summary>
internal abstract class YamlNode(SourceLocation location)
{
    public SourceLocation Location { get; } = location;

    /// <summary>A word for messages: "a mapping", "a list", "the text 'x'".</summary>
    public abstract string Describe();
}

/// <summary>A scalar; <see cref="IsPlain"/> is false for quoted and block scalars, which are always text.</summary>
internal sealed class YamlScalar(SourceLocation location, string value, bool isPlain) : YamlNode(location)
{
    public string Value { get; } = value;

    public bool IsPlain { get; } = isPlain;

    /// <summary>True for YAML's plain null forms: <c>~</c>, <c>null</c> and the empty value.</summary>
    public bool IsNull => IsPlain && (Value.Length == 0 || Value == "~" || Value == "null" || Value == "Null" || Value == "NULL");

    public override string Describe() => IsNull ? "an empty value" : $"'{Value}'";
}

internal sealed class YamlSequence(SourceLocation location, IReadOnlyList<YamlNode> items) : YamlNode(location)
{
    public IReadOnlyList<YamlNode> Items { get; } = items;

    public override string Describe() => "a list";
}

/// <summary>A mapping that keeps every entry, duplicates included, so duplicates can be reported where they are.</summary>
internal sealed class YamlMapping(SourceLocation location, IReadOnlyList<KeyValuePair<YamlScalar, YamlNode>> entries) : YamlNode(location)
{
    public IReadOnlyList<KeyValuePair<YamlScalar, YamlNode>> Entries { get; } = entries;

    public override string Describe() => "a mapping";
}
