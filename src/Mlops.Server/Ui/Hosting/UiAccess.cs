using System.Net;
using Mlops.Server.Hosting;

namespace Mlops.Server.Ui.Hosting;

/// <summary>What a request to <c>/ui/</c> may see.</summary>
public enum UiAccessDecision
{
    /// <summary>Show the page.</summary>
    Allow,

    /// <summary>The token came in the query string: set the cookie and send the browser to the same page without it.</summary>
    AllowAndRemember,

    /// <summary>Refuse: the request is not from loopback and carries no (right) token, or no token is configured.</summary>
    Refuse,
}

/// <summary>
/// Who may see the UI. A request from loopback with no forwarding header sees it (a person on the
/// machine); any other (another host, or anything through a proxy, which forwards from loopback)
/// must bring the viewer token as <c>Authorization: Bearer</c>, as the <c>mlops_ui</c> cookie, or once
/// as <c>?token=</c> (which sets the cookie), unless <see cref="UiOptions.Open"/> says the UI is open.
/// </summary>
public static class UiAccess
{
    /// <summary>The cookie holding the viewer token.</summary>
    public const string Cookie = "mlops_ui";

    /// <summary>Decides for one request.</summary>
    /// <param name="request">The request.</param>
    /// <param name="options">The UI settings.</param>
    public static UiAccessDecision Decide(HttpRequest request, UiOptions options)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(options);
        if (options.Open || IsLocal(request))
        {
            return UiAccessDecision.Allow;
        }

        if (options.ViewerToken is not { Length: > 0 } token)
        {
            return UiAccessDecision.Refuse;
        }

        if (BearerToken.Carries(request, token))
        {
            return UiAccessDecision.Allow;
        }

        if (request.Cookies.TryGetValue(Cookie, out var cookie) && BearerToken.Same(cookie, token))
        {
            return UiAccessDecision.Allow;
        }

        return request.Query.TryGetValue("token", out var query) && BearerToken.Same(query.ToString(), token) ? UiAccessDecision.AllowAndRemember : UiAccessDecision.Refuse;
    }

    /// <summary>Whether the request came straight from this machine: both ends on loopback and no proxy's forwarding header.</summary>
    /// <param name="request">The request.</param>
    public static bool IsLocal(HttpRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        var connection = request.HttpContext.Connection;
        if (connection.RemoteIpAddress is not { } remote || !IPAddress.IsLoopback(remote)
            || connection.LocalIpAddress is not { } local || !IPAddress.IsLoopback(local))
        {
            return false;
        }

        return !request.Headers.ContainsKey("X-Forwarded-For") && !request.Headers.ContainsKey("Forwarded") && !request.Headers.ContainsKey("X-Real-IP");
    }
}
