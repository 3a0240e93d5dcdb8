using System.Net;
using System.Net.Sockets;

namespace Mlops.Testing;

/// <summary>A loopback port held open by a listener, as another process would hold it, until disposed.</summary>
public sealed class HeldPort : IDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);

    public HeldPort()
    {
        _listener.Start();
        Port = ((IPEndPoint)_listener.LocalEndpoint).Port;
    }

    public int Port { get; }

    /// <summary>The address a server would be asked to listen on.</summary>
    public string Url => $"http://127.0.0.1:{Port}";

    public void Dispose() => _listener.Stop();

    /// <summary>A loopback port nothing listens on (taken from the system, then released), for a peer that cannot be reached.</summary>
    public static int Closed()
    {
        using var held = new HeldPort();
        return held.Port;
    }
}
