using Mlops.Declarations.Diagnostics;
using YamlDotNet.Core;
using YamlDotNet.Core.Events;

namespace Mlops.Pipeline.Promotion;

/// <summary>
/// Where each YAML node of a text starts and ends (character offsets), found with the same YamlDotNet parser the
/// declaration readers use, so a <see cref="Mlops.Declarations.Schema.SourceMap"/> location (line and column of a
/// value) names exactly one node here. The environment editor changes text between these offsets and nothing else.
/// </summary>
internal sealed class YamlSpanTree
{
    private readonly Dictionary<(int Line, int Column), SpanNode> _values = [];

    private YamlSpanTree(string text) => Text = text;

    public string Text { get; }

    public SpanNode Root { get; private set; } = null!;

    /// <summary>Parses <paramref name="text"/>; null when it is not one YAML document without aliases.</summary>
    public static YamlSpanTree? TryParse(string text)
    {
        var tree = new YamlSpanTree(text);
        try
        {
            var parser = new Parser(new StringReader(text));
            parser.Consume<StreamStart>();
            parser.Consume<DocumentStart>();
            tree.Root = tree.Read(parser);
            parser.Consume<DocumentEnd>();
            return parser.Accept<StreamEnd>(out _) ? tree : null;
        }
        catch (Exception e) when (e is YamlException or InvalidOperationException or NotSupportedException)
        {
            return null;
        }
    }

    /// <summary>The value node starting at <paramref name="location"/> (from a source map), or null.</summary>
    public SpanNode? At(SourceLocation location) => _values.GetValueOrDefault((location.Line, location.Column));

    /// <summary>The offset of the start of the line holding <paramref name="offset"/>.</summary>
    public int LineStart(int offset)
    {
        var start = Math.Min(offset, Text.Length);
        while (start > 0 && Text[start - 1] != '\n')
        {
            start--;
        }

        return start;
    }

    /// <summary>The offset of the line break ending the line holding <paramref name="offset"/> (or the end of the text).</summary>
    public int LineEnd(int offset)
    {
        var end = Text.IndexOf('\n', Math.Min(offset, Text.Length));
        if (end < 0)
        {
            return Text.Length;
        }

        return end > 0 && Text[end - 1] == '\r' ? end - 1 : end;
    }

    /// <summary>The offset just past the line break ending the line holding <paramref name="offset"/>.</summary>
    public int NextLineStart(int offset)
    {
        var end = Text.IndexOf('\n', Math.Min(offset, Text.Length));
        return end < 0 ? Text.Length : end + 1;
    }

    /// <summary>The 0-based column of an offset.</summary>
    public int ColumnOf(int offset) => offset - LineStart(offset);

    /// <summary>Whether only spaces precede <paramref name="offset"/> on its line.</summary>
    public bool StartsLine(int offset) => Text.AsSpan(LineStart(offset), offset - LineStart(offset)).Trim(' ').IsEmpty;

    /// <summary>The line break the text uses: <c>\r\n</c> when its first line ends so, else <c>\n</c>.</summary>
    public string NewLine
    {
        get
        {
            var end = Text.IndexOf('\n', StringComparison.Ordinal);
            return end > 0 && Text[end - 1] == '\r' ? "\r\n" : "\n";
        }
    }

    /// <summary>
    /// How far this file indents a nested block mapping under its key, and a block list's dash under its key:
    /// the first example found, else two spaces.
    /// </summary>
    public (int Mapping, int Sequence) Indentation()
    {
        int? mapping = null;
        int? sequence = null;
        Visit(Root);
        return (mapping ?? 2, sequence ?? 2);

        void Visit(SpanNode node)
        {
            switch (node)
            {
                case SpanMapping map:
                    foreach (var entry in map.Entries)
                    {
                        if (!map.IsFlow && entry.Value is SpanMapping { IsFlow: false } child && mapping is null
                            && child.Start > LineEnd(entry.Key.Start))
                        {
                            mapping = ColumnOf(child.Start) - ColumnOf(entry.Key.Start);
                        }

                        if (!map.IsFlow && entry.Value is SpanSequence { IsFlow: false } list && sequence is null
                            && list.Start > LineEnd(entry.Key.Start))
                        {
                            sequence = ColumnOf(list.Start) - ColumnOf(entry.Key.Start);
                        }

                        Visit(entry.Value);
                    }

                    break;
                case SpanSequence seq:
                    foreach (var item in seq.Items)
                    {
                        Visit(item);
                    }

                    break;
            }
        }
    }

    /// <summary>Just past the <c>]</c> or <c>}</c> a flow collection's end event stands at (YamlDotNet marks the bracket's start).</summary>
    private int ClosingBracketEnd(ParsingEvent end)
    {
        var index = (int)end.Start.Index;
        return index < Text.Length && Text[index] is ']' or '}' ? index + 1 : (int)end.End.Index;
    }

    private SpanNode Read(IParser parser)
    {
        var current = parser.Current ?? throw new YamlException("unexpected end of the text");
        SpanNode node;
        switch (current)
        {
            case AnchorAlias:
                throw new NotSupportedException("aliases are not edited");
            case Scalar scalar:
                parser.MoveNext();
                node = new SpanScalar((int)scalar.Start.Index, (int)scalar.End.Index, scalar.Value, scalar.Style);
                break;
            case SequenceStart start:
            {
                parser.MoveNext();
                var items = new List<SpanNode>();
                while (parser.Current is not SequenceEnd)
                {
                    items.Add(Read(parser));
                }

                var isFlow = start.Style == SequenceStyle.Flow;
                var end = isFlow ? ClosingBracketEnd(parser.Current) : items.Count > 0 ? items[^1].End : (int)start.End.Index;
                parser.MoveNext();
                node = new SpanSequence((int)start.Start.Index, end, isFlow, items);
                break;
            }

            case MappingStart start:
            {
                parser.MoveNext();
                var entries = new List<SpanEntry>();
                while (parser.Current is not MappingEnd)
                {
                    var key = Read(parser) as SpanScalar ?? throw new NotSupportedException("complex keys are not edited");
                    var value = Read(parser);
                    entries.Add(new SpanEntry(key, value));
                }

                var isFlow = start.Style == MappingStyle.Flow;
                var end = isFlow ? ClosingBracketEnd(parser.Current) : entries.Count > 0 ? entries[^1].Value.End : (int)start.End.Index;
                parser.MoveNext();
                node = new SpanMapping((int)start.Start.Index, end, isFlow, entries);
                break;
            }

            default:
                throw new YamlException($"unexpected {current.GetType().Name}");
        }

        _values[((int)current.Start.Line, (int)current.Start.Column)] = node;
        return node;
    }
}

/// <summary>A node and the offsets it spans: from its first character to just past its last.</summary>
internal abstract record SpanNode(int Start, int End);

/// <summary>A scalar, with its style (plain, quoted) so an edit can keep the quoting.</summary>
internal sealed record SpanScalar(int Start, int End, string Value, ScalarStyle Style) : SpanNode(Start, End)
{
    /// <summary>An empty plain value (<c>key:</c> with nothing after it), or <c>~</c>/<c>null</c>.</summary>
    public bool IsNull => Style == ScalarStyle.Plain && Value is "" or "~" or "null" or "Null" or "NULL";
}

/// <summary>A list, flow (<c>[a, b]</c>) or block (<c>- a</c> lines).</summary>
internal sealed record SpanSequence(int Start, int End, bool IsFlow, IReadOnlyList<SpanNode> Items) : SpanNode(Start, End);

/// <summary>A mapping, flow (<c>{ a: 1 }</c>) or block (<c>a: 1</c> lines).</summary>
internal sealed record SpanMapping(int Start, int End, bool IsFlow, IReadOnlyList<SpanEntry> Entries) : SpanNode(Start, End)
{
    /// <summary>The entry with this key, or null.</summary>
    public SpanEntry? Entry(string key) => Entries.FirstOrDefault(e => e.Key.Value == key);
}

/// <summary>A key and its value.</summary>
internal sealed record SpanEntry(SpanScalar Key, SpanNode Value);
