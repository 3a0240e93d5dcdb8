using System.Globalization;
using System.Text;
using System.Text.Json;
using Mlops.Declarations.Diagnostics;
using Mlops.Declarations.Environments;
using Mlops.Declarations.FeatureSets;
using Mlops.Declarations.Schema;
using YamlDotNet.Core;

namespace Mlops.Pipeline.Promotion;

/// <summary>
/// Edits an environment file the way a person would: only the lines that must change change; comments, key
/// order, quoting, flow or block layout and everything else stay byte for byte. Each edit finds its fields through
/// the parsed file's <see cref="SourceMap"/>, changes the text between their offsets, parses the result again with
/// <see cref="EnvironmentParser"/> and checks that the file now declares exactly what was asked and nothing else
/// changed. Instances are immutable: each edit returns a new editor.
/// </summary>
/// <remarks>
/// New keys are placed after their predecessor in the order the documentation shows (<c>model, version, digest,
/// featureSet, featureSetDigest, enabled, canary, shadow, fallback</c>) and written in the style of their mapping:
/// inside <c>{ }</c> for a flow mapping, on their own lines, indented like their siblings, for a block mapping. A new
/// pin is added to <c>models</c> in the style of the last pin (an empty <c>models: []</c> becomes a block list).
/// </remarks>
public sealed class EnvironmentFileEditor
{
    private static readonly string[] s_rootOrder = ["environment", "description", "requires", "models", "monitoring"];
    private static readonly string[] s_pinOrder = ["model", "version", "digest", "featureSet", "featureSetDigest", "enabled", "canary", "shadow", "fallback"];
    private static readonly string[] s_canaryOrder = ["version", "digest", "weight", "analysis"];
    private static readonly string[] s_shadowOrder = ["version", "digest"];

    private readonly YamlSpanTree _tree;

    private EnvironmentFileEditor(string path, string text, Declared<EnvironmentSpec> declared, YamlSpanTree tree)
    {
        Path = path;
        Text = text;
        Declared = declared;
        _tree = tree;
    }

    /// <summary>The file, relative to the repository root.</summary>
    public string Path { get; }

    /// <summary>The file's text after the edits so far.</summary>
    public string Text { get; }

    /// <summary>What the text declares.</summary>
    public EnvironmentSpec Environment => Declared.Value;

    /// <summary>The declaration with its source map.</summary>
    public Declared<EnvironmentSpec> Declared { get; }

    /// <summary>Reads an environment file for editing.</summary>
    /// <param name="path">The file, relative to the repository root (for messages).</param>
    /// <param name="text">Its content.</param>
    /// <exception cref="EnvironmentEditException">The file has errors (all are listed), or uses YAML the editor does not change (aliases, several documents).</exception>
    public static EnvironmentFileEditor Parse(string path, string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var result = EnvironmentParser.Parse(path, text);
        var errors = result.Diagnostics.Where(d => d.Severity == Severity.Error).ToList();
        if (errors.Count > 0 || result.Declaration is null)
        {
            throw new EnvironmentEditException(
                $"{path} has {(errors.Count == 1 ? "an error" : $"{errors.Count} errors")}, so it is not edited; fix {(errors.Count == 1 ? "it" : "them")} first (mlops validate):"
                + string.Concat(errors.Select(e => "\n  " + e)));
        }

        var tree = YamlSpanTree.TryParse(text) ?? throw new EnvironmentEditException(
            $"{path} uses YAML that mlops does not edit (aliases, or more than one document). Write the values out in one document, or edit the file by hand.");
        return new EnvironmentFileEditor(path, text, result.Declaration, tree);
    }

    /// <summary>The pin of <paramref name="model"/>, or null when the environment does not serve it.</summary>
    public PinnedModel? Find(string model) => Environment.Models.FirstOrDefault(m => m.Model == model);

    /// <summary>
    /// Pins <paramref name="model"/> to a version: replaces its version, digest, feature set and feature set digest,
    /// or adds a pin when the environment does not serve the model yet. A null feature set or digest removes the key.
    /// Canary, shadow, fallback and other keys are kept.
    /// </summary>
    /// <exception cref="EnvironmentEditException">The file's layout cannot be edited in place.</exception>
    public EnvironmentFileEditor SetPin(string model, int version, string digest, FeatureSetReference? featureSet, string? featureSetDigest)
    {
        var fields = PinFields(version, digest, featureSet, featureSetDigest);
        if (Find(model) is not { } existing)
        {
            var added = new PinnedModel(model, version, digest, featureSet, featureSetDigest, true, null, null, null);
            return Apply(spec => spec with { Models = [.. spec.Models, added] }, editor => editor.AddPin(model, fields));
        }

        var expected = existing with { Version = version, Digest = digest, FeatureSet = featureSet, FeatureSetDigest = featureSetDigest };
        return Apply(spec => Replace(spec, expected), editor => editor.SetFields(model, null, s_pinOrder, fields));
    }

    /// <summary>
    /// Starts or changes a canary of <paramref name="model"/>: sets its version, digest and weight, adding a
    /// <c>canary:</c> block when there is none (its <c>analysis</c> is kept when there is one).
    /// </summary>
    /// <exception cref="EnvironmentEditException">The model is not pinned here.</exception>
    public EnvironmentFileEditor SetCanary(string model, int version, string digest, int weight)
    {
        var pin = Require(model, "start a canary");
        var expected = pin with { Canary = new CanarySpec(version, digest, weight, pin.Canary?.Analysis ?? []) };
        var fields = new List<(string, string?)> { ("version", Int(version)), ("digest", digest), ("weight", Int(weight)) };
        return Apply(spec => Replace(spec, expected), editor => editor.SetNested(model, "canary", s_canaryOrder, fields));
    }

    /// <summary>Removes the canary of <paramref name="model"/> (aborting it).</summary>
    /// <exception cref="EnvironmentEditException">The model is not pinned here or has no canary.</exception>
    public EnvironmentFileEditor RemoveCanary(string model)
    {
        var pin = Require(model, "remove its canary");
        if (pin.Canary is null)
        {
            throw new EnvironmentEditException($"{Location($"{PinPath(model)}")}: model '{model}' has no canary in {Path}, so there is none to remove. Check the environment's current state with 'mlops history'.");
        }

        return Apply(spec => Replace(spec, pin with { Canary = null }), editor => editor.RemoveKey(model, "canary"));
    }

    /// <summary>
    /// Makes the canary of <paramref name="model"/> its primary version: the canary's version and digest replace the
    /// pin's, with the given feature set and its digest, and the canary block is removed.
    /// </summary>
    /// <exception cref="EnvironmentEditException">The model is not pinned here or has no canary.</exception>
    public EnvironmentFileEditor CompleteCanary(string model, FeatureSetReference? featureSet, string? featureSetDigest)
    {
        var pin = Require(model, "complete its canary");
        if (pin.Canary is not { } canary)
        {
            throw new EnvironmentEditException($"{Location(PinPath(model))}: model '{model}' has no canary in {Path}, so there is none to complete. Start one with a canary promotion first.");
        }

        var promoted = SetPin(model, canary.Version, canary.Digest, featureSet, featureSetDigest);
        var expected = pin with { Version = canary.Version, Digest = canary.Digest, FeatureSet = featureSet, FeatureSetDigest = featureSetDigest, Canary = null };
        var completed = promoted.Apply(spec => Replace(spec, expected), editor => editor.RemoveKey(model, "canary"));
        return completed.Verified(Environment, spec => Replace(spec, expected));
    }

    /// <summary>Starts or changes a shadow of <paramref name="model"/>: a version scored on every request and logged, never returned.</summary>
    /// <exception cref="EnvironmentEditException">The model is not pinned here.</exception>
    public EnvironmentFileEditor SetShadow(string model, int version, string digest)
    {
        var pin = Require(model, "add a shadow");
        var fields = new List<(string, string?)> { ("version", Int(version)), ("digest", digest) };
        return Apply(spec => Replace(spec, pin with { Shadow = new VersionPin(version, digest) }), editor => editor.SetNested(model, "shadow", s_shadowOrder, fields));
    }

    /// <summary>Removes the shadow of <paramref name="model"/>.</summary>
    /// <exception cref="EnvironmentEditException">The model is not pinned here or has no shadow.</exception>
    public EnvironmentFileEditor RemoveShadow(string model)
    {
        var pin = Require(model, "remove its shadow");
        if (pin.Shadow is null)
        {
            throw new EnvironmentEditException($"{Location(PinPath(model))}: model '{model}' has no shadow in {Path}, so there is none to remove.");
        }

        return Apply(spec => Replace(spec, pin with { Shadow = null }), editor => editor.RemoveKey(model, "shadow"));
    }

    /// <summary>The location, <c>path(line,col)</c>, where a field of the file was written (or its nearest written parent).</summary>
    /// <param name="fieldPath">A source-map path such as <c>models[0].digest</c>.</param>
    public SourceLocation LocationOf(string fieldPath) => Declared.Map[fieldPath];

    /// <summary>The source-map path of a model's pin, <c>models[i]</c>, or <c>models</c> when it is not pinned.</summary>
    public string PinPath(string model)
    {
        for (var i = 0; Declared.Map.Contains($"models[{i}]"); i++)
        {
            if (ScalarAt($"models[{i}].model")?.Value == model)
            {
                return $"models[{i}]";
            }
        }

        return "models";
    }

    private static List<(string Key, string? Value)> PinFields(int version, string digest, FeatureSetReference? featureSet, string? featureSetDigest) =>
        [("version", Int(version)), ("digest", digest), ("featureSet", featureSet?.ToString()), ("featureSetDigest", featureSetDigest)];

    private static string Int(int value) => value.ToString(CultureInfo.InvariantCulture);

    private static EnvironmentSpec Replace(EnvironmentSpec spec, PinnedModel pin) =>
        spec with { Models = [.. spec.Models.Select(m => m.Model == pin.Model ? pin : m)] };

    private string Location(string fieldPath) => LocationOf(fieldPath).ToString();

    private PinnedModel Require(string model, string action) => Find(model) ?? throw new EnvironmentEditException(
        $"{Location("models")}: model '{model}' is not pinned in {Path}, so mlops cannot {action}. Promote a version of it to this environment first.");

    private SpanScalar? ScalarAt(string fieldPath) => Declared.Map.Contains(fieldPath) ? _tree.At(Declared.Map[fieldPath]) as SpanScalar : null;

    private SpanMapping MappingAt(string fieldPath) =>
        (Declared.Map.Contains(fieldPath) ? _tree.At(Declared.Map[fieldPath]) as SpanMapping : null)
        ?? throw new EnvironmentEditException($"{Location(fieldPath)}: '{fieldPath}' in {Path} is not laid out in a way mlops can edit in place. Edit the file by hand.");

    /// <summary>Runs <paramref name="edit"/> and checks the result declares what <paramref name="expected"/> says and nothing else.</summary>
    private EnvironmentFileEditor Apply(Func<EnvironmentSpec, EnvironmentSpec> expected, Func<EnvironmentFileEditor, EnvironmentFileEditor> edit) =>
        edit(this).Verified(Environment, expected);

    private EnvironmentFileEditor Verified(EnvironmentSpec before, Func<EnvironmentSpec, EnvironmentSpec> expected)
    {
        var want = Canonical(expected(before));
        var got = Canonical(Environment);
        if (want != got)
        {
            throw new EnvironmentEditException(
                $"{Path}: the edit did not give the expected declaration, so the file is left unchanged. This is a bug in mlops; edit the file by hand and report the layout that caused it.\nexpected: {want}\nactual:   {got}");
        }

        return this;
    }

    private static string Canonical(EnvironmentSpec spec) => JsonSerializer.Serialize(spec);

    /// <summary>Replaces the text between two offsets and reads the result again.</summary>
    private EnvironmentFileEditor Edit(int start, int end, string replacement)
    {
        var text = string.Concat(Text.AsSpan(0, start), replacement, Text.AsSpan(end));
        try
        {
            return Parse(Path, text);
        }
        catch (EnvironmentEditException e)
        {
            throw new EnvironmentEditException(
                $"{Path}: editing it in place gave a file that does not parse, so it is left unchanged. This is a bug in mlops; edit the file by hand and report the layout that caused it.\n{e.Message}");
        }
    }

    /// <summary>Sets the scalar fields of the pin (<paramref name="nested"/> null) or of one of its nested mappings, inserting missing keys and removing those set to null.</summary>
    private EnvironmentFileEditor SetFields(string model, string? nested, string[] order, IReadOnlyList<(string Key, string? Value)> fields)
    {
        var editor = this;
        foreach (var (key, value) in fields)
        {
            editor = editor.SetField(model, nested, order, key, value);
        }

        return editor;
    }

    private EnvironmentFileEditor SetField(string model, string? nested, string[] order, string key, string? value)
    {
        var path = PinPath(model) + (nested is null ? "" : "." + nested);
        var mapping = MappingAt(path);
        var entry = mapping.Entry(key);
        if (value is null)
        {
            return entry is null ? this : RemoveEntry(mapping, entry);
        }

        if (entry is null)
        {
            return Insert(mapping, order, key, NewValue.Of(value));
        }

        if (entry.Value is not SpanScalar scalar)
        {
            throw new EnvironmentEditException($"{Location($"{path}.{key}")}: '{key}' in {Path} is not a single value, so mlops cannot set it. Edit the file by hand.");
        }

        return scalar.Value == value && !scalar.IsNull ? this : Edit(scalar.Start, scalar.End, Format(value, scalar.Style));
    }

    private EnvironmentFileEditor SetNested(string model, string key, string[] order, IReadOnlyList<(string Key, string? Value)> fields)
    {
        var pin = MappingAt(PinPath(model));
        if (pin.Entry(key) is null)
        {
            var value = NewValue.Map([.. fields.Where(f => f.Value is not null).Select(f => (f.Key, NewValue.Of(f.Value!)))]);
            return Insert(pin, s_pinOrder, key, value);
        }

        return SetFields(model, key, order, fields);
    }

    private EnvironmentFileEditor RemoveKey(string model, string key)
    {
        var pin = MappingAt(PinPath(model));
        var entry = pin.Entry(key) ?? throw new EnvironmentEditException($"{Location(PinPath(model))}: model '{model}' has no '{key}' in {Path}.");
        return RemoveEntry(pin, entry);
    }

    private EnvironmentFileEditor AddPin(string model, IReadOnlyList<(string Key, string? Value)> fields)
    {
        var pin = NewValue.Map([("model", NewValue.Of(model)), .. fields.Where(f => f.Value is not null).Select(f => (f.Key, NewValue.Of(f.Value!)))]);
        if (_tree.Root is not SpanMapping { IsFlow: false } root)
        {
            throw new EnvironmentEditException($"{Path}: the file is not a block mapping of keys, so mlops cannot add a pin to it. Edit the file by hand.");
        }

        if (root.Entry("models") is not { } models)
        {
            return Insert(root, s_rootOrder, "models", NewValue.List([pin]));
        }

        var (mappingStep, sequenceStep) = _tree.Indentation();
        var newLine = _tree.NewLine;
        switch (models.Value)
        {
            case SpanSequence { Items.Count: > 0, IsFlow: true } flow:
                return Edit(flow.Items[^1].End, flow.Items[^1].End, ", " + pin.Flow());
            case SpanSequence { Items.Count: > 0 } block:
            {
                var last = block.Items[^1];
                var dashColumn = _tree.ColumnOf(block.Start);
                var item = last is SpanMapping { IsFlow: false } lastMapping
                    ? pin.BlockItem(_tree.ColumnOf(lastMapping.Start) - dashColumn, mappingStep, newLine, dashColumn)
                    : "- " + pin.Flow();
                var at = _tree.LineEnd(last.End);
                return Edit(at, at, newLine + new string(' ', dashColumn) + item);
            }

            case SpanSequence { Items.Count: 0 } or SpanScalar { IsNull: true }:
            {
                // models: [] or an empty models: becomes a block list under the key.
                var colon = Text.IndexOf(':', models.Key.End);
                var valueEnd = models.Value is SpanScalar { Value: "" } ? colon + 1 : models.Value.End;
                var lineEnd = _tree.LineEnd(valueEnd);
                var dashColumn = _tree.ColumnOf(models.Key.Start) + sequenceStep;
                var item = pin.BlockItem(2, mappingStep, newLine, dashColumn);
                var replacement = string.Concat(Text.AsSpan(valueEnd, lineEnd - valueEnd), newLine, new string(' ', dashColumn), item);
                return Edit(colon + 1, lineEnd, replacement);
            }

            default:
                throw new EnvironmentEditException($"{Location("models")}: 'models' in {Path} is not a list, so mlops cannot add a pin to it.");
        }
    }

    /// <summary>Inserts a key after the last existing key that comes before it in <paramref name="order"/>.</summary>
    private EnvironmentFileEditor Insert(SpanMapping mapping, string[] order, string key, NewValue value)
    {
        var rank = Array.IndexOf(order, key);
        var anchor = mapping.Entries.LastOrDefault(e => Array.IndexOf(order, e.Key.Value) is var r && r >= 0 && r < rank)
            ?? mapping.Entries.LastOrDefault()
            ?? throw new EnvironmentEditException($"{Path}: an empty mapping cannot be extended in place. Edit the file by hand.");
        if (mapping.IsFlow)
        {
            return Edit(anchor.Value.End, anchor.Value.End, $", {key}: {value.Flow()}");
        }

        var (mappingStep, sequenceStep) = _tree.Indentation();
        var keyColumn = _tree.ColumnOf(mapping.Start);
        var at = _tree.LineEnd(anchor.Value.End);
        var text = _tree.NewLine + new string(' ', keyColumn) + value.BlockEntry(key, keyColumn, mappingStep, sequenceStep, _tree.NewLine);
        return Edit(at, at, text);
    }

    private EnvironmentFileEditor RemoveEntry(SpanMapping mapping, SpanEntry entry)
    {
        var index = IndexOf(mapping, entry);
        if (mapping.IsFlow)
        {
            return index > 0
                ? Edit(mapping.Entries[index - 1].Value.End, entry.Value.End, "")
                : index + 1 < mapping.Entries.Count
                    ? Edit(entry.Key.Start, mapping.Entries[index + 1].Key.Start, "")
                    : Edit(entry.Key.Start, entry.Value.End, "");
        }

        if (!_tree.StartsLine(entry.Key.Start))
        {
            throw new EnvironmentEditException(
                $"{Path}: '{entry.Key.Value}' shares its line with the list item's dash, so mlops cannot remove it in place. Move it below the first key of its entry, or edit the file by hand.");
        }

        return Edit(_tree.LineStart(entry.Key.Start), _tree.NextLineStart(entry.Value.End), "");
    }

    private static int IndexOf(SpanMapping mapping, SpanEntry entry)
    {
        for (var i = 0; i < mapping.Entries.Count; i++)
        {
            if (ReferenceEquals(mapping.Entries[i], entry))
            {
                return i;
            }
        }

        return -1;
    }

    /// <summary>Writes a value in the quoting of the value it replaces; plain values that YAML would misread are double-quoted.</summary>
    private static string Format(string value, ScalarStyle style) => style switch
    {
        ScalarStyle.SingleQuoted => "'" + value.Replace("'", "''", StringComparison.Ordinal) + "'",
        ScalarStyle.DoubleQuoted => JsonSerializer.Serialize(value),
        _ => NewValue.Of(value).Flow(),
    };

    /// <summary>A value to write: a scalar, a mapping or a list, rendered in flow or block style.</summary>
    private sealed record NewValue(string? Scalar, IReadOnlyList<(string Key, NewValue Value)>? Entries, IReadOnlyList<NewValue>? Items)
    {
        public static NewValue Of(string scalar) => new(scalar, null, null);

        public static NewValue Map(IReadOnlyList<(string Key, NewValue Value)> entries) => new(null, entries, null);

        public static NewValue List(IReadOnlyList<NewValue> items) => new(null, null, items);

        public string Flow()
        {
            if (Scalar is { } scalar)
            {
                return IsPlainSafe(scalar) ? scalar : JsonSerializer.Serialize(scalar);
            }

            return Entries is { } entries
                ? "{ " + string.Join(", ", entries.Select(e => $"{e.Key}: {e.Value.Flow()}")) + " }"
                : "[" + string.Join(", ", Items!.Select(i => i.Flow())) + "]";
        }

        /// <summary><c>key: value</c>, with nested mappings and lists on the following lines (the first line is not indented).</summary>
        public string BlockEntry(string key, int keyColumn, int mappingStep, int sequenceStep, string newLine)
        {
            if (Scalar is not null)
            {
                return $"{key}: {Flow()}";
            }

            var text = new StringBuilder(key).Append(':');
            if (Entries is { } entries)
            {
                var column = keyColumn + mappingStep;
                foreach (var (childKey, child) in entries)
                {
                    text.Append(newLine).Append(' ', column).Append(child.BlockEntry(childKey, column, mappingStep, sequenceStep, newLine));
                }
            }
            else
            {
                var dash = keyColumn + sequenceStep;
                foreach (var item in Items!)
                {
                    text.Append(newLine).Append(' ', dash).Append(item.BlockItem(2, mappingStep, newLine, dash));
                }
            }

            return text.ToString();
        }

        /// <summary><c>- key: value</c> lines of a list item (the first line is not indented); keys sit <paramref name="keyOffset"/> after the dash.</summary>
        public string BlockItem(int keyOffset, int mappingStep, string newLine, int dashColumn)
        {
            if (Entries is not { } entries)
            {
                return "- " + Flow();
            }

            var keyColumn = dashColumn + keyOffset;
            var text = new StringBuilder("-").Append(' ', keyOffset - 1);
            for (var i = 0; i < entries.Count; i++)
            {
                if (i > 0)
                {
                    text.Append(newLine).Append(' ', keyColumn);
                }

                text.Append(entries[i].Value.BlockEntry(entries[i].Key, keyColumn, mappingStep, 2, newLine));
            }

            return text.ToString();
        }

        private static bool IsPlainSafe(string text) =>
            text.Length > 0
            && (char.IsAsciiLetterOrDigit(text[0]) || text[0] == '_')
            && text.All(c => char.IsAsciiLetterOrDigit(c) || c is '_' or '-' or '.' or '@' or ':' or '/' or '+')
            && !text.Contains(": ", StringComparison.Ordinal)
            && !text.EndsWith(':')
            && text is not ("true" or "false" or "null" or "True" or "False" or "Null" or "TRUE" or "FALSE" or "NULL" or "~");
    }
}
