using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using Mlops.Declarations.Diagnostics;
using YamlDotNet.Core;
using YamlDotNet.Core.Events;

namespace Mlops.Declarations.Yaml;

/// <summary>
/// Turns the text of one declaration file into a node tree with positions. It never throws on
/// bad input: syntax errors, empty and binary files, and oversized files become diagnostics.
/// </summary>
internal static class YamlDocumentReader
{
    /// <summary>Declarations are small; anything larger is a mistake (a data file in the wrong folder, say).</summary>
    public const int MaxCharacters = 1024 * 1024;

    // Aliases share nodes, so a few nested ones can make a reader visit a node billions of times
    // ("billion laughs"): both the number of aliases and the nodes they stand for are limited.
    private const int MaxAliases = 100;

    /// <summary>The most nodes all aliases together may stand for; declarations need few, if any.</summary>
    private const long MaxAliasedNodes = 10_000;

    /// <summary>Declarations are a few levels deep; deeper nesting would only exhaust the stack.</summary>
    private const int MaxDepth = 64;

    public static YamlNode? Read(string path, string text, ICollection<Diagnostic> diagnostics)
    {
        if (text.Length > MaxCharacters)
        {
            diagnostics.Add(DiagnosticIds.FileTooLarge.At(SourceLocation.StartOf(path),
                $"the file has {text.Length.ToString("N0", CultureInfo.InvariantCulture)} characters, more than the {MaxCharacters.ToString("N0", CultureInfo.InvariantCulture)} a declaration may have. Keep data in data/ and declarations small."));
            return null;
        }

        var nul = text.IndexOf('\0');
        if (nul >= 0)
        {
            diagnostics.Add(DiagnosticIds.BinaryFile.At(LocationOf(path, text, nul),
                "the file contains a NUL byte, so it is not a YAML text file. Replace it with a UTF-8 YAML declaration or move it out of the declarations folders."));
            return null;
        }

        if (IsBlank(text))
        {
            diagnostics.Add(DiagnosticIds.EmptyFile.At(SourceLocation.StartOf(path),
                "the file is empty. Declare its content, or delete the file."));
            return null;
        }

        var builder = new TreeBuilder(path, text);
        try
        {
            return builder.Build(diagnostics);
        }
        catch (YamlException e)
        {
            diagnostics.Add(builder.UnclosedFlow(e) ?? DiagnosticIds.YamlSyntax.At(At(path, e.Start),
                $"{TrimPosition(e.Message)}. Fix the YAML at this place."));
            return null;
        }
        catch (InvalidOperationException)
        {
            // YamlDotNet's scanner throws this, instead of a YamlException, when a line inside a flow
            // collection is not indented under its key (a: [ b, then c: 1 on the next line).
            diagnostics.Add(builder.LineOutsideFlow());
            return null;
        }
    }

    /// <summary>Builds the node tree from parser events, keeping what error messages need: the open brackets and the scanner.</summary>
    private sealed class TreeBuilder
    {
        private readonly string _path;
        private readonly string _text;
        private readonly Scanner _scanner;
        private readonly Parser _parser;
        private readonly Dictionary<string, (YamlNode Node, long Size)> _anchors = new(StringComparer.Ordinal);
        private readonly Stack<(char Opener, SourceLocation Location)> _openFlows = new();
        private int _aliases;
        private long _aliasedNodes;
        private int _depth;

        public TreeBuilder(string path, string text)
        {
            _path = path;
            _text = text;
            _scanner = new Scanner(new StringReader(text));
            _parser = new Parser(_scanner);
        }

        public YamlNode? Build(ICollection<Diagnostic> diagnostics)
        {
            YamlNode? root = null;
            var documents = 0;

            _parser.Consume<StreamStart>();
            while (_parser.TryConsume<DocumentStart>(out var start))
            {
                documents++;
                if (documents == 2)
                {
                    diagnostics.Add(DiagnosticIds.MultipleDocuments.At(At(_path, start.Start),
                        "a second YAML document starts here; a declaration file holds exactly one. Split it into its own file."));
                }

                var (node, _) = ReadNode();
                root ??= node;
                _parser.Consume<DocumentEnd>();
            }

            _parser.Consume<StreamEnd>();
            return root;
        }

        /// <summary>
        /// When the parser ran out of text inside a flow collection (<c>[</c> or <c>{</c>), the finding belongs
        /// at the bracket that was never closed, not at the end of the file; null in every other case.
        /// </summary>
        public Diagnostic? UnclosedFlow(YamlException error)
        {
            if (_openFlows.Count == 0 || error.Start.Index < _text.TrimEnd().Length)
            {
                return null;
            }

            var (opener, location) = _openFlows.Peek();
            return DiagnosticIds.YamlSyntax.At(location,
                $"this '{opener}' is never closed: the {(opener == '[' ? "list" : "mapping")} it starts runs to the end of the file. Add the missing '{Closer(opener)}'.");
        }

        /// <summary>The finding for a line the scanner cannot place: it sits inside an open '[' or '{' without being indented under it.</summary>
        public Diagnostic LineOutsideFlow()
        {
            var location = At(_path, _scanner.CurrentPosition);
            if (_openFlows.Count == 0)
            {
                return DiagnosticIds.YamlSyntax.At(location,
                    "this line cannot be read: it is inside a '[' or '{' above that is not closed, or it is not indented under it. Close the bracket, or indent this line.");
            }

            var (opener, start) = _openFlows.Peek();
            return DiagnosticIds.YamlSyntax.At(location,
                $"this line continues the '{opener}' opened at line {start.Line}, column {start.Column}, but is not indented under it. Close that '{opener}' with '{Closer(opener)}', or indent this line.");
        }

        private static char Closer(char opener) => opener == '[' ? ']' : '}';

        // Events are looked at before they are consumed: consuming one makes YamlDotNet parse the next,
        // which is where errors surface, and by then the bracket stack must already be up to date.
        private (YamlNode Node, long Size) ReadNode()
        {
            var current = Peek();
            if (current is AnchorAlias alias)
            {
                _parser.MoveNext();
                return Resolve(alias);
            }

            if (++_depth > MaxDepth)
            {
                throw new YamlException(current.Start, current.End, $"the values are nested more than {MaxDepth} levels deep, far deeper than any declaration");
            }

            YamlNode node;
            AnchorName anchor;
            long size = 1;
            switch (current)
            {
                case Scalar scalar:
                    _parser.MoveNext();
                    anchor = scalar.Anchor;
                    node = new YamlScalar(At(_path, scalar.Start), scalar.Value, scalar.Style == ScalarStyle.Plain);
                    break;
                case SequenceStart sequenceStart:
                {
                    anchor = sequenceStart.Anchor;
                    var location = At(_path, sequenceStart.Start);
                    var isFlow = sequenceStart.Style == SequenceStyle.Flow;
                    OpenFlow(isFlow, '[', location);
                    _parser.MoveNext();
                    var items = new List<YamlNode>();
                    while (Peek() is not SequenceEnd)
                    {
                        var (item, itemSize) = ReadNode();
                        items.Add(item);
                        size += itemSize;
                    }

                    CloseFlow(isFlow);
                    _parser.MoveNext();
                    node = new YamlSequence(location, items);
                    break;
                }

                case MappingStart mappingStart:
                {
                    anchor = mappingStart.Anchor;
                    var location = At(_path, mappingStart.Start);
                    var isFlow = mappingStart.Style == MappingStyle.Flow;
                    OpenFlow(isFlow, '{', location);
                    _parser.MoveNext();
                    var entries = new List<KeyValuePair<YamlScalar, YamlNode>>();
                    while (Peek() is not MappingEnd)
                    {
                        var (key, keySize) = ReadNode();
                        var (value, valueSize) = ReadNode();
                        if (key is not YamlScalar scalarKey)
                        {
                            throw new YamlException(new Mark(0, key.Location.Line, key.Location.Column), new Mark(0, key.Location.Line, key.Location.Column),
                                "a key must be plain text, not a list or mapping");
                        }

                        entries.Add(new KeyValuePair<YamlScalar, YamlNode>(scalarKey, value));
                        size += keySize + valueSize;
                    }

                    CloseFlow(isFlow);
                    _parser.MoveNext();
                    node = new YamlMapping(location, entries);
                    break;
                }

                default:
                    throw new YamlException(current.Start, current.End, "expected a value here");
            }

            _depth--;
            if (!anchor.IsEmpty)
            {
                _anchors[anchor.Value] = (node, size);
            }

            return (node, size);
        }

        private (YamlNode Node, long Size) Resolve(AnchorAlias alias)
        {
            if (++_aliases > MaxAliases)
            {
                throw new YamlException(alias.Start, alias.End, $"more than {MaxAliases} aliases; write the values out instead of aliasing them");
            }

            if (!_anchors.TryGetValue(alias.Value.Value, out var target))
            {
                throw new YamlException(alias.Start, alias.End, $"alias '*{alias.Value.Value}' names no anchor defined before it");
            }

            _aliasedNodes += target.Size;
            if (_aliasedNodes > MaxAliasedNodes)
            {
                throw new YamlException(alias.Start, alias.End,
                    $"the aliases stand for more than {MaxAliasedNodes.ToString("N0", CultureInfo.InvariantCulture)} nodes, which only an alias bomb needs; write the values out instead of aliasing them");
            }

            return target;
        }

        /// <summary>The next event, not yet consumed.</summary>
        private ParsingEvent Peek()
        {
            if (_parser.Current is null && !_parser.MoveNext())
            {
                var location = LocationOf(_path, _text, _text.Length);
                var end = new Mark(_text.Length, location.Line, location.Column);
                throw new YamlException(end, end, "the file ends in the middle of a value");
            }

            return _parser.Current!;
        }

        private void OpenFlow(bool isFlow, char opener, SourceLocation location)
        {
            if (isFlow)
            {
                _openFlows.Push((opener, location));
            }
        }

        private void CloseFlow(bool isFlow)
        {
            if (isFlow)
            {
                _openFlows.Pop();
            }
        }
    }

    private static SourceLocation At(string path, Mark mark) =>
        new(path, Math.Max(1, (int)mark.Line), Math.Max(1, (int)mark.Column));

    private static SourceLocation LocationOf(string path, string text, int index)
    {
        var line = 1;
        var column = 1;
        for (var i = 0; i < index; i++)
        {
            if (text[i] == '\n')
            {
                line++;
                column = 1;
            }
            else
            {
                column++;
            }
        }

        return new SourceLocation(path, line, column);
    }

    private static bool IsBlank(string text)
    {
        foreach (var line in text.Split('\n'))
        {
            var trimmed = line.Trim();
            if (trimmed.Length > 0 && trimmed[0] != '#' && trimmed != "---" && trimmed != "...")
            {
                return false;
            }
        }

        return true;
    }

    // YamlDotNet prefixes messages with "(Line: 3, Col: 5, Idx: 20) - (...): "; the location is reported separately.
    private static string TrimPosition(string message)
    {
        var marker = message.LastIndexOf("): ", StringComparison.Ordinal);
        var text = marker >= 0 && message.StartsWith("(Line", StringComparison.Ordinal) ? message.Substring(marker + 3) : message;
        return text.TrimEnd('.');
    }
}
