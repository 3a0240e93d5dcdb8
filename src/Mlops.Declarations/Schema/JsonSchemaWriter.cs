using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Text;

namespace Mlops.Declarations.Schema;

/// <summary>
/// Writes the JSON Schemas (draft 2020-12) of the declaration files from <see cref="DeclarationSchemas"/>,
/// so editors (yaml-language-server) check the same keys, kinds and limits as the readers. The output is
/// deterministic: LF line endings, two-space indentation, a trailing newline; docs/schemas/ holds it.
/// </summary>
public static class JsonSchemaWriter
{
    /// <summary>The JSON Schema dialect written.</summary>
    public const string Dialect = "https://json-schema.org/draft/2020-12/schema";

    /// <summary>The base of each schema's <c>$id</c>; the file name is appended.</summary>
    public const string BaseUri = "https://mlops.dev/schemas/";

    /// <summary>The schema of <c>features/*.yaml</c>.</summary>
    public const string FeatureSetFileName = "feature-set.schema.json";

    /// <summary>The schema of <c>models/*.yaml</c>.</summary>
    public const string ModelFileName = "model.schema.json";

    /// <summary>The schema of <c>environments/*.yaml</c>.</summary>
    public const string EnvironmentFileName = "environment.schema.json";

    /// <summary>The three schemas, by file name, in a fixed order.</summary>
    public static IReadOnlyList<(string FileName, string Json)> All() =>
    [
        (FeatureSetFileName, Write(DeclarationSchemas.FeatureSet, FeatureSetFileName, "Feature set")),
        (ModelFileName, Write(DeclarationSchemas.Model, ModelFileName, "Model")),
        (EnvironmentFileName, Write(DeclarationSchemas.Environment, EnvironmentFileName, "Environment")),
    ];

    /// <summary>Writes one file format as a JSON Schema document.</summary>
    /// <param name="schema">The root mapping of the file format.</param>
    /// <param name="fileName">The schema's file name; its <c>$id</c> is <see cref="BaseUri"/> followed by it.</param>
    /// <param name="title">A short name of the file format, shown by editors.</param>
    /// <returns>The JSON text, with LF line endings and a trailing newline.</returns>
    /// <exception cref="ArgumentNullException">An argument is null.</exception>
    public static string Write(ObjectSchema schema, string fileName, string title)
    {
        if (schema is null)
        {
            throw new ArgumentNullException(nameof(schema));
        }

        if (fileName is null)
        {
            throw new ArgumentNullException(nameof(fileName));
        }

        if (title is null)
        {
            throw new ArgumentNullException(nameof(title));
        }

        var root = new JsonObject()
            .Add("$schema", Dialect)
            .Add("$id", BaseUri + fileName)
            .Add("title", title);
        AddObject(root, schema);
        var writer = new IndentingWriter();
        writer.Write(root);
        return writer.ToString();
    }

    private static JsonObject Node(SchemaNode node)
    {
        var json = new JsonObject();
        switch (node)
        {
            case ObjectSchema obj:
                AddObject(json, obj);
                break;
            case ArraySchema array:
                json.Add("description", array.Description).Add("type", "array").Add("items", Node(array.Items));
                break;
            case MapSchema map:
                json.Add("description", map.Description).Add("type", "object").Add("additionalProperties", Node(map.Values));
                break;
            case ScalarSchema scalar:
                AddScalar(json, scalar);
                break;
            default:
                throw new InvalidOperationException($"No JSON Schema mapping for {node.GetType().Name}.");
        }

        return json;
    }

    private static void AddObject(JsonObject json, ObjectSchema schema)
    {
        var properties = new JsonObject();
        foreach (var property in schema.Properties)
        {
            properties.Add(property.Name, Node(property.Schema));
        }

        json.Add("description", schema.Description).Add("type", "object").Add("properties", properties);
        var required = schema.Properties.Where(p => p.Required).Select(p => (object)p.Name).ToList();
        if (required.Count > 0)
        {
            json.Add("required", required);
        }

        json.Add("additionalProperties", false);
    }

    private static void AddScalar(JsonObject json, ScalarSchema scalar)
    {
        json.Add("description", scalar.Description);
        switch (scalar.Kind)
        {
            case ScalarKind.String:
                json.Add("type", "string");
                break;
            case ScalarKind.Integer:
                json.Add("type", "integer");
                break;
            case ScalarKind.Number:
                json.Add("type", "number");
                break;
            case ScalarKind.Boolean:
                json.Add("type", "boolean");
                break;
            default:
                // Labels, categories and constant answers: YAML may write them as text, numbers or booleans.
                json.Add("type", new List<object> { "string", "number", "boolean" });
                break;
        }

        if (scalar.AllowedValues is { } allowed)
        {
            json.Add("enum", allowed.Cast<object>().ToList());
        }

        if (scalar.Pattern is { } pattern)
        {
            // The readers match the whole value; JSON Schema patterns match anywhere unless anchored.
            json.Add("pattern", $"^(?:{pattern})$");
        }

        if (scalar.Minimum is { } minimum)
        {
            json.Add("minimum", new JsonNumber(minimum));
        }

        if (scalar.Maximum is { } maximum)
        {
            json.Add("maximum", new JsonNumber(maximum));
        }
    }

    /// <summary>A JSON object that keeps its members in insertion order.</summary>
    private sealed class JsonObject
    {
        public List<KeyValuePair<string, object>> Members { get; } = [];

        public JsonObject Add(string name, object value)
        {
            Members.Add(new KeyValuePair<string, object>(name, value));
            return this;
        }
    }

    private sealed class JsonNumber(double value)
    {
        public double Value { get; } = value;
    }

    /// <summary>Objects one member a line; arrays of plain values on one line.</summary>
    private sealed class IndentingWriter
    {
        private const string Indent = "  ";
        private readonly StringBuilder _text = new();
        private int _depth;

        public void Write(object value)
        {
            WriteValue(value);
            _text.Append('\n');
        }

        public override string ToString() => _text.ToString();

        private void WriteValue(object value)
        {
            switch (value)
            {
                case JsonObject obj:
                    WriteObject(obj);
                    break;
                case List<object> array:
                    WriteArray(array);
                    break;
                case string text:
                    WriteString(text);
                    break;
                case bool flag:
                    _text.Append(flag ? "true" : "false");
                    break;
                case JsonNumber number:
                    _text.Append(number.Value.ToString("R", CultureInfo.InvariantCulture));
                    break;
                default:
                    throw new InvalidOperationException($"No JSON form for {value.GetType().Name}.");
            }
        }

        private void WriteObject(JsonObject obj)
        {
            if (obj.Members.Count == 0)
            {
                _text.Append("{}");
                return;
            }

            _text.Append('{');
            _depth++;
            for (var i = 0; i < obj.Members.Count; i++)
            {
                _text.Append(i == 0 ? "\n" : ",\n");
                WriteIndent();
                WriteString(obj.Members[i].Key);
                _text.Append(": ");
                WriteValue(obj.Members[i].Value);
            }

            _depth--;
            _text.Append('\n');
            WriteIndent();
            _text.Append('}');
        }

        private void WriteArray(List<object> array)
        {
            _text.Append('[');
            for (var i = 0; i < array.Count; i++)
            {
                if (i > 0)
                {
                    _text.Append(", ");
                }

                WriteValue(array[i]);
            }

            _text.Append(']');
        }

        private void WriteIndent()
        {
            for (var i = 0; i < _depth; i++)
            {
                _text.Append(Indent);
            }
        }

        private void WriteString(string value)
        {
            _text.Append('"');
            foreach (var c in value)
            {
                switch (c)
                {
                    case '"':
                        _text.Append("\\\"");
                        break;
                    case '\\':
                        _text.Append("\\\\");
                        break;
                    case '\n':
                        _text.Append("\\n");
                        break;
                    case '\r':
                        _text.Append("\\r");
                        break;
                    case '\t':
                        _text.Append("\\t");
                        break;
                    default:
                        if (c < ' ')
                        {
                            _text.Append("\\u").Append(((int)c).ToString("x4", CultureInfo.InvariantCulture));
                        }
                        else
                        {
                            _text.Append(c);
                        }

                        break;
                }
            }

            _text.Append('"');
        }
    }
}
