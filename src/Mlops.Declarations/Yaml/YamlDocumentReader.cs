using System;
using System.Collections.Generic;
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

    // Aliases share nodes, so a few nested ones can make a reader visit a node billions of times.
    private const int MaxAliases = 100;

    public static YamlNode? Read(string path, string text, ICollection<Diagnostic> diagnostics)
    {
        if (text.Length > MaxCharacters)
        {
            diagnostics.Add(DiagnosticIds.FileTooLarge.At(SourceLocation.StartOf(path),
                $"the file has {text.Length:N0} characters, more than the {MaxCharacters:N0} a declaration may have. Keep data in data/ and declarations small."));
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

        try
        {
            return Parse(path, text, diagnostics);
        }
        catch (YamlException e)
        {
            var line = Math.Max(1, (int)e.Start.Line);
            var column = Math.Max(1, (int)e.Start.Column);
            diagnostics.Add(DiagnosticIds.YamlSyntax.At(new SourceLocation(path, line, column),
                $"{TrimPosition(e.Message)}. Fix the YAML at this place."));
            return null;
        }
    }

    private static YamlNode? Parse(string path, string text, ICollection<Diagnostic> diagnostics)
    {
        var parser = new Parser(new StringReader(text));
        var anchors = new Dictionary<string, YamlNode>(StringComparer.Ordinal);
        var aliases = 0;
        YamlNode? root = null;
        var documents = 0;

        parser.Consume<StreamStart>();
        while (parser.TryConsume<DocumentStart>(out var start))
        {
            documents++;
            if (documents == 2)
            {
                diagnostics.Add(DiagnosticIds.MultipleDocuments.At(At(path, start.Start),
                    "a second YAML document starts here; a declaration file holds exactly one. Split it into its own file."));
            }

            var node = ReadNode(parser, path, anchors, ref aliases);
            root ??= node;
            parser.Consume<DocumentEnd>();
        }

        parser.Consume<StreamEnd>();
        return root;
    }

    private static YamlNode ReadNode(IParser parser, string path, Dictionary<string, YamlNode> anchors, ref int aliases)
    {
        if (parser.TryConsume<AnchorAlias>(out var alias))
        {
            if (++aliases > MaxAliases)
            {
                throw new YamlException(alias.Start, alias.End, $"more than {MaxAliases} aliases");
            }

            return anchors.TryGetValue(alias.Value.Value, out var target)
                ? target
                : throw new YamlException(alias.Start, alias.End, $"alias '*{alias.Value.Value}' names no anchor defined before it");
        }

        YamlNode node;
        string? anchor;
        if (parser.TryConsume<Scalar>(out var scalar))
        {
            anchor = scalar.Anchor.IsEmpty ? null : scalar.Anchor.Value;
            node = new YamlScalar(At(path, scalar.Start), scalar.Value, scalar.Style == ScalarStyle.Plain);
        }
        else if (parser.TryConsume<SequenceStart>(out var sequenceStart))
        {
            anchor = sequenceStart.Anchor.IsEmpty ? null : sequenceStart.Anchor.Value;
            var items = new List<YamlNode>();
            while (!parser.TryConsume<SequenceEnd>(out _))
            {
                items.Add(ReadNode(parser, path, anchors, ref aliases));
            }

            node = new YamlSequence(At(path, sequenceStart.Start), items);
        }
        else
        {
            var mappingStart = parser.Consume<MappingStart>();
            anchor = mappingStart.Anchor.IsEmpty ? null : mappingStart.Anchor.Value;
            var entries = new List<KeyValuePair<YamlScalar, YamlNode>>();
            while (!parser.TryConsume<MappingEnd>(out _))
            {
                var key = ReadNode(parser, path, anchors, ref aliases);
                var value = ReadNode(parser, path, anchors, ref aliases);
                if (key is not YamlScalar scalarKey)
                {
                    throw new YamlException(new Mark(0, key.Location.Line, key.Location.Column), new Mark(0, key.Location.Line, key.Location.Column),
                        "a key must be plain text, not a list or mapping");
                }

                entries.Add(new KeyValuePair<YamlScalar, YamlNode>(scalarKey, value));
            }

            node = new YamlMapping(At(path, mappingStart.Start), entries);
        }

        if (anchor is not null)
        {
            anchors[anchor] = node;
        }

        return node;
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
