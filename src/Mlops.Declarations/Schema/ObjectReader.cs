using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Text.RegularExpressions;
using Mlops.Declarations.Diagnostics;
using Mlops.Declarations.FeatureSets;
using Mlops.Declarations.Yaml;

namespace Mlops.Declarations.Schema;

/// <summary>
/// Reads one YAML mapping against its <see cref="ObjectSchema"/>. On creation it reports duplicate,
/// unknown (with the nearest known key) and missing required keys; each accessor then checks the
/// value's kind and limits, reports what is wrong, and returns null rather than throwing.
/// </summary>
internal sealed class ObjectReader
{
    private readonly YamlMapping _mapping;
    private readonly ObjectSchema _schema;
    private readonly ParseContext _context;
    private readonly Dictionary<string, YamlNode> _values = new(StringComparer.Ordinal);

    private ObjectReader(YamlMapping mapping, ObjectSchema schema, ParseContext context, string fieldPath)
    {
        _mapping = mapping;
        _schema = schema;
        _context = context;
        FieldPath = fieldPath;
        CheckKeys();
    }

    /// <summary>The path of this mapping in the file, for example <c>features[2]</c>; empty at the root.</summary>
    public string FieldPath { get; }

    public SourceLocation Location => _mapping.Location;

    public ParseContext Context => _context;

    /// <summary>Reads the document root, which must be a mapping.</summary>
    public static ObjectReader? ForRoot(YamlNode root, ObjectSchema schema, ParseContext context, string kind)
    {
        if (root is YamlMapping mapping)
        {
            return new ObjectReader(mapping, schema, context, string.Empty);
        }

        context.Report(DiagnosticIds.WrongType, root.Location,
            $"a {kind} file must be a mapping of keys to values, but it holds {root.Describe()}. Start it with the '{schema.Properties[0].Name}:' key.");
        return null;
    }

    /// <summary>The location of a key's value, or of this mapping when the key is absent.</summary>
    public SourceLocation LocationOf(string key) => _values.TryGetValue(key, out var node) ? node.Location : _mapping.Location;

    public bool Has(string key) => _values.ContainsKey(key) && !(_values[key] is YamlScalar { IsNull: true });

    public string? String(string key) => Scalar(key) is { } scalar ? scalar.Text : null;

    public int? Integer(string key) => Scalar(key) is { } scalar ? int.Parse(scalar.Text, CultureInfo.InvariantCulture) : null;

    public double? Number(string key) => Scalar(key)?.AsNumber();

    public bool? Boolean(string key) => Scalar(key)?.AsBoolean();

    /// <summary>Reads a scalar value checked against its schema; null when absent or invalid.</summary>
    public ScalarValue? Scalar(string key)
    {
        var (property, node) = Lookup(key);
        return node is null ? null : ReadScalar(node, (ScalarSchema)property.Schema, Join(key));
    }

    public ObjectReader? Object(string key)
    {
        var (property, node) = Lookup(key);
        return node is null ? null : AsObject(node, (ObjectSchema)property.Schema, Join(key));
    }

    /// <summary>Reads a list of mappings; items that are not mappings are reported and skipped.</summary>
    public IReadOnlyList<ObjectReader> Objects(string key)
    {
        var (property, node) = Lookup(key);
        var items = Items(node, Join(key));
        var itemSchema = (ObjectSchema)((ArraySchema)property.Schema).Items;
        var readers = new List<ObjectReader>();
        for (var i = 0; i < items.Count; i++)
        {
            var path = $"{Join(key)}[{i}]";
            _context.Locations[path] = items[i].Location;
            if (AsObject(items[i], itemSchema, path) is { } reader)
            {
                readers.Add(reader);
            }
        }

        return readers;
    }

    /// <summary>Reads a list of scalars; invalid items are reported and skipped.</summary>
    public IReadOnlyList<ScalarValue> Scalars(string key)
    {
        var (property, node) = Lookup(key);
        var items = Items(node, Join(key));
        var itemSchema = (ScalarSchema)((ArraySchema)property.Schema).Items;
        var values = new List<ScalarValue>();
        for (var i = 0; i < items.Count; i++)
        {
            if (ReadScalar(items[i], itemSchema, $"{Join(key)}[{i}]") is { } value)
            {
                values.Add(value);
            }
        }

        return values;
    }

    /// <summary>Reads a mapping with free keys and scalar values (trainer parameters, constant answers).</summary>
    public IReadOnlyDictionary<string, ScalarValue> ScalarMap(string key)
    {
        var (property, node) = Lookup(key);
        var result = new Dictionary<string, ScalarValue>(StringComparer.Ordinal);
        if (node is null)
        {
            return result;
        }

        if (node is not YamlMapping mapping)
        {
            WrongType(node, Join(key), "a mapping of names to values");
            return result;
        }

        var valueSchema = (ScalarSchema)((MapSchema)property.Schema).Values;
        // Names seen so far, valid or not: a duplicate of an invalid value is still a duplicate.
        var seen = new Dictionary<string, YamlScalar>(StringComparer.Ordinal);
        foreach (var entry in mapping.Entries)
        {
            var name = entry.Key.Value;
            if (seen.TryGetValue(name, out var first))
            {
                _context.Report(DiagnosticIds.DuplicateKey, entry.Key.Location,
                    $"'{name}' appears twice in '{Join(key)}' (first at line {first.Location.Line}). Keep one of them.");
                continue;
            }

            seen[name] = entry.Key;

            if (ReadScalar(entry.Value, valueSchema, $"{Join(key)}.{name}") is { } value)
            {
                result[name] = value;
            }
        }

        return result;
    }

    private (PropertySchema Property, YamlNode? Node) Lookup(string key)
    {
        // Asking for a key the schema does not have is a bug in this library, not bad input.
        var property = _schema.Properties.FirstOrDefault(p => p.Name == key)
            ?? throw new InvalidOperationException($"The schema of '{FieldPath}' has no key '{key}'.");
        _context.Coverage?.Add(property);
        _values.TryGetValue(key, out var node);
        return node is YamlScalar { IsNull: true } && property.Schema is not ScalarSchema ? (property, null) : (property, node);
    }

    private IReadOnlyList<YamlNode> Items(YamlNode? node, string name)
    {
        switch (node)
        {
            case null:
                return [];
            case YamlSequence sequence:
                return sequence.Items;
            default:
                WrongType(node, name, "a list");
                return [];
        }
    }

    private ObjectReader? AsObject(YamlNode node, ObjectSchema schema, string path)
    {
        if (node is YamlMapping mapping)
        {
            return new ObjectReader(mapping, schema, _context, path);
        }

        WrongType(node, path, "a mapping of keys to values");
        return null;
    }

    private ScalarValue? ReadScalar(YamlNode node, ScalarSchema schema, string path)
    {
        _context.Locations[path] = node.Location;
        var name = path.Length == 0 ? "value" : path;
        if (node is not YamlScalar scalar)
        {
            WrongType(node, name, Expected(schema));
            return null;
        }

        if (scalar.IsNull)
        {
            // An empty value is the same as leaving the key out; required keys are reported as missing.
            return null;
        }

        var value = Classify(scalar);
        var ok = schema.Kind switch
        {
            ScalarKind.Integer => value.Kind == ScalarValueKind.Integer && int.TryParse(value.Text, NumberStyles.Integer, CultureInfo.InvariantCulture, out _),
            ScalarKind.Number => value.AsNumber() is { } number && !double.IsNaN(number) && !double.IsInfinity(number),
            ScalarKind.Boolean => value.Kind == ScalarValueKind.Boolean,
            _ => true,
        };
        if (!ok)
        {
            WrongType(node, name, Expected(schema));
            return null;
        }

        if (schema.AllowedValues is { } allowed && !allowed.Contains(value.Text))
        {
            var suggestion = Suggest(value.Text, allowed);
            _context.Report(DiagnosticIds.InvalidValue, node.Location,
                $"'{name}' is '{value.Text}', which is not one of: {string.Join(", ", allowed)}.{(suggestion is null ? " Use one of them." : $" Did you mean '{suggestion}'?")}");
            return null;
        }

        if (schema.IsFeatureSetReference && !FeatureSetReference.TryParse(value.Text, out _))
        {
            _context.Report(DiagnosticIds.MalformedReference, node.Location,
                $"'{name}' is '{value.Text}', which is not a feature set reference: write a lowercase name, '@' and a version from 1, such as '{FeatureSetReference.Suggest(value.Text)}'.");
            return null;
        }

        if (schema.Pattern is { } pattern && !schema.ReaderChecksPattern && !Regex.IsMatch(value.Text, $"^(?:{pattern})$"))
        {
            _context.Report(DiagnosticIds.InvalidValue, node.Location,
                $"'{name}' is '{value.Text}', which does not have the required form: {schema.Description}");
            return null;
        }

        if (value.AsNumber() is { } n && (n < schema.Minimum || n > schema.Maximum))
        {
            var (minimum, maximum) = (Format(schema.Minimum), Format(schema.Maximum));
            _context.Report(DiagnosticIds.InvalidValue, node.Location, (schema.Minimum, schema.Maximum) switch
            {
                (null, _) => $"'{name}' is {value.Text}, more than the largest allowed value, {maximum}. Use {maximum} or less.",
                (_, null) => $"'{name}' is {value.Text}, less than the smallest allowed value, {minimum}. Use {minimum} or more.",
                _ => $"'{name}' is {value.Text}, outside the allowed range [{minimum}, {maximum}]. Use a value inside it.",
            });
            return null;
        }

        return value;
    }

    private void CheckKeys()
    {
        var known = _schema.Properties.Select(p => p.Name).ToList();
        foreach (var entry in _mapping.Entries)
        {
            var key = entry.Key.Value;
            if (_values.ContainsKey(key))
            {
                _context.Report(DiagnosticIds.DuplicateKey, entry.Key.Location,
                    $"'{Join(key)}' appears twice in this mapping (first at line {_values[key].Location.Line}). Keep one of them.");
                continue;
            }

            if (!known.Contains(key))
            {
                var suggestion = Suggest(key, known);
                _context.Report(DiagnosticIds.UnknownKey, entry.Key.Location,
                    $"'{key}' is not a key of {Describe()}; it is ignored.{(suggestion is null ? $" Known keys: {string.Join(", ", known)}." : $" Did you mean '{suggestion}'?")}");
                continue;
            }

            _values[key] = entry.Value;
            _context.Locations[Join(key)] = entry.Value.Location;
        }

        foreach (var property in _schema.Properties.Where(p => p.Required && !Has(p.Name)))
        {
            _context.Report(DiagnosticIds.MissingKey, _mapping.Location,
                $"'{Join(property.Name)}' is required but missing. Add it: {property.Schema.Description}");
        }
    }

    private string Describe() => FieldPath.Length == 0 ? "this file" : $"'{FieldPath}'";

    private void WrongType(YamlNode node, string name, string expected) =>
        _context.Report(DiagnosticIds.WrongType, node.Location, $"'{name}' must be {expected}, but it is {node.Describe()}.");

    private string Join(string key) => FieldPath.Length == 0 ? key : $"{FieldPath}.{key}";

    private static string Expected(ScalarSchema schema) => schema.Kind switch
    {
        ScalarKind.Integer => "a whole number",
        ScalarKind.Number => "a number",
        ScalarKind.Boolean => "true or false",
        _ => "a single value",
    };

    private static string Format(double? value) => value?.ToString(CultureInfo.InvariantCulture) ?? "";

    private static readonly Regex s_integer = new(@"^[-+]?[0-9]+$", RegexOptions.CultureInvariant);
    private static readonly Regex s_number = new(@"^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$", RegexOptions.CultureInvariant);

    /// <summary>Applies YAML 1.2's core schema to a scalar: quoted scalars are always text.</summary>
    internal static ScalarValue Classify(YamlScalar scalar)
    {
        if (!scalar.IsPlain)
        {
            return new ScalarValue(scalar.Value, ScalarValueKind.Text);
        }

        var text = scalar.Value;
        if (scalar.IsNull)
        {
            return new ScalarValue(text, ScalarValueKind.Null);
        }

        if (text is "true" or "True" or "TRUE" or "false" or "False" or "FALSE")
        {
            return new ScalarValue(text, ScalarValueKind.Boolean);
        }

        if (s_integer.IsMatch(text))
        {
            return new ScalarValue(text, ScalarValueKind.Integer);
        }

        return s_number.IsMatch(text) ? new ScalarValue(text, ScalarValueKind.Number) : new ScalarValue(text, ScalarValueKind.Text);
    }

    /// <summary>The nearest candidate, if near enough to be a likely typo.</summary>
    internal static string? Suggest(string value, IEnumerable<string> candidates) => Suggestions.Nearest(value, candidates);
}
