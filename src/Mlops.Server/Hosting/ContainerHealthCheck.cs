using System.Globalization;
using Mlops.Runtime.Serving;

namespace Mlops.Server.Hosting;

/// <summary>
/// <c>Mlops.Server --health-check [URL]</c>: asks a running server's liveness route and exits 0 when it
/// answers 200, 1 otherwise. The Dockerfile's HEALTHCHECK runs it, because the runtime-deps image has no
/// curl or wget; the default address is loopback on the port the container listens on.
/// </summary>
public static class ContainerHealthCheck
{
    /// <summary>The argument that runs the check instead of the server.</summary>
    public const string Argument = "--health-check";

    /// <summary>How long the check waits for an answer.</summary>
    public static readonly TimeSpan Timeout = TimeSpan.FromSeconds(3);

    /// <summary>Whether the arguments ask for the check.</summary>
    public static bool IsRequested(string[] args) => args is [Argument, ..];

    /// <summary>The liveness address: the one given, else loopback on the first port of <c>ASPNETCORE_HTTP_PORTS</c>, else <see cref="ServerContainer.Port"/>.</summary>
    public static Uri Address(string[] args, string? httpPorts)
    {
        ArgumentNullException.ThrowIfNull(args);
        if (args is [_, var given, ..])
        {
            return new Uri(given);
        }

        var port = httpPorts?.Split([',', ';'], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).FirstOrDefault() is { } first
            && int.TryParse(first, NumberStyles.None, CultureInfo.InvariantCulture, out var parsed) ? parsed : ServerContainer.Port;
        return new Uri($"http://127.0.0.1:{port.ToString(CultureInfo.InvariantCulture)}{ServerContainer.LivePath}");
    }

    /// <summary>Runs the check: 0 when the server answers 200, 1 (with the reason on <paramref name="error"/>) otherwise.</summary>
    public static async Task<int> RunAsync(string[] args, TextWriter error)
    {
        ArgumentNullException.ThrowIfNull(error);
        Uri address;
        try
        {
            address = Address(args, Environment.GetEnvironmentVariable("ASPNETCORE_HTTP_PORTS"));
        }
        catch (UriFormatException e)
        {
            await error.WriteLineAsync($"Mlops.Server {Argument}: '{args[1]}' is not an address ({e.Message}). Pass a full URL such as http://127.0.0.1:{ServerContainer.Port}{ServerContainer.LivePath}, or nothing.").ConfigureAwait(false);
            return 1;
        }

        using var client = new HttpClient { Timeout = Timeout };
        try
        {
            using var response = await client.GetAsync(address).ConfigureAwait(false);
            if (response.IsSuccessStatusCode)
            {
                return 0;
            }

            await error.WriteLineAsync($"Mlops.Server {Argument}: {address} answered {(int)response.StatusCode}.").ConfigureAwait(false);
            return 1;
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
        {
            await error.WriteLineAsync($"Mlops.Server {Argument}: {address} did not answer ({e.Message}).").ConfigureAwait(false);
            return 1;
        }
    }
}
