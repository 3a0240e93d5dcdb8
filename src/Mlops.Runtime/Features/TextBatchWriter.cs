namespace Mlops.Runtime.Features;

/// <summary>
/// Writes records of text fields (a data file's rows) into batches of an <see cref="InputSchema"/>,
/// a block of rows at a time, reading every field with <see cref="FeatureInput.ReadText"/>: the rules
/// validation, training, evaluation and batch scoring share with serving. A record with a value
/// that does not fit is reported field by field and left out of the batch; the caller decides
/// whether that fails the whole file.
/// </summary>
public sealed class TextBatchWriter
{
    private readonly InputSchema _schema;
    private readonly (FeatureInput Input, int Field)[] _read;
    private readonly int _capacity;
    private FeatureBatch _block;

    /// <summary>Maps a file's header onto the schema's inputs.</summary>
    /// <param name="schema">The schema the rows are for.</param>
    /// <param name="header">The file's column names.</param>
    /// <param name="capacity">Rows per block; <see cref="IsFull"/> says when to <see cref="Flush"/>.</param>
    public TextBatchWriter(InputSchema schema, IReadOnlyList<string> header, int capacity = 4096)
    {
        ArgumentNullException.ThrowIfNull(schema);
        ArgumentNullException.ThrowIfNull(header);
        ArgumentOutOfRangeException.ThrowIfLessThan(capacity, 1);
        _schema = schema;
        _capacity = capacity;
        var read = new List<(FeatureInput, int)>();
        var missing = new List<FeatureInput>();
        foreach (var input in schema.Inputs)
        {
            var field = IndexOf(header, input.Name);
            if (field < 0)
            {
                missing.Add(input);
            }
            else
            {
                read.Add((input, field));
            }
        }

        _read = [.. read];
        MissingColumns = missing;
        _block = NewBlock();
    }

    /// <summary>The inputs the header has no column for: every row misses them.</summary>
    public IReadOnlyList<FeatureInput> MissingColumns { get; }

    /// <summary>Rows in the current block.</summary>
    public int Count { get; private set; }

    /// <summary>Whether the current block is full.</summary>
    public bool IsFull => Count == _capacity;

    /// <summary>The field (column) of an input in the file, or -1.</summary>
    /// <param name="input">The input.</param>
    public int FieldOf(FeatureInput input)
    {
        ArgumentNullException.ThrowIfNull(input);
        foreach (var (known, field) in _read)
        {
            if (known.Index == input.Index)
            {
                return field;
            }
        }

        return -1;
    }

    /// <summary>Checks one record and, when every value fits, appends it to the current block.</summary>
    /// <param name="fields">The record's fields, as many as the header has.</param>
    /// <param name="problem">Receives each value that does not fit: its input, its field and what is wrong.</param>
    /// <returns>Whether the record was appended.</returns>
    /// <exception cref="InvalidOperationException">The block is full: flush it first.</exception>
    public bool Write(IReadOnlyList<string> fields, Action<FeatureInput, int, ValueProblem>? problem)
    {
        ArgumentNullException.ThrowIfNull(fields);
        if (IsFull)
        {
            throw new InvalidOperationException($"The block holds {_capacity} rows already; call Flush before writing more.");
        }

        var clean = true;
        foreach (var (input, field) in _read)
        {
            if (input.ReadText(fields[field], out var value) is { } wrong)
            {
                clean = false;
                problem?.Invoke(input, field, wrong);
            }
            else
            {
                _block.Set(input.Index, Count, value);
            }
        }

        if (clean)
        {
            Count++;
        }

        return clean;
    }

    /// <summary>The rows written since the last flush, as a batch; the next rows start a new block.</summary>
    public FeatureBatch Flush()
    {
        var batch = _block.Take(Count);
        _block = NewBlock();
        Count = 0;
        return batch;
    }

    private FeatureBatch NewBlock()
    {
        var block = _schema.NewBatch(_capacity);
        foreach (var (input, _) in _read)
        {
            block.Send(input.Index);
        }

        return block;
    }

    private static int IndexOf(IReadOnlyList<string> header, string name)
    {
        for (var i = 0; i < header.Count; i++)
        {
            if (string.Equals(header[i], name, StringComparison.Ordinal))
            {
                return i;
            }
        }

        return -1;
    }
}
