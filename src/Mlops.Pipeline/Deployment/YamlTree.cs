using System.Globalization;
using System.Text;

namespace Mlops.Pipeline.Deployment;

/// <summary>
/// A YAML document as ordered maps, lists and scalars, written the same way every time (two-space
/// indentation, LF, keys in the order given), so a rendering is byte-for-byte repeatable.
/// </summary>
internal abstract record YamlNode
{
    public static implicit operator YamlNode(string value) => new YamlScalar(value);

    public static implicit operator YamlNode(int value) => new YamlScalar(value);

    public static implicit operator YamlNode(bool value) => new YamlScalar(value);
}

/// <summary>A string, an integer or a bool.</summary>
internal sealed record YamlScalar(object Value) : YamlNode;

/// <summary>A map whose keys keep their order.</summary>
internal sealed record YamlMap : YamlNode, IEnumerable<KeyValuePair<string, YamlNode>>
{
    private readonly List<KeyValuePair<string, YamlNode>> _entries = [];

    public IReadOnlyList<KeyValuePair<string, YamlNode>> Entries => _entries;

    public YamlNode? this[string key] => _entries.FirstOrDefault(e => e.Key == key).Value;

    /// <summary>Adds an entry; a null value is left out.</summary>
    public void Add(string key, YamlNode? value)
    {
        if (value is not null)
        {
            _entries.Add(new(key, value));
        }
    }

    public IEnumerator<KeyValuePair<string, YamlNode>> GetEnumerator() => _entries.GetEnumerator();

    System.Collections.IEnumerator System.Collections.IEnumerable.GetEnumerator() => GetEnumerator();
}

/// <summary>A list.</summary>
internal sealed record YamlList : YamlNode, IEnumerable<YamlNode>
{
    private readonly List<YamlNode> _items = [];

    public IReadOnlyList<YamlNode> Items => _items;

    public void Add(YamlNode item) => _items.Add(item);

    public IEnumerator<YamlNode> GetEnumerator() => _items.GetEnumerator();

    System.Collections.IEnumerator System.Collections.IEnumerable.GetEnumerator() => GetEnumerator();
}

/// <summary>Writes a <see cref="YamlNode"/> tree as block YAML.</summary>
internal static class YamlWriter
{
    public static string Write(YamlMap document, string header)
    {
        var text = new StringBuilder(header);
        WriteMap(text, document, 0);
        return text.ToString();
    }

    private static void WriteMap(StringBuilder text, YamlMap map, int indent)
    {
        var first = true;
        foreach (var (key, value) in map)
        {
            // The first key of a map inside a list sits on the dash's line.
            if (!first || indent >= 0)
            {
                text.Append(' ', Math.Abs(indent));
            }

            first = false;
            text.Append(key).Append(':');
            WriteValue(text, value, Math.Abs(indent));
        }
    }

    private static void WriteValue(StringBuilder text, YamlNode value, int indent)
    {
        switch (value)
        {
            case YamlScalar scalar:
                text.Append(' ').Append(Scalar(scalar.Value)).Append('\n');
                break;
            case YamlMap { Entries.Count: 0 }:
                text.Append(" {}\n");
                break;
            case YamlList { Items.Count: 0 }:
                text.Append(" []\n");
                break;
            case YamlMap map:
                text.Append('\n');
                WriteMap(text, map, indent + 2);
                break;
            case YamlList list:
                text.Append('\n');
                WriteList(text, list, indent + 2);
                break;
        }
    }

    private static void WriteList(StringBuilder text, YamlList list, int indent)
    {
        foreach (var item in list)
        {
            text.Append(' ', indent).Append("- ");
            switch (item)
            {
                case YamlScalar scalar:
                    text.Append(Scalar(scalar.Value)).Append('\n');
                    break;
                case YamlMap { Entries.Count: > 0 } map:
                    // A negative indent tells WriteMap that its first key follows the dash.
                    WriteMap(text, map, -(indent + 2));
                    break;
                default:
                    throw new NotSupportedException("a list of empty maps or of lists is not written");
            }
        }
    }

    private static string Scalar(object value) => value switch
    {
        bool b => b ? "true" : "false",
        int i => i.ToString(CultureInfo.InvariantCulture),
        string s => Plain(s) ? s : Quote(s),
        _ => throw new NotSupportedException(value.GetType().Name),
    };

    // Plain only when YAML cannot read the text as anything but that string: no number, bool or null look-alike,
    // no indicator characters.
    private static bool Plain(string s) =>
        s.Length > 0
        && char.IsAsciiLetter(s[0])
        && s.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.' or '/')
        && !IsKeyword(s);

    private static bool IsKeyword(string s) => s.ToLowerInvariant() is "true" or "false" or "yes" or "no" or "on" or "off" or "null" or "y" or "n";

    private static string Quote(string s)
    {
        var text = new StringBuilder("\"");
        foreach (var c in s)
        {
            _ = c switch
            {
                '"' => text.Append("\\\""),
                '\\' => text.Append("\\\\"),
                '\n' => text.Append("\\n"),
                '\t' => text.Append("\\t"),
                < ' ' => text.Append("\\u").Append(((int)c).ToString("x4", CultureInfo.InvariantCulture)),
                _ => text.Append(c),
            };
        }

        return text.Append('"').ToString();
    }
}
