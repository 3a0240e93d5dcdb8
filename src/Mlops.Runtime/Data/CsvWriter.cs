using System.Diagnostics;
using System.Globalization;
using System.Text;

namespace Mlops.Runtime.Data;

/// <summary>
/// Writes RFC 4180 CSV the way <see cref="CsvReader"/> reads it: a field is quoted when it holds a
/// comma, a quote, a line break, or leading or trailing spaces; numbers are written culture-invariantly
/// and in full (a float's shortest text that reads back to the same float). Numbers are formatted into
/// a span (<c>TryFormat</c>), not made into strings: a file of a million predictions writes millions of them.
/// </summary>
/// <param name="writer">Receives the text; not disposed.</param>
public sealed class CsvWriter(TextWriter writer)
{
    private bool _fieldWritten;

    /// <summary>Writes a line of comment (<c># ...</c>), which says what produced the file.</summary>
    public async Task CommentAsync(string text) => await writer.WriteLineAsync("# " + text.ReplaceLineEndings(" ")).ConfigureAwait(false);

    /// <summary>Writes a text field; null writes an empty field.</summary>
    public void Field(string? value)
    {
        Separate();
        if (value is null)
        {
            return;
        }

        if (value.Length > 0 && (value.AsSpan().IndexOfAny(",\"\r\n") >= 0 || value[0] == ' ' || value[^1] == ' '))
        {
            writer.Write('"');
            writer.Write(value.Replace("\"", "\"\"", StringComparison.Ordinal));
            writer.Write('"');
        }
        else
        {
            writer.Write(value);
        }
    }

    /// <summary>Writes a number field; NaN writes an empty field.</summary>
    public void Field(float value)
    {
        Separate();
        if (!float.IsNaN(value))
        {
            Span<char> text = stackalloc char[32];
            var formatted = value.TryFormat(text, out var length, default, CultureInfo.InvariantCulture);
            Debug.Assert(formatted, "a float's shortest text is at most 16 characters");
            writer.Write(text[..length]);
        }
    }

    /// <summary>Writes a number field in its shortest text that reads back to the same double; NaN writes an empty field.</summary>
    public void Field(double value)
    {
        Separate();
        if (!double.IsNaN(value))
        {
            Span<char> text = stackalloc char[32];
            var formatted = value.TryFormat(text, out var length, "R", CultureInfo.InvariantCulture);
            Debug.Assert(formatted, "a double's shortest text is at most 25 characters");
            writer.Write(text[..length]);
        }
    }

    /// <summary>Writes a bool field as <c>true</c> or <c>false</c>.</summary>
    public void Field(bool value)
    {
        Separate();
        writer.Write(value ? "true" : "false");
    }

    /// <summary>Writes a whole-number field.</summary>
    public void Field(long value)
    {
        Separate();
        Span<char> text = stackalloc char[20];
        var formatted = value.TryFormat(text, out var length, default, CultureInfo.InvariantCulture);
        Debug.Assert(formatted, "a long is at most 20 characters");
        writer.Write(text[..length]);
    }

    /// <summary>Ends the record.</summary>
    public void EndRecord()
    {
        writer.Write('\n');
        _fieldWritten = false;
    }

    /// <summary>Writes a whole record of texts.</summary>
    public void Record(IEnumerable<string?> fields)
    {
        foreach (var field in fields)
        {
            Field(field);
        }

        EndRecord();
    }

    private void Separate()
    {
        if (_fieldWritten)
        {
            writer.Write(',');
        }

        _fieldWritten = true;
    }
}
