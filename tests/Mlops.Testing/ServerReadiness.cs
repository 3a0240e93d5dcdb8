namespace Mlops.Testing;

/// <summary>
/// Waits until a server answers <c>GET /v2/health/ready</c> with 200. A server listens before it has loaded
/// its pinned bundles, so a request sent as soon as the port opens is told "serves no model yet".
/// </summary>
public static class ServerReadiness
{
    /// <summary>The readiness path of the Open Inference Protocol v2.</summary>
    public const string Path = "/v2/health/ready";

    /// <summary>Polls the readiness path until it answers 200; connection refusals count as not ready yet.</summary>
    /// <param name="http">A client whose base address is the server.</param>
    /// <param name="limit">How long to wait in all.</param>
    /// <param name="cancellationToken">Stops the wait.</param>
    /// <param name="stillRunning">Called before each attempt; throws (for example when the server's process exited) to stop at once.</param>
    /// <param name="describe">What the timeout message shows of the server (its output, its /status).</param>
    /// <exception cref="TimeoutException">It was not ready within <paramref name="limit"/>.</exception>
    public static async Task WaitAsync(
        HttpClient http,
        TimeSpan limit,
        CancellationToken cancellationToken,
        Func<CancellationToken, Task>? stillRunning = null,
        Func<Task<string>>? describe = null)
    {
        ArgumentNullException.ThrowIfNull(http);
        var started = TimeProvider.System.GetTimestamp();
        while (TimeProvider.System.GetElapsedTime(started) < limit)
        {
            if (stillRunning is not null)
            {
                await stillRunning(cancellationToken);
            }

            try
            {
                using var ready = await http.GetAsync(Path, cancellationToken);
                if (ready.IsSuccessStatusCode)
                {
                    return;
                }
            }
            catch (HttpRequestException)
            {
                // Not listening yet.
            }

            await Task.Delay(100, cancellationToken);
        }

        var description = describe is null ? "" : ": " + await describe();
        throw new TimeoutException($"{http.BaseAddress} was not ready within {limit.TotalSeconds:0} s{description}");
    }
}
