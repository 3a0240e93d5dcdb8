using Mlops.Runtime.Data;
using Mlops.Declarations.Diagnostics;
using Mlops.Declarations.FeatureSets;
using Mlops.Declarations.Models;
using Mlops.Declarations.Schema;
using Mlops.Runtime.Features;

namespace Mlops.Pipeline.Data;

/// <summary>
/// A model's data file as one read of it left it (<see cref="Validation.DataValidator.ReadAsync"/>):
/// the findings, the file's digest, and, when kept, its clean rows as one batch of the feature set's
/// <see cref="InputSchema"/> (the runtime's row container) with each row's label and split key.
/// Training and evaluation start from it, so a file is read and hashed once per command.
/// </summary>
public sealed class ModelData
{
    private ModelData(Declared<ModelSpec> model, Declared<FeatureSet> featureSet, InputSchema schema, string dataPath)
    {
        Model = model;
        FeatureSet = featureSet;
        Schema = schema;
        DataPath = dataPath;
    }

    /// <summary>The model declaration.</summary>
    public Declared<ModelSpec> Model { get; }

    /// <summary>The feature set it names.</summary>
    public Declared<FeatureSet> FeatureSet { get; }

    /// <summary>The feature set's data features as the runtime checks them.</summary>
    public InputSchema Schema { get; }

    /// <summary>The data path as declared, with forward slashes.</summary>
    public string DataPath { get; }

    /// <summary>Every finding about the file.</summary>
    public IReadOnlyList<Diagnostic> Diagnostics { get; private init; } = [];

    /// <summary>Whether a finding is an error.</summary>
    public bool HasErrors => Diagnostics.Any(d => d.Severity == Severity.Error);

    /// <summary>Data rows read (the header excluded), clean or not.</summary>
    public int RowCount { get; private init; }

    /// <summary>The file's sha256 (<c>sha256:...</c>), or null when it could not be read.</summary>
    public string? Digest { get; private init; }

    /// <summary>The clean rows, when they were kept; null otherwise.</summary>
    public FeatureBatch? Rows { get; private init; }

    /// <summary>Each kept row's label, as written.</summary>
    public IReadOnlyList<string> Labels { get; private init; } = [];

    /// <summary>Each kept row's split key: the entity's value when the feature set declares one, else the whole record.</summary>
    public IReadOnlyList<string> SplitKeys { get; private init; } = [];

    /// <summary>The line each kept row starts on in the file.</summary>
    public IReadOnlyList<int> Lines { get; private init; } = [];

    /// <summary>Each kept row's time value and its place in the file, when the split is by time; empty otherwise.</summary>
    public IReadOnlyList<(string Text, CsvPosition Position)> Times { get; private init; } = [];

    /// <summary>The outcome when the file could not be read at all.</summary>
    internal static ModelData Failed(Declared<ModelSpec> model, Declared<FeatureSet> featureSet, InputSchema schema, string dataPath, IReadOnlyList<Diagnostic> diagnostics) =>
        new(model, featureSet, schema, dataPath) { Diagnostics = diagnostics };

    /// <summary>Collects what one read keeps.</summary>
    internal sealed class Builder(Declared<ModelSpec> model, Declared<FeatureSet> featureSet, InputSchema schema, string dataPath, bool keepRows)
    {
        private readonly List<FeatureBatch> _blocks = [];
        private readonly List<string> _labels = [];
        private readonly List<string> _splitKeys = [];
        private readonly List<int> _lines = [];
        private readonly List<(string, CsvPosition)> _times = [];

        public InputSchema Schema => schema;

        /// <summary>Whether the rows are kept (and so their labels, keys and times are wanted).</summary>
        public bool KeepsRows => keepRows;

        /// <summary>Data rows read so far, clean or not.</summary>
        public int RowCount { get; set; }

        /// <summary>Notes a clean row's label, split key and time (the row itself is in the writer's block).</summary>
        public void Add(int line, string label, string splitKey, (string Text, CsvPosition Position) time)
        {
            if (!keepRows)
            {
                return;
            }

            _lines.Add(line);
            _labels.Add(label);
            _splitKeys.Add(splitKey);
            if (time.Text is not null)
            {
                _times.Add(time);
            }
        }

        /// <summary>Keeps a full block of clean rows (or drops it, when rows are not kept).</summary>
        public void AddBlock(FeatureBatch block)
        {
            if (keepRows && block.RowCount > 0)
            {
                _blocks.Add(block);
            }
        }

        public ModelData Finish(IReadOnlyList<Diagnostic> diagnostics, string digest) => new(model, featureSet, schema, dataPath)
        {
            Diagnostics = diagnostics,
            RowCount = RowCount,
            Digest = digest,
            Rows = keepRows ? (_blocks.Count == 0 ? schema.NewBatch(0) : FeatureBatch.Concat(_blocks)) : null,
            Labels = _labels,
            SplitKeys = _splitKeys,
            Lines = _lines,
            Times = _times,
        };
    }
}
