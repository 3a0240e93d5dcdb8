using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.Text;
using Microsoft.Extensions.Logging;
using Mlops.Declarations.Environments;
using Mlops.Runtime.Monitoring.Alerts;
using Mlops.Testing;

namespace Mlops.Runtime.Tests.Monitoring.Alerts;

/// <summary>Rules as the environment parser makes them, so the tests use the real grammar.</summary>
internal static class Rules
{
    public static AlertRule Parse(string item)
    {
        var result = EnvironmentParser.Parse("environments/production.yaml", $"environment: production\nmonitoring:\n  alerts:\n    - {item}\n");
        Assert.True(result.Diagnostics.Count == 0, string.Join("\n", result.Diagnostics));
        return Assert.Single(result.Declaration!.Value.Monitoring.Alerts);
    }
}

/// <summary>Keeps what the engine publishes.</summary>
internal sealed class RecordingPublisher : IAlertPublisher
{
    public List<AlertNotification> Published { get; } = [];

    public void Publish(AlertNotification notification) => Published.Add(notification);
}

/// <summary>Keeps every formatted log line.</summary>
internal sealed class ListLogger : ILogger
{
    public ConcurrentQueue<(LogLevel Level, string Line)> Lines { get; } = new();

    public IDisposable? BeginScope<TState>(TState state)
        where TState : notnull => null;

    public bool IsEnabled(LogLevel logLevel) => true;

    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
        Lines.Enqueue((logLevel, formatter(state, exception)));
}

/// <summary>A real HTTP listener on 127.0.0.1 that records each POST body and answers with the next status of a script (200 once the script ends).</summary>
internal sealed class WebhookListener : IDisposable
{
    private readonly Queue<int> _statuses;
    private readonly LoopbackHttpListener _listener;

    public WebhookListener(params int[] statuses)
    {
        _statuses = new Queue<int>(statuses);
        _listener = new LoopbackHttpListener(HandleAsync);
    }

    public Uri Url => new(_listener.Url + "/hooks/mlops");

    public ConcurrentQueue<(string ContentType, string Body)> Received { get; } = new();

    /// <summary>Waits, at most <paramref name="limit"/>, until <paramref name="count"/> requests arrived.</summary>
    public async Task WaitForAsync(int count, TimeSpan limit)
    {
        var clock = System.Diagnostics.Stopwatch.StartNew();
        while (Received.Count < count && clock.Elapsed < limit)
        {
            await Task.Delay(10, TestContext.Current.CancellationToken);
        }
    }

    /// <summary>A loopback port nothing listens on (bound, then released).</summary>
    public static int FreePort()
    {
        var probe = new TcpListener(IPAddress.Loopback, 0);
        probe.Start();
        var port = ((IPEndPoint)probe.LocalEndpoint).Port;
        probe.Stop();
        return port;
    }

    public void Dispose() => _listener.Dispose();

    private async Task HandleAsync(HttpListenerContext context)
    {
        using var reader = new StreamReader(context.Request.InputStream, Encoding.UTF8);
        var body = await reader.ReadToEndAsync();
        Received.Enqueue((context.Request.ContentType ?? "", body));
        lock (_statuses)
        {
            context.Response.StatusCode = _statuses.Count > 0 ? _statuses.Dequeue() : 200;
        }
    }
}
