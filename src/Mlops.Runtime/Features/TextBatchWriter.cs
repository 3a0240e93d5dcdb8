using System.Collections.Concurrent;
using System.Runtime.CompilerServices;

namespace Mlops.Runtime.Features;

/// <summary>
/// Writes records of text fields (a data file's rows) into batches of an <see cref="InputSchema"/>,
/// a block of rows at a time, reading every field with <see cref="FeatureInput.ReadText(ReadOnlySpan{char}, out FeatureValue)"/>:
/// the rules validation, training, evaluation and batch scoring share with serving. A record with a
/// value that does not fit is reported field by field and left out of the batch; the caller decides
/// whether that fails the whole file.
/// </summary>
/// <remarks>
/// A record is read as spans (<see cref="ITextRecord"/>), so no string is made for a number, a bool
/// or a declared category. A caller that is done with a full block may hand it back
/// (<see cref="Recycle"/>): the next block reuses its arrays, which a file of many blocks would
/// otherwise allocate and collect block after block.
/// </remarks>
public sealed class TextBatchWriter
{
    private readonly InputSchema _schema;
    private readonly (FeatureInput Input, int Field)[] _read;

    // Per read column, where its values go in a block's number or code array (-1: neither; written through FeatureBatch.Set).
    private readonly int[] _numberAt;
    private readonly int[] _codeAt;
    private readonly int _capacity;
    private readonly ConcurrentQueue<FeatureBatch> _free = new();
    private readonly FeatureBatch _first;
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
        _numberAt = new int[_read.Length];
        _codeAt = new int[_read.Length];
        _block = NewBlock();
        _first = _block;
        for (var r = 0; r < _read.Length; r++)
        {
            _numberAt[r] = _block.NumberOffset(_read[r].Input.Index);
            _codeAt[r] = _block.CodeOffset(_read[r].Input.Index);
        }
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
        return Write(new StringRecord(fields), problem);
    }

    /// <summary>Checks one record read as spans and, when every value fits, appends it to the current block.</summary>
    /// <param name="record">The record, with as many fields as the header has.</param>
    /// <param name="problem">Receives each value that does not fit: its input, its field and what is wrong.</param>
    /// <returns>Whether the record was appended.</returns>
    /// <exception cref="InvalidOperationException">The block is full: flush it first.</exception>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public bool Write(ITextRecord record, Action<FeatureInput, int, ValueProblem>? problem)
    {
        ArgumentNullException.ThrowIfNull(record);
        if (IsFull)
        {
            throw new InvalidOperationException($"The block holds {_capacity} rows already; call Flush before writing more.");
        }

        // Numbers and declared categories, nearly every value of a file, go straight into the block's
        // arrays; the rest (texts, undeclared categories, a row written over) through FeatureBatch.Set.
        var block = _block;
        var numbers = block.NumberStore;
        var codes = block.CodeStore;
        var row = Count;
        var clean = true;
        for (var r = 0; r < _read.Length; r++)
        {
            var (input, field) = _read[r];
            if (input.ReadText(record[field], out var value) is { } wrong)
            {
                clean = false;
                problem?.Invoke(input, field, wrong);
            }
            else if (_numberAt[r] >= 0)
            {
                numbers![_numberAt[r] + row] = value.Number;
            }
            else if (_codeAt[r] >= 0 && value.Code != FeatureBatch.UndeclaredCode && !block.HasTexts(input.Index))
            {
                codes![_codeAt[r] + row] = value.Code;
            }
            else
            {
                block.Set(input.Index, row, value);
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

    /// <summary>
    /// Hands back a full block that <see cref="Flush"/> gave and that nothing reads any more, so a
    /// later block reuses its arrays. Safe to call from another thread than the writing one; a
    /// block that is not full, or not of this writer, is left to the collector.
    /// </summary>
    /// <param name="block">The block; it must not be read after this call.</param>
    public void Recycle(FeatureBatch block)
    {
        ArgumentNullException.ThrowIfNull(block);
        if (block.RowCount == _capacity && block.IsFullBlockOf(_first) && _free.Count < 4)
        {
            _free.Enqueue(block);
        }
    }

    private FeatureBatch NewBlock()
    {
        if (_free.TryDequeue(out var reused))
        {
            // Every row of the next block is written whole before it is read: only what the batch made of its rows must go.
            reused.ForgetMadeTexts();
            return reused;
        }

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

    /// <summary>A record of strings, read as spans.</summary>
    private sealed class StringRecord(IReadOnlyList<string> fields) : ITextRecord
    {
        public int FieldCount => fields.Count;

        public ReadOnlySpan<char> this[int field] => fields[field];
    }
}
