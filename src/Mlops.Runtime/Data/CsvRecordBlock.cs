using Mlops.Runtime.Features;

namespace Mlops.Runtime.Data;

/// <summary>
/// Records a <see cref="CsvReader"/> read, copied out of its buffer (text and fields), so that one
/// thread can read a file while another checks the records it has read. One record at a time is
/// current (<see cref="MoveTo"/>) and reads as the reader's current record does: fields as spans,
/// strings only when asked, positions worked out only for messages.
/// </summary>
/// <param name="capacity">The most records the block holds.</param>
public sealed class CsvRecordBlock(int capacity) : ITextRecord
{
    private readonly RecordSlice[] _records = new RecordSlice[capacity];
    private char[] _text = new char[capacity * 64];
    private int _textLength;
    private FieldSlice[] _fields = new FieldSlice[capacity * 8];
    private int _fieldTotal;
    private RecordSlice _current;

    /// <summary>How many records the block holds.</summary>
    public int Count { get; private set; }

    /// <summary>Whether the block holds as many records as it may.</summary>
    public bool IsFull => Count == _records.Length;

    /// <summary>The line the current record starts on.</summary>
    public int Line => _current.Line;

    /// <inheritdoc/>
    public int FieldCount => _current.FieldCount;

    /// <inheritdoc/>
    public ReadOnlySpan<char> this[int field] => Field(field);

    /// <summary>Makes record <paramref name="record"/> the current one.</summary>
    /// <param name="record">Its index in the block, from 0.</param>
    public void MoveTo(int record)
    {
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual((uint)record, (uint)Count, nameof(record));
        _current = _records[record];
    }

    /// <summary>A field of the current record, unquoted.</summary>
    /// <param name="field">The field's index, from 0.</param>
    public ReadOnlySpan<char> Field(int field)
    {
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual((uint)field, (uint)_current.FieldCount, nameof(field));
        ref readonly var slice = ref _fields[_current.FirstField + field];
        return new ReadOnlySpan<char>(_text, slice.Start, slice.Length);
    }

    /// <summary>A field of the current record as a string.</summary>
    /// <param name="field">The field's index, from 0.</param>
    public string FieldText(int field) => Field(field).ToString();

    /// <summary>Where a field of the current record starts: its line and column.</summary>
    /// <param name="field">The field's index, from 0.</param>
    public CsvPosition PositionOf(int field)
    {
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual((uint)field, (uint)_current.FieldCount, nameof(field));
        var raw = _fields[_current.FirstField + field].RawStart;
        return CsvReader.PositionIn(_text.AsSpan(_current.TextStart, raw - _current.TextStart), _current.Line);
    }

    /// <summary>Empties the block, keeping its arrays.</summary>
    public void Clear()
    {
        Count = 0;
        _textLength = 0;
        _fieldTotal = 0;
        _current = default;
    }

    /// <summary>Appends a record: its text as read, from <paramref name="textOffset"/> in the reader's buffer, and its fields there (or in <paramref name="scratch"/>, unescaped).</summary>
    internal void Add(int line, ReadOnlySpan<char> text, int textOffset, ReadOnlySpan<FieldSlice> fields, char[] scratch)
    {
        if (IsFull)
        {
            throw new InvalidOperationException($"The block holds {_records.Length} records already; take it before adding more.");
        }

        var unescaped = 0;
        foreach (var field in fields)
        {
            unescaped += field.Start < 0 ? field.Length : 0;
        }

        Reserve(ref _text, _textLength + text.Length + unescaped);
        Reserve(ref _fields, _fieldTotal + fields.Length);
        var start = _textLength;
        text.CopyTo(_text.AsSpan(start));
        _textLength += text.Length;
        var shift = start - textOffset;
        for (var i = 0; i < fields.Length; i++)
        {
            var field = fields[i];
            var at = field.Start + shift;
            if (field.Start < 0)
            {
                scratch.AsSpan(~field.Start, field.Length).CopyTo(_text.AsSpan(_textLength));
                at = _textLength;
                _textLength += field.Length;
            }

            _fields[_fieldTotal + i] = new FieldSlice(at, field.Length, field.RawStart + shift);
        }

        _records[Count++] = new RecordSlice(line, start, _fieldTotal, fields.Length);
        _fieldTotal += fields.Length;
    }

    private static void Reserve<T>(ref T[] array, int length)
    {
        if (array.Length < length)
        {
            Array.Resize(ref array, Math.Max(length, array.Length * 2));
        }
    }

    /// <summary>Where a record is: its line, where its text starts, and its fields.</summary>
    private readonly record struct RecordSlice(int Line, int TextStart, int FirstField, int FieldCount);
}
