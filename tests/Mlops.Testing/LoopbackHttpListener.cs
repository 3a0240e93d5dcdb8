using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace Mlops.Testing;

/// <summary>
/// A real HTTP endpoint on a loopback port of its own (HttpListener), answering every request with
/// <c>handle</c> until disposed: a webhook receiver, or a stand-in server a command is pointed at.
/// </summary>
public sealed class LoopbackHttpListener : IDisposable
{
    private readonly HttpListener _listener;
    private readonly Task _loop;

    /// <summary>Starts listening.</summary>
    /// <param name="handle">Answers one request; the listener closes the response afterwards.</param>
    public LoopbackHttpListener(Func<HttpListenerContext, Task> handle)
    {
        (_listener, Url) = Start();
        _loop = Task.Run(async () =>
        {
            while (_listener.IsListening)
            {
                HttpListenerContext context;
                try
                {
                    context = await _listener.GetContextAsync();
                }
                catch (Exception e) when (e is HttpListenerException or ObjectDisposedException)
                {
                    return;
                }

                await handle(context);
                context.Response.Close();
            }
        });
    }

    /// <summary>
    /// Starts a listener on a free loopback port. HttpListener cannot take port 0, so a port is found by
    /// binding and releasing it; another test of the run may take it in between, so a refused start is
    /// tried again on another port (a bounded number of times).
    /// </summary>
    private static (HttpListener Listener, string Url) Start()
    {
        for (var attempt = 1; ; attempt++)
        {
            int port;
            using (var probe = new TcpListener(IPAddress.Loopback, 0))
            {
                probe.Start();
                port = ((IPEndPoint)probe.LocalEndpoint).Port;
            }

            var url = string.Create(CultureInfo.InvariantCulture, $"http://127.0.0.1:{port}");
            var listener = new HttpListener();
            listener.Prefixes.Add(url + "/");
            try
            {
                listener.Start();
                return (listener, url);
            }
            catch (HttpListenerException) when (attempt < 10)
            {
                Close(listener);
            }
        }
    }

    /// <summary>The base address, without a trailing slash (<c>http://127.0.0.1:PORT</c>).</summary>
    public string Url { get; }

    public void Dispose()
    {
        Close(_listener);
        _loop.Wait(TimeSpan.FromSeconds(10));
    }

    /// <summary>
    /// Closes an HttpListener as a test's teardown should: Close alone (on Linux, Stop() unregisters the
    /// port and a Close() after it registers it again to unregister it, binding the port for a moment),
    /// and "Address already in use" from that unregistering ignored: another listener of the test run may
    /// have taken the port since, and the listener is gone either way.
    /// </summary>
    /// <param name="listener">The listener.</param>
    public static void Close(HttpListener listener)
    {
        ArgumentNullException.ThrowIfNull(listener);
        try
        {
            listener.Close();
        }
        catch (HttpListenerException)
        {
            // The port was taken again between this listener's start and its close; nothing is left to release.
        }
    }
}
