using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using Mlops.Runtime.Features;

namespace Mlops.Runtime.Data;

/// <summary>
/// Streams RFC 4180 CSV (comma separated, double-quoted fields, doubled quotes, line breaks inside
/// quotes, LF or CRLF) a record at a time. Blank lines are skipped. A malformed file throws
/// <see cref="CsvFormatException"/>. Memory is bounded by the record, not the file: one record is held at
/// a time, and a record longer than <see cref="MaxRecordLength"/>, a field longer than
/// <see cref="MaxFieldLength"/> or more than <see cref="MaxFields"/> fields is refused as malformed
/// (docs/file-formats.md, "CSV limits").
/// </summary>
/// <remarks>
/// Records are parsed over a large character buffer into fields that are spans of it
/// (<see cref="Field"/>), so reading makes no string per field: a caller makes one only where a value
/// needs it (<see cref="FieldText"/>). Where a field starts (line and column) is worked out only when
/// asked (<see cref="PositionOf"/>), which error messages do. <see cref="ReadAsync(TextReader, CancellationToken)"/>
/// gives the records as <see cref="CsvRow"/>s of strings instead, for callers that keep them.
/// </remarks>
public sealed class CsvReader : ITextRecord, IAsyncDisposable
{
    /// <summary>The longest field, in characters (1 Mi): far beyond any feature value, and what an unclosed quote runs into.</summary>
    public const int MaxFieldLength = 1 << 20;

    /// <summary>The longest record, in characters (4 Mi), separators, quotes and quoted line breaks included.</summary>
    public const int MaxRecordLength = 4 << 20;

    /// <summary>The most fields in one record: 16,384, a spreadsheet's column limit.</summary>
    public const int MaxFields = 16_384;

    private const int InitialBuffer = 1 << 17;

    // Characters read (and decoded) ahead while the buffer is parsed.
    private const int Chunk = 1 << 16;

    // The most the buffer needs: a whole record at the limit, the character after it, and room to read.
    private const int MaxBuffer = MaxRecordLength + Chunk + 2;

    private readonly TextReader _reader;
    private char[] _buffer = new char[InitialBuffer];
    private int _start;
    private int _end;
    private bool _endOfInput;
    private int _line = 1;
    private bool _skipLineFeed;

    // The read under way into _chunk, started when the last one was taken.
    private readonly char[] _chunk = new char[Chunk];
    private ValueTask<int> _pending;
    private bool _reading;

    private int _recordStart;
    private FieldSlice[] _fields = new FieldSlice[64];
    private char[] _scratch = new char[256];
    private int _scratchLength;

    /// <summary>Reads records from <paramref name="reader"/>, which it does not dispose (dispose this reader first: it waits for the read it started ahead).</summary>
    /// <param name="reader">The text.</param>
    public CsvReader(TextReader reader)
    {
        ArgumentNullException.ThrowIfNull(reader);
        _reader = reader;
    }

    /// <summary>The line the current record starts on.</summary>
    public int Line { get; private set; }

    /// <summary>How many fields the current record has (0 before the first record and after the last).</summary>
    public int FieldCount { get; private set; }

    /// <summary>A field of the current record, unquoted; valid until the next read.</summary>
    /// <param name="field">The field's index, from 0.</param>
    public ReadOnlySpan<char> this[int field] => Field(field);

    /// <summary>Reads the records of <paramref name="reader"/>, the header included, as rows of strings with their positions.</summary>
    /// <param name="reader">The text; not disposed.</param>
    /// <param name="cancellationToken">Stops the reading.</param>
    /// <exception cref="CsvFormatException">A quote is unterminated or misplaced, or a record is beyond the limits.</exception>
    public static async IAsyncEnumerable<CsvRow> ReadAsync(TextReader reader, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        await using var csv = new CsvReader(reader);
        while (await csv.ReadRecordAsync(cancellationToken).ConfigureAwait(false))
        {
            yield return csv.ToRow();
        }
    }

    /// <summary>Moves to the next record.</summary>
    /// <param name="cancellationToken">Stops the reading.</param>
    /// <returns>Whether there is one; false at the end of the input.</returns>
    /// <exception cref="CsvFormatException">A quote is unterminated or misplaced, or the record is beyond the limits.</exception>
    public ValueTask<bool> ReadRecordAsync(CancellationToken cancellationToken = default) =>
        TryParse() ? new ValueTask<bool>(true) : FillAndParseAsync(cancellationToken);

    /// <summary>
    /// Moves to the next record when the buffer already holds all of it, without waiting: a caller
    /// reads the records at hand in a plain loop and awaits <see cref="ReadRecordAsync"/> only when
    /// this says false (more must be read, or the input has ended).
    /// </summary>
    /// <returns>Whether it moved to a record.</returns>
    /// <exception cref="CsvFormatException">A quote is unterminated or misplaced, or the record is beyond the limits.</exception>
    public bool TryReadBufferedRecord() => TryParse();

    /// <summary>A field of the current record, unquoted; valid until the next read.</summary>
    /// <param name="field">The field's index, from 0.</param>
    public ReadOnlySpan<char> Field(int field)
    {
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual((uint)field, (uint)FieldCount, nameof(field));
        ref readonly var slice = ref _fields[field];
        return slice.Start >= 0 ? new ReadOnlySpan<char>(_buffer, slice.Start, slice.Length) : new ReadOnlySpan<char>(_scratch, ~slice.Start, slice.Length);
    }

    /// <summary>A field of the current record as a string.</summary>
    /// <param name="field">The field's index, from 0.</param>
    public string FieldText(int field) => Field(field).ToString();

    /// <summary>Where a field of the current record starts: its line and column (of its opening quote, when quoted).</summary>
    /// <param name="field">The field's index, from 0.</param>
    public CsvPosition PositionOf(int field)
    {
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual((uint)field, (uint)FieldCount, nameof(field));
        return PositionAt(_fields[field].RawStart);
    }

    /// <summary>The current record as a row of strings with the position of each field.</summary>
    public CsvRow ToRow()
    {
        var fields = new string[FieldCount];
        var positions = new CsvPosition[FieldCount];
        for (var i = 0; i < FieldCount; i++)
        {
            fields[i] = FieldText(i);
            positions[i] = PositionOf(i);
        }

        return new CsvRow(Line, fields, positions);
    }

    private async ValueTask<bool> FillAndParseAsync(CancellationToken cancellationToken)
    {
        while (!TryParse())
        {
            if (_endOfInput)
            {
                FieldCount = 0;
                return false;
            }

            await FillAsync(cancellationToken).ConfigureAwait(false);
        }

        return true;
    }

    /// <summary>Waits for the read started ahead, if any; the text reader may then be disposed.</summary>
    public async ValueTask DisposeAsync()
    {
        if (_reading)
        {
            _reading = false;
            await ((Task)_pending.AsTask()).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        }
    }

    /// <summary>
    /// Keeps the unparsed rest at the buffer's start, makes room (a record longer than the buffer
    /// grows it) and appends the read started ahead, then starts the next: decoding the text goes on
    /// on another thread while this one parses.
    /// </summary>
    private async ValueTask FillAsync(CancellationToken cancellationToken)
    {
        var rest = _end - _start;
        if (_start > 0)
        {
            Array.Copy(_buffer, _start, _buffer, 0, rest);
            _start = 0;
            _end = rest;
        }

        // Doubling keeps a long record's parses (each starts again from its beginning) few.
        if (_buffer.Length - _end < Math.Max(Chunk, _buffer.Length / 2) && _buffer.Length < MaxBuffer)
        {
            Array.Resize(ref _buffer, Math.Min(MaxBuffer, _buffer.Length * 2));
        }

        if (!_reading)
        {
            _pending = _reader.ReadAsync(_chunk, cancellationToken);
        }

        _reading = false;
        var read = await _pending.ConfigureAwait(false);
        _chunk.AsSpan(0, read).CopyTo(_buffer.AsSpan(_end));
        _end += read;
        if (read > 0)
        {
            _pending = _reader.ReadAsync(_chunk, cancellationToken);
            _reading = true;
            return;
        }

        _endOfInput = true;

        // The last record needs no line break: give it one, so it ends as every other record does.
        if (_end > _start && _buffer[_end - 1] is not ('\r' or '\n'))
        {
            if (_end == _buffer.Length)
            {
                Array.Resize(ref _buffer, _buffer.Length + 1);
            }

            _buffer[_end++] = '\n';
        }
    }

    /// <summary>
    /// Parses the record at the buffer's unparsed start. False when the buffer holds no whole record:
    /// more must be read (or, at the end of the input, there are no more records).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private bool TryParse()
    {
        var buffer = _buffer;
        var i = _start;
        while (i < _end)
        {
            var c = buffer[i];
            if (c == '\n')
            {
                if (!_skipLineFeed)
                {
                    _line++; // a blank line
                }

                _skipLineFeed = false;
            }
            else if (c == '\r')
            {
                _line++;
                _skipLineFeed = true;
            }
            else
            {
                break;
            }

            i++;
        }

        _skipLineFeed = _skipLineFeed && i == _end;
        _start = i;
        if (i == _end)
        {
            return false;
        }

        _recordStart = i;
        Line = _line;
        FieldCount = 0;
        _scratchLength = 0;
        var lineBreaks = 0;

        // A character at offset MaxRecordLength of the record or later makes it too long; the line
        // break given to a last record at the end of the input does not count.
        var limit = Math.Min(_end, i + MaxRecordLength);
        if (_endOfInput && limit == _end - 1)
        {
            limit = _end;
        }

        var scan = new StopScan(buffer, limit);
        var open = -1;
        while (true)
        {
            if (i >= limit)
            {
                return OutOfWindow(limit, open);
            }

            if (FieldCount == MaxFields)
            {
                throw new CsvFormatException(new CsvPosition(Line, 1),
                    $"the record that starts on this line has more than {MaxFields:N0} fields, the most a record may have. "
                    + "Check the separators; a table this wide is not read as CSV");
            }

            char stop;
            if (buffer[i] == '"')
            {
                open = i;
                var escapes = 0;
                var hasLineBreak = false;
                var j = i + 1;
                while (true)
                {
                    j = scan.Next(j);
                    if (j >= limit)
                    {
                        CheckFieldLength(j - (i + 1) - escapes, i);
                        return OutOfWindow(limit, open);
                    }

                    var c = buffer[j];
                    if (c == '"')
                    {
                        if (j + 1 >= limit)
                        {
                            CheckFieldLength(j - (i + 1) - escapes, i);
                            return OutOfWindow(limit, open);
                        }

                        if (buffer[j + 1] != '"')
                        {
                            break;
                        }

                        escapes++;
                        j++;
                    }
                    else if (c != ',')
                    {
                        hasLineBreak = true;
                    }

                    j++;
                }

                var content = buffer.AsSpan(i + 1, j - (i + 1));
                CheckFieldLength(content.Length - escapes, i);
                if (hasLineBreak)
                {
                    lineBreaks += CountLineBreaks(content);
                }

                if (escapes == 0)
                {
                    AddField(i + 1, content.Length, i);
                }
                else
                {
                    AddField(~Unescape(content), content.Length - escapes, i);
                }

                open = -1;
                i = j + 1;
                stop = buffer[i];
                if (stop is not (',' or '\r' or '\n'))
                {
                    throw new CsvFormatException(PositionAt(i),
                        $"'{stop}' after the closing quote of a field; a quoted field ends with a quote followed by a comma or a line break");
                }
            }
            else
            {
                var j = scan.Next(i);
                CheckFieldLength(j - i, i);
                if (j >= limit)
                {
                    return OutOfWindow(limit, open);
                }

                stop = buffer[j];
                if (stop == '"')
                {
                    throw new CsvFormatException(PositionAt(j),
                        "a quote inside an unquoted field; quote the whole field and double the quote (\"\")");
                }

                AddField(i, j - i, i);
                i = j;
            }

            i++;
            if (stop != ',')
            {
                _skipLineFeed = stop == '\r';
                _line += lineBreaks + 1;
                _start = i;
                return true;
            }
        }
    }

    /// <summary>The record goes on past what the buffer holds or what a record may hold.</summary>
    private bool OutOfWindow(int limit, int open)
    {
        if (limit < _end)
        {
            throw new CsvFormatException(new CsvPosition(Line, 1),
                $"the record that starts on this line is longer than {MaxRecordLength:N0} characters, the most a record may have. "
                + "Check for a missing line break or an unclosed quote; a longer record is not tabular data");
        }

        if (_endOfInput && open >= 0)
        {
            throw new CsvFormatException(PositionAt(open), "the quoted field that starts here never ends; add the closing quote");
        }

        return false;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private void CheckFieldLength(int length, int rawStart)
    {
        if (length > MaxFieldLength)
        {
            FieldTooLong(rawStart);
        }
    }

    private void FieldTooLong(int rawStart) =>
        throw new CsvFormatException(PositionAt(rawStart),
            $"the field that starts here is longer than {MaxFieldLength:N0} characters, the most a field may have. "
            + "If it starts with a quote, the closing quote is probably missing; otherwise shorten the value");

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private void AddField(int start, int length, int rawStart)
    {
        if (FieldCount == _fields.Length)
        {
            Array.Resize(ref _fields, Math.Min(MaxFields, FieldCount * 2));
        }

        _fields[FieldCount++] = new FieldSlice(start, length, rawStart);
    }

    /// <summary>Copies a quoted field's content with its doubled quotes made single into the scratch buffer; returns where it starts there.</summary>
    private int Unescape(ReadOnlySpan<char> content)
    {
        if (_scratch.Length - _scratchLength < content.Length)
        {
            Array.Resize(ref _scratch, Math.Max(_scratch.Length * 2, _scratchLength + content.Length));
        }

        var start = _scratchLength;
        for (var k = 0; k < content.Length; k++)
        {
            _scratch[_scratchLength++] = content[k];
            if (content[k] == '"')
            {
                k++; // the second quote of the pair
            }
        }

        return start;
    }

    /// <summary>Line breaks in a text: LF, CR, or CRLF counted once.</summary>
    private static int CountLineBreaks(ReadOnlySpan<char> text)
    {
        var count = 0;
        for (var k = 0; k < text.Length; k++)
        {
            if (text[k] == '\n' || (text[k] == '\r' && (k + 1 == text.Length || text[k + 1] != '\n')))
            {
                count++;
            }
        }

        return count;
    }

    /// <summary>Copies the current record (its text and its fields) to the end of a block.</summary>
    public void CopyTo(CsvRecordBlock block) =>
        block.Add(Line, _buffer.AsSpan(_recordStart, _start - _recordStart), _recordStart, _fields.AsSpan(0, FieldCount), _scratch);

    /// <summary>The line and column of a character of the current record, counted from the record's start.</summary>
    private CsvPosition PositionAt(int offset) => PositionIn(_buffer.AsSpan(_recordStart, offset - _recordStart), Line);

    /// <summary>Where the character after <paramref name="before"/> is, when a record that starts on <paramref name="line"/> begins with <paramref name="before"/>.</summary>
    internal static CsvPosition PositionIn(ReadOnlySpan<char> before, int line)
    {
        var lineStart = 0;
        for (var k = 0; k < before.Length; k++)
        {
            var c = before[k];
            if (c == '\n' || c == '\r')
            {
                if (c == '\r' && k + 1 < before.Length && before[k + 1] == '\n')
                {
                    k++;
                }

                line++;
                lineStart = k + 1;
            }
        }

        return new CsvPosition(line, before.Length - lineStart + 1);
    }
}

/// <summary>Where a field's value is (in the text, or at <c>~Start</c> in the scratch buffer when its quotes were unescaped) and where its text starts.</summary>
internal readonly record struct FieldSlice(int Start, int Length, int RawStart);

/// <summary>
/// Finds the characters that matter to the parser (quote, comma, CR, LF) a vector of 16 at a
/// time: one comparison per 16 characters, then a bit per hit, rather than a test per character.
/// </summary>
internal struct StopScan(char[] buffer, int limit)
{
    private int _blockStart;
    private int _blockEnd;
    private uint _hits;

    /// <summary>The first quote, comma or line break at or after <paramref name="from"/>, or <c>limit</c> when there is none before it.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public int Next(int from)
    {
        while (true)
        {
            if (from >= _blockStart && from < _blockEnd)
            {
                var hits = _hits & (uint.MaxValue << (from - _blockStart));
                if (hits != 0)
                {
                    return _blockStart + BitOperations.TrailingZeroCount(hits);
                }

                from = _blockEnd;
            }

            if (!Vector256.IsHardwareAccelerated || from + Vector256<ushort>.Count > limit)
            {
                return Tail(from);
            }

            Load(from);
        }
    }

    private void Load(int from)
    {
        var chars = Vector256.LoadUnsafe(ref Unsafe.As<char, ushort>(ref MemoryMarshal.GetArrayDataReference(buffer)), (nuint)from);
        var stops = Vector256.Equals(chars, Vector256.Create((ushort)'"')) | Vector256.Equals(chars, Vector256.Create((ushort)','))
            | Vector256.Equals(chars, Vector256.Create((ushort)'\n')) | Vector256.Equals(chars, Vector256.Create((ushort)'\r'));
        _hits = stops.ExtractMostSignificantBits();
        _blockStart = from;
        _blockEnd = from + Vector256<ushort>.Count;
    }

    private readonly int Tail(int from)
    {
        var rest = buffer.AsSpan(from, limit - from);
        for (var k = 0; k < rest.Length; k++)
        {
            if (rest[k] is '"' or ',' or '\r' or '\n')
            {
                return from + k;
            }
        }

        return limit;
    }
}
