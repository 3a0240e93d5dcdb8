using System.Security.Cryptography;
using System.Text;

namespace Mlops.Server.Hosting;

/// <summary>
/// The one comparison of a configured token with what a request brings (the admin token, the inference
/// token, the UI's viewer token): in constant time, so the time of a refusal tells nothing about the token.
/// </summary>
public static class BearerToken
{
    /// <summary>Whether <paramref name="given"/> equals <paramref name="token"/>, compared in constant time.</summary>
    /// <param name="given">What the request brought.</param>
    /// <param name="token">The configured token.</param>
    public static bool Same(string given, string token)
    {
        ArgumentNullException.ThrowIfNull(given);
        ArgumentNullException.ThrowIfNull(token);
        return CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(given), Encoding.UTF8.GetBytes(token));
    }

    /// <summary>Whether the request's <c>Authorization: Bearer TOKEN</c> header carries <paramref name="token"/>.</summary>
    /// <param name="request">The request.</param>
    /// <param name="token">The configured token.</param>
    public static bool Carries(HttpRequest request, string token)
    {
        ArgumentNullException.ThrowIfNull(request);
        var header = request.Headers.Authorization.ToString();
        return Same(header.StartsWith("Bearer ", StringComparison.Ordinal) ? header["Bearer ".Length..] : "", token);
    }
}
