using System.Runtime.CompilerServices;
using System.Text;

namespace Mlops.Pipeline.Data;

/// <summary>
/// Streams RFC 4180 CSV (comma separated, double-quoted fields, doubled quotes, line breaks inside
/// quotes, LF or CRLF) and keeps the line and column of every field, so data findings can point
/// at the offending value. Blank lines are skipped. A malformed file throws <see cref="CsvFormatException"/>.
/// Memory is bounded by the record, not the file: one record is held at a time, and a record longer than
/// <see cref="MaxRecordLength"/>, a field longer than <see cref="MaxFieldLength"/> or more than
/// <see cref="MaxFields"/> fields is refused as malformed (docs/file-formats.md, "CSV limits").
/// </summary>
public static class CsvReader
{
    /// <summary>The longest field, in characters (1 Mi): far beyond any feature value, and what an unclosed quote runs into.</summary>
    public const int MaxFieldLength = 1 << 20;

    /// <summary>The longest record, in characters (4 Mi), separators, quotes and quoted line breaks included.</summary>
    public const int MaxRecordLength = 4 << 20;

    /// <summary>The most fields in one record: 16,384, a spreadsheet's column limit.</summary>
    public const int MaxFields = 16_384;

    private enum State
    {
        FieldStart,
        Unquoted,
        Quoted,
        QuoteInQuoted,
    }

    /// <summary>Reads the records of <paramref name="reader"/>, the header included.</summary>
    /// <exception cref="CsvFormatException">A quote is unterminated or misplaced.</exception>
    public static async IAsyncEnumerable<CsvRow> ReadAsync(TextReader reader, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var buffer = new char[64 * 1024];
        var field = new StringBuilder();
        var fields = new List<string>();
        var positions = new List<CsvPosition>();
        var state = State.FieldStart;
        var line = 1;
        var column = 0;
        var rowLine = 0;
        var quoteStart = default(CsvPosition);
        var skipLineFeed = false;
        var recordLength = 0;

        int read;
        while ((read = await reader.ReadAsync(buffer.AsMemory(), cancellationToken).ConfigureAwait(false)) > 0)
        {
            for (var i = 0; i < read; i++)
            {
                var c = buffer[i];
                if (skipLineFeed)
                {
                    skipLineFeed = false;
                    if (c == '\n')
                    {
                        continue;
                    }
                }

                column++;
                var isNewLine = c is '\n' or '\r';
                if ((positions.Count > 0 || !isNewLine) && ++recordLength > MaxRecordLength)
                {
                    throw new CsvFormatException(new CsvPosition(rowLine, 1),
                        $"the record that starts on this line is longer than {MaxRecordLength:N0} characters, the most a record may have. "
                        + "Check for a missing line break or an unclosed quote; a longer record is not tabular data");
                }

                switch (state)
                {
                    case State.FieldStart:
                        if (fields.Count == 0 && isNewLine)
                        {
                            break; // a blank line
                        }

                        if (fields.Count == 0)
                        {
                            rowLine = line;
                        }

                        positions.Add(new CsvPosition(line, column));
                        if (positions.Count > MaxFields)
                        {
                            throw new CsvFormatException(new CsvPosition(rowLine, 1),
                                $"the record that starts on this line has more than {MaxFields:N0} fields, the most a record may have. "
                                + "Check the separators; a table this wide is not read as CSV");
                        }

                        if (c == '"')
                        {
                            quoteStart = new CsvPosition(line, column);
                            state = State.Quoted;
                        }
                        else if (c == ',')
                        {
                            fields.Add(string.Empty);
                        }
                        else if (isNewLine)
                        {
                            fields.Add(string.Empty);
                            yield return Row(rowLine, fields, positions, ref recordLength);
                        }
                        else
                        {
                            Append(field, c, positions);
                            state = State.Unquoted;
                        }

                        break;
                    case State.Unquoted:
                        if (c == ',')
                        {
                            EndField(field, fields, ref state);
                        }
                        else if (isNewLine)
                        {
                            EndField(field, fields, ref state);
                            yield return Row(rowLine, fields, positions, ref recordLength);
                        }
                        else if (c == '"')
                        {
                            throw new CsvFormatException(new CsvPosition(line, column),
                                "a quote inside an unquoted field; quote the whole field and double the quote (\"\")");
                        }
                        else
                        {
                            Append(field, c, positions);
                        }

                        break;
                    case State.Quoted:
                        if (c == '"')
                        {
                            state = State.QuoteInQuoted;
                        }
                        else
                        {
                            Append(field, c, positions);
                        }

                        break;
                    case State.QuoteInQuoted:
                        if (c == '"')
                        {
                            Append(field, '"', positions);
                            state = State.Quoted;
                        }
                        else if (c == ',')
                        {
                            EndField(field, fields, ref state);
                        }
                        else if (isNewLine)
                        {
                            EndField(field, fields, ref state);
                            yield return Row(rowLine, fields, positions, ref recordLength);
                        }
                        else
                        {
                            throw new CsvFormatException(new CsvPosition(line, column),
                                $"'{c}' after the closing quote of a field; a quoted field ends with a quote followed by a comma or a line break");
                        }

                        break;
                }

                if (isNewLine)
                {
                    skipLineFeed = c == '\r';
                    line++;
                    column = 0;
                }
            }
        }

        if (state == State.Quoted)
        {
            throw new CsvFormatException(quoteStart, "the quoted field that starts here never ends; add the closing quote");
        }

        if (state != State.FieldStart || fields.Count > 0)
        {
            EndField(field, fields, ref state);
            yield return Row(rowLine, fields, positions, ref recordLength);
        }
    }

    private static void Append(StringBuilder field, char c, List<CsvPosition> positions)
    {
        if (field.Length == MaxFieldLength)
        {
            throw new CsvFormatException(positions[^1],
                $"the field that starts here is longer than {MaxFieldLength:N0} characters, the most a field may have. "
                + "If it starts with a quote, the closing quote is probably missing; otherwise shorten the value");
        }

        field.Append(c);
    }

    private static void EndField(StringBuilder field, List<string> fields, ref State state)
    {
        fields.Add(field.ToString());
        field.Clear();
        state = State.FieldStart;
    }

    private static CsvRow Row(int line, List<string> fields, List<CsvPosition> positions, ref int recordLength)
    {
        var row = new CsvRow(line, [.. fields], [.. positions]);
        fields.Clear();
        positions.Clear();
        recordLength = 0;
        return row;
    }
}
