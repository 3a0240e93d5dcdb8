namespace Mlops.Server.Ui.Html;

/// <summary>Addresses of UI pages with their query strings; each value is percent-encoded (the writer then escapes the attribute).</summary>
public static class UiUrl
{
    /// <summary>The address of a page under <see cref="UiLayout.Root"/>.</summary>
    /// <param name="path">The path under the root, starting with <c>/</c>.</param>
    /// <param name="query">Names and values; a null or empty value is left out.</param>
    public static string To(string path, params ReadOnlySpan<(string Name, string? Value)> query)
    {
        var url = UiLayout.Root + path;
        var separator = '?';
        foreach (var (name, value) in query)
        {
            if (string.IsNullOrEmpty(value))
            {
                continue;
            }

            url += separator + Uri.EscapeDataString(name) + "=" + Uri.EscapeDataString(value);
            separator = '&';
        }

        return url;
    }

    /// <summary>The page of one run.</summary>
    /// <param name="id">The run's id.</param>
    public static string Run(string id) => UiLayout.Root + "/runs/" + Uri.EscapeDataString(id);
}
