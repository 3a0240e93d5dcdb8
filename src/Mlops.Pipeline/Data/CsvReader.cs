using System.Runtime.CompilerServices;
using System.Text;

namespace Mlops.Pipeline.Data;

/// <summary>
/// Streams RFC 4180 CSV (comma separated, double-quoted fields, doubled quotes, line breaks inside
/// quotes, LF or CRLF) and keeps the line and column of every field, so data findings can point
/// at the offending value. Blank lines are skipped. A malformed file throws <see cref="CsvFormatException"/>.
/// </summary>
public static class CsvReader
{
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
                            yield return Row(rowLine, fields, positions);
                        }
                        else
                        {
                            field.Append(c);
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
                            yield return Row(rowLine, fields, positions);
                        }
                        else if (c == '"')
                        {
                            throw new CsvFormatException(new CsvPosition(line, column),
                                "a quote inside an unquoted field; quote the whole field and double the quote (\"\")");
                        }
                        else
                        {
                            field.Append(c);
                        }

                        break;
                    case State.Quoted:
                        if (c == '"')
                        {
                            state = State.QuoteInQuoted;
                        }
                        else
                        {
                            field.Append(c);
                        }

                        break;
                    case State.QuoteInQuoted:
                        if (c == '"')
                        {
                            field.Append('"');
                            state = State.Quoted;
                        }
                        else if (c == ',')
                        {
                            EndField(field, fields, ref state);
                        }
                        else if (isNewLine)
                        {
                            EndField(field, fields, ref state);
                            yield return Row(rowLine, fields, positions);
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
            yield return Row(rowLine, fields, positions);
        }
    }

    private static void EndField(StringBuilder field, List<string> fields, ref State state)
    {
        fields.Add(field.ToString());
        field.Clear();
        state = State.FieldStart;
    }

    private static CsvRow Row(int line, List<string> fields, List<CsvPosition> positions)
    {
        var row = new CsvRow(line, [.. fields], [.. positions]);
        fields.Clear();
        positions.Clear();
        return row;
    }
}
