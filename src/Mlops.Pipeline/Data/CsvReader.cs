using System.Runtime.CompilerServices;
using Mlops.Runtime.Features;

namespace Mlops.Pipeline.Data;

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
public sealed class CsvReader : ITextRecord
{
    /// <summary>The longest field, in characters (1 Mi): far beyond any feature value, and what an unclosed quote runs into.</summary>
    public const int MaxFieldLength = 1 << 20;

    /// <summary>The longest record, in characters (4 Mi), separators, quotes and quoted line breaks included.</summary>
    public const int MaxRecordLength = 4 << 20;

    /// <summary>The most fields in one record: 16,384, a spreadsheet's column limit.</summary>
    public const int MaxFields = 16_384;

    private const int InitialBuffer = 1 << 17;

    // The most the buffer needs: a whole record at the limit, the character after it, and room to read.
    private const int MaxBuffer = MaxRecordLength + InitialBuffer + 2;

    private readonly TextReader _reader;
    private char[] _buffer = new char[InitialBuffer];
    private int _start;
    private int _end;
    private bool _endOfInput;
    private int _line = 1;
    private bool _skipLineFeed;

    private int _recordStart;
    private int[] _fieldStart = new int[64];
    private int[] _fieldLength = new int[64];
    private int[] _rawStart = new int[64];
    private bool[] _unescaped = new bool[64];
    private char[] _scratch = new char[256];
    private int _scratchLength;

    /// <summary>Reads records from <paramref name="reader"/>, which it does not dispose.</summary>
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
        var csv = new CsvReader(reader);
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

    /// <summary>A field of the current record, unquoted; valid until the next read.</summary>
    /// <param name="field">The field's index, from 0.</param>
    public ReadOnlySpan<char> Field(int field)
    {
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual((uint)field, (uint)FieldCount, nameof(field));
        return _unescaped[field]
            ? _scratch.AsSpan(_fieldStart[field], _fieldLength[field])
            : _buffer.AsSpan(_fieldStart[field], _fieldLength[field]);
    }

    /// <summary>A field of the current record as a string.</summary>
    /// <param name="field">The field's index, from 0.</param>
    public string FieldText(int field) => Field(field).ToString();

    /// <summary>Where a field of the current record starts: its line and column (of its opening quote, when quoted).</summary>
    /// <param name="field">The field's index, from 0.</param>
    public CsvPosition PositionOf(int field)
    {
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual((uint)field, (uint)FieldCount, nameof(field));
        return PositionAt(_rawStart[field]);
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

    /// <summary>Keeps the unparsed rest at the buffer's start, makes room (a record longer than the buffer grows it) and reads more.</summary>
    private async ValueTask FillAsync(CancellationToken cancellationToken)
    {
        var rest = _end - _start;
        if (_start > 0)
        {
            Array.Copy(_buffer, _start, _buffer, 0, rest);
            _start = 0;
            _end = rest;
        }

        if (_buffer.Length - _end < _buffer.Length / 2 && _buffer.Length < MaxBuffer)
        {
            Array.Resize(ref _buffer, Math.Min(MaxBuffer, _buffer.Length * 2));
        }

        var read = await _reader.ReadAsync(_buffer.AsMemory(_end), cancellationToken).ConfigureAwait(false);
        _end += read;
        if (read == 0)
        {
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

            // A plain loop rather than a vectorised search: fields are short, mostly a few characters.
            char stop;
            if (buffer[i] == '"')
            {
                open = i;
                var escapes = 0;
                var hasLineBreak = false;
                var j = i + 1;
                while (true)
                {
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
                    else if (c is '\r' or '\n')
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
                    AddField(i + 1, content.Length, i, unescaped: false);
                }
                else
                {
                    AddField(Unescape(content), content.Length - escapes, i, unescaped: true);
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
                var j = i;
                stop = '\0';
                while (j < limit)
                {
                    var c = buffer[j];

                    // Every character that ends an unquoted field sorts at or before ','.
                    if (c <= ',' && c is ',' or '"' or '\r' or '\n')
                    {
                        stop = c;
                        break;
                    }

                    j++;
                }

                CheckFieldLength(j - i, i);
                if (j == limit)
                {
                    return OutOfWindow(limit, open);
                }

                if (stop == '"')
                {
                    throw new CsvFormatException(PositionAt(j),
                        "a quote inside an unquoted field; quote the whole field and double the quote (\"\")");
                }

                AddField(i, j - i, i, unescaped: false);
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

    private void CheckFieldLength(int length, int rawStart)
    {
        if (length > MaxFieldLength)
        {
            throw new CsvFormatException(PositionAt(rawStart),
                $"the field that starts here is longer than {MaxFieldLength:N0} characters, the most a field may have. "
                + "If it starts with a quote, the closing quote is probably missing; otherwise shorten the value");
        }
    }

    private void AddField(int start, int length, int rawStart, bool unescaped)
    {
        if (FieldCount == _fieldStart.Length)
        {
            var size = Math.Min(MaxFields, FieldCount * 2);
            Array.Resize(ref _fieldStart, size);
            Array.Resize(ref _fieldLength, size);
            Array.Resize(ref _rawStart, size);
            Array.Resize(ref _unescaped, size);
        }

        _fieldStart[FieldCount] = start;
        _fieldLength[FieldCount] = length;
        _rawStart[FieldCount] = rawStart;
        _unescaped[FieldCount] = unescaped;
        FieldCount++;
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

    /// <summary>The line and column of a character of the current record, counted from the record's start.</summary>
    private CsvPosition PositionAt(int offset)
    {
        var line = Line;
        var lineStart = _recordStart;
        for (var k = _recordStart; k < offset; k++)
        {
            var c = _buffer[k];
            if (c == '\n' || c == '\r')
            {
                if (c == '\r' && k + 1 < offset && _buffer[k + 1] == '\n')
                {
                    k++;
                }

                line++;
                lineStart = k + 1;
            }
        }

        return new CsvPosition(line, offset - lineStart + 1);
    }
}
