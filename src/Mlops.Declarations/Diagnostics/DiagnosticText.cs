using System.Globalization;
using System.Text;

namespace Mlops.Declarations.Diagnostics;

/// <summary>
/// Makes text that came from a user's files safe to print on one line: a diagnostic echoes values
/// from YAML and CSV, and a raw line break there could forge a second diagnostic, or a line CI
/// reads as a command (<c>::error ...</c>); an escape sequence could repaint the terminal; a 10 MB
/// value would be printed whole. The rules are stated in docs/diagnostics.md ("How values are shown").
/// </summary>
public static class DiagnosticText
{
    /// <summary>The longest stretch without white space that is shown whole; a longer one keeps its ends.</summary>
    public const int MaxRunLength = 200;

    /// <summary>The longest message shown whole; a longer one keeps its start and its end.</summary>
    public const int MaxLength = 2000;

    private const int RunHead = 120;
    private const int RunTail = 40;
    private const int MessageHead = 1500;
    private const int MessageTail = 400;

    /// <summary>Escapes control and format characters, then cuts long stretches and long text (the whole rule).</summary>
    /// <param name="text">A message, or a value about to be shown.</param>
    public static string Clean(string text)
    {
        if (text is null)
        {
            return string.Empty;
        }

        var escaped = Escape(text);
        var runs = CutRuns(escaped);
        return runs.Length <= MaxLength ? runs : Cut(runs, 0, runs.Length, MessageHead, MessageTail);
    }

    /// <summary>
    /// Writes every character that is not printable text as an escape: <c>\n</c>, <c>\r</c>, <c>\t</c>,
    /// else <c>\uXXXX</c> (Unicode categories Cc, Cf, Zl and Zp, which hold ESC, DEL, NEL, the line
    /// separators and the bidirectional overrides, and surrogates without a partner). Nothing is cut.
    /// </summary>
    /// <param name="text">The text to show.</param>
    public static string Escape(string text)
    {
        if (text is null)
        {
            return string.Empty;
        }

        var first = FirstUnsafe(text);
        if (first < 0)
        {
            return text;
        }

        var builder = new StringBuilder(text.Length + 16).Append(text, 0, first);
        for (var i = first; i < text.Length; i++)
        {
            var c = text[i];
            if (char.IsHighSurrogate(c) && i + 1 < text.Length && char.IsLowSurrogate(text[i + 1]))
            {
                if (IsUnsafe(CharUnicodeInfo.GetUnicodeCategory(text, i)))
                {
                    AppendCode(builder, c).Append(@"\u").Append(((int)text[i + 1]).ToString("X4", CultureInfo.InvariantCulture));
                }
                else
                {
                    builder.Append(c).Append(text[i + 1]);
                }

                i++;
                continue;
            }

            switch (c)
            {
                case '\n':
                    builder.Append(@"\n");
                    break;
                case '\r':
                    builder.Append(@"\r");
                    break;
                case '\t':
                    builder.Append(@"\t");
                    break;
                default:
                    if (char.IsSurrogate(c) || IsUnsafe(CharUnicodeInfo.GetUnicodeCategory(c)))
                    {
                        AppendCode(builder, c);
                    }
                    else
                    {
                        builder.Append(c);
                    }

                    break;
            }
        }

        return builder.ToString();
    }

    private static int FirstUnsafe(string text)
    {
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            if (c < ' ' || (c >= 0x7F && (char.IsSurrogate(c) || IsUnsafe(CharUnicodeInfo.GetUnicodeCategory(c)))))
            {
                return i;
            }
        }

        return -1;
    }

    private static bool IsUnsafe(UnicodeCategory category) => category is UnicodeCategory.Control or UnicodeCategory.Format
        or UnicodeCategory.LineSeparator or UnicodeCategory.ParagraphSeparator;

    private static StringBuilder AppendCode(StringBuilder builder, char c) =>
        builder.Append(@"\u").Append(((int)c).ToString("X4", CultureInfo.InvariantCulture));

    /// <summary>Cuts every stretch without white space longer than <see cref="MaxRunLength"/> (one long value).</summary>
    private static string CutRuns(string text)
    {
        StringBuilder? builder = null;
        var start = 0;
        var copied = 0;
        for (var i = 0; i <= text.Length; i++)
        {
            if (i < text.Length && !char.IsWhiteSpace(text[i]))
            {
                continue;
            }

            if (i - start > MaxRunLength)
            {
                builder ??= new StringBuilder(text.Length > MaxLength * 2 ? MaxLength * 2 : text.Length);
                builder.Append(text, copied, start - copied).Append(Cut(text, start, i, RunHead, RunTail));
                copied = i;
            }

            start = i + 1;
        }

        return builder is null ? text : builder.Append(text, copied, text.Length - copied).ToString();
    }

    /// <summary>
    /// Keeps the first <paramref name="head"/> and the last <paramref name="tail"/> characters of
    /// <c>text[start..end]</c>, saying how many were cut between them.
    /// </summary>
    private static string Cut(string text, int start, int end, int head, int tail)
    {
        // Never split a surrogate pair: the cut moves by one character instead.
        var headEnd = char.IsHighSurrogate(text[start + head - 1]) ? start + head - 1 : start + head;
        var tailStart = char.IsLowSurrogate(text[end - tail]) ? end - tail + 1 : end - tail;
        return text.Substring(start, headEnd - start)
            + "...[" + (tailStart - headEnd).ToString("N0", CultureInfo.InvariantCulture) + " characters cut]..."
            + text.Substring(tailStart, end - tailStart);
    }
}
