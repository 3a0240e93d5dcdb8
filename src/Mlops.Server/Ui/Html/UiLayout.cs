namespace Mlops.Server.Ui.Html;

/// <summary>How a page gets its style sheet.</summary>
public enum UiStyleSheet
{
    /// <summary>Linked from <c>/ui/assets/ui.css</c>: served pages, whose Content-Security-Policy allows styles from the server only.</summary>
    Linked,

    /// <summary>Inside the page: a file opened from disk with no server behind it (<c>mlops report drift --html</c>).</summary>
    Inline,
}

/// <summary>The frame every page shares: head, navigation, main, footer.</summary>
public static class UiLayout
{
    /// <summary>Where the UI is mounted.</summary>
    public const string Root = "/ui";

    /// <summary>The navigation: path under <see cref="Root"/> and label.</summary>
    public static IReadOnlyList<(string Path, string Label)> Navigation { get; } =
    [
        ("/", "Overview"),
        ("/runs", "Runs"),
        ("/registry", "Registry"),
        ("/history", "History"),
    ];

    /// <summary>A whole page.</summary>
    /// <param name="title">The page's title (escaped).</param>
    /// <param name="body">Writes the main content.</param>
    /// <param name="active">The navigation path to mark as current; null for none.</param>
    /// <param name="style">Where the style sheet comes from.</param>
    public static string Page(string title, Action<HtmlWriter> body, string? active = null, UiStyleSheet style = UiStyleSheet.Linked)
    {
        ArgumentNullException.ThrowIfNull(body);
        var w = new HtmlWriter();
        w.Doctype().Open("html", ("lang", "en")).Open("head")
            .Empty("meta", ("charset", "utf-8"))
            .Empty("meta", ("name", "viewport"), ("content", "width=device-width, initial-scale=1"))
            .Element("title", title + " · mlops")
            // No icon to fetch: a browser would ask for /favicon.ico and log the 404.
            .Empty("link", ("rel", "icon"), ("href", "data:,"));
        if (style == UiStyleSheet.Linked)
        {
            w.Empty("link", ("rel", "stylesheet"), ("href", Root + "/assets/ui.css"));
        }
        else
        {
            w.Open("style").Constant(UiStyle.Css).Close();
        }

        w.Close().Open("body");
        if (style == UiStyleSheet.Linked)
        {
            w.Open("nav", ("aria-label", "Pages")).Element("span", "mlops", ("class", "brand"));
            foreach (var (path, label) in Navigation)
            {
                w.Element("a", label, ("href", Root + path), ("aria-current", path == active ? "page" : null));
            }

            w.Close();
        }

        w.Open("main").Element("h1", title);
        body(w);
        w.Close().Close().Close();
        return w.ToString();
    }
}
