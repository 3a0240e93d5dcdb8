using System.Globalization;
using System.Text;

namespace Mlops.Server.Ui.Html;

/// <summary>
/// Writes HTML (and inline SVG) where every text and attribute value is escaped: a page's only
/// markup is the tags this writer's callers name in code, so a category value, a model description
/// or a run parameter holding <c>&lt;script&gt;</c> shows as text. Tag and attribute names are
/// constants of the callers, never data.
/// </summary>
public sealed class HtmlWriter
{
    private readonly StringBuilder _text;
    private readonly Stack<string> _open = new();

    /// <summary>Starts an empty document.</summary>
    /// <param name="capacity">Characters to reserve.</param>
    public HtmlWriter(int capacity = 16 * 1024) => _text = new StringBuilder(capacity);

    /// <summary>Opens an element; <see cref="Close"/> ends it. An attribute whose value is null is left out.</summary>
    /// <param name="tag">The element's name.</param>
    /// <param name="attributes">Name and value pairs.</param>
    public HtmlWriter Open(string tag, params ReadOnlySpan<(string Name, string? Value)> attributes)
    {
        StartTag(tag, attributes);
        _text.Append('>');
        _open.Push(tag);
        return this;
    }

    /// <summary>Ends the element opened last.</summary>
    public HtmlWriter Close()
    {
        _text.Append("</").Append(_open.Pop()).Append('>');
        return this;
    }

    /// <summary>An element holding escaped text.</summary>
    /// <param name="tag">The element's name.</param>
    /// <param name="text">Its text (escaped; null writes nothing inside).</param>
    /// <param name="attributes">Name and value pairs.</param>
    public HtmlWriter Element(string tag, string? text, params ReadOnlySpan<(string Name, string? Value)> attributes)
    {
        StartTag(tag, attributes);
        _text.Append('>');
        Text(text);
        _text.Append("</").Append(tag).Append('>');
        return this;
    }

    /// <summary>An element with no content (<c>meta</c>, <c>link</c>, <c>input</c>, or a self-closed SVG shape).</summary>
    /// <param name="tag">The element's name.</param>
    /// <param name="attributes">Name and value pairs.</param>
    public HtmlWriter Empty(string tag, params ReadOnlySpan<(string Name, string? Value)> attributes)
    {
        StartTag(tag, attributes);
        _text.Append(tag is "meta" or "link" or "input" or "br" ? ">" : "/>");
        return this;
    }

    /// <summary>Escaped text.</summary>
    /// <param name="text">The text; null writes nothing.</param>
    public HtmlWriter Text(string? text)
    {
        Escape(text);
        return this;
    }

    /// <summary>The document's opening: doctype and the html element (closed by <see cref="ToString"/> callers through <see cref="Close"/>).</summary>
    public HtmlWriter Doctype()
    {
        _text.Append("<!DOCTYPE html>");
        return this;
    }

    /// <summary>Writes the text of a trusted constant (a style sheet) inside the open element; never pass data here.</summary>
    /// <param name="constant">Text the program itself holds.</param>
    internal HtmlWriter Constant(string constant)
    {
        _text.Append(constant);
        return this;
    }

    /// <summary>The document so far; every opened element must have been closed.</summary>
    public override string ToString()
    {
        if (_open.Count > 0)
        {
            throw new InvalidOperationException($"Element <{_open.Peek()}> was not closed.");
        }

        return _text.ToString();
    }

    /// <summary>A number as pages write it: invariant culture, at most <paramref name="digits"/> significant digits.</summary>
    /// <param name="value">The number.</param>
    /// <param name="digits">Significant digits.</param>
    public static string Number(double value, int digits = 4) =>
        double.IsNaN(value) ? "NaN" : value.ToString("G" + digits.ToString(CultureInfo.InvariantCulture), CultureInfo.InvariantCulture);

    /// <summary>A coordinate in an SVG: invariant culture, two decimals.</summary>
    /// <param name="value">The coordinate.</param>
    public static string Coordinate(double value) => value.ToString("0.##", CultureInfo.InvariantCulture);

    private void StartTag(string tag, ReadOnlySpan<(string Name, string? Value)> attributes)
    {
        _text.Append('<').Append(tag);
        foreach (var (name, value) in attributes)
        {
            if (value is null)
            {
                continue;
            }

            _text.Append(' ').Append(name).Append("=\"");
            Escape(value);
            _text.Append('"');
        }
    }

    private void Escape(string? text)
    {
        if (text is null)
        {
            return;
        }

        foreach (var c in text)
        {
            switch (c)
            {
                case '&': _text.Append("&amp;"); break;
                case '<': _text.Append("&lt;"); break;
                case '>': _text.Append("&gt;"); break;
                case '"': _text.Append("&quot;"); break;
                case '\'': _text.Append("&#39;"); break;
                default:
                    // Control characters have no business in a page; they are shown as their code.
                    if (char.IsControl(c) && c is not '\n' and not '\t')
                    {
                        _text.Append("\\u").Append(((int)c).ToString("x4", CultureInfo.InvariantCulture));
                    }
                    else
                    {
                        _text.Append(c);
                    }

                    break;
            }
        }
    }
}
