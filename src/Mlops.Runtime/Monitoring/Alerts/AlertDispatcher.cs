using System.Net;
using System.Net.Http.Headers;
using System.Threading.Channels;
using Microsoft.Extensions.Logging;

namespace Mlops.Runtime.Monitoring.Alerts;

/// <summary>Counts of webhook delivery since the dispatcher started.</summary>
/// <param name="Delivered">Messages a webhook answered with a 2xx status.</param>
/// <param name="Failed">Messages given up on: every attempt failed, or the webhook refused the message (4xx other than 408 and 429).</param>
/// <param name="Dropped">Messages not queued because the queue was full or the dispatcher was stopping.</param>
/// <param name="Attempts">POSTs made, retries included.</param>
public sealed record WebhookCounts(long Delivered, long Failed, long Dropped, long Attempts);

/// <summary>
/// Logs every notification (one line, at once, on the caller's thread: cheap) and delivers those of rules with <c>notify</c>
/// to their webhook as a JSON POST from a background loop, through a bounded queue, in order, retrying with exponential
/// backoff a bounded number of times. Nothing here throws into the caller: an unreachable webhook is logged and counted.
/// </summary>
public sealed partial class AlertDispatcher : IAlertPublisher, IAsyncDisposable
{
    private readonly HttpClient _http;
    private readonly ILogger _logger;
    private readonly TimeProvider _time;
    private readonly WebhookOptions _options;
    private readonly Channel<(AlertNotification Notification, Uri Target)> _queue;
    private readonly CancellationTokenSource _stopping = new();
    private readonly Task _loop;
    private long _delivered;
    private long _failed;
    private long _dropped;
    private long _attempts;
    private long _pending;

    /// <summary>Starts the delivery loop.</summary>
    /// <param name="http">The client that POSTs; owned by the caller.</param>
    /// <param name="logger">Where each notification and each delivery failure is logged.</param>
    /// <param name="time">The clock for backoff and attempt timeouts.</param>
    /// <param name="options">Attempts, backoff and queue size; the defaults when null.</param>
    /// <exception cref="ArgumentNullException">An argument other than <paramref name="options"/> is null.</exception>
    /// <exception cref="ArgumentException">An option is out of range.</exception>
    public AlertDispatcher(HttpClient http, ILogger logger, TimeProvider time, WebhookOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(http);
        ArgumentNullException.ThrowIfNull(logger);
        ArgumentNullException.ThrowIfNull(time);
        _options = options ?? new WebhookOptions();
        _options.Validate();
        _http = http;
        _logger = logger;
        _time = time;
        _queue = Channel.CreateBounded<(AlertNotification, Uri)>(new BoundedChannelOptions(_options.QueueCapacity)
        {
            SingleReader = true,
            FullMode = BoundedChannelFullMode.Wait, // TryWrite then fails at once, and the message is counted as dropped
        });
        _loop = Task.Run(() => RunAsync(_stopping.Token));
    }

    /// <summary>The delivery counts so far.</summary>
    public WebhookCounts Counts => new(Interlocked.Read(ref _delivered), Interlocked.Read(ref _failed), Interlocked.Read(ref _dropped), Interlocked.Read(ref _attempts));

    /// <summary>The address a rule's <c>notify</c> is POSTed to: <c>webhook://HOST/PATH</c> becomes <c>https://HOST/PATH</c>.</summary>
    /// <param name="notify">The rule's notify address.</param>
    public static Uri DeliveryAddress(Uri notify)
    {
        ArgumentNullException.ThrowIfNull(notify);
        return notify.Scheme == "webhook" ? new UriBuilder(notify) { Scheme = Uri.UriSchemeHttps, Port = notify.IsDefaultPort ? -1 : notify.Port }.Uri : notify;
    }

    /// <inheritdoc/>
    public void Publish(AlertNotification notification)
    {
        if (notification is null)
        {
            return;
        }

        try
        {
            var line = AlertMessage.Summary(notification);
            if (notification.Status == AlertNotificationStatus.Firing)
            {
                LogFiring(_logger, line);
            }
            else
            {
                LogResolved(_logger, line);
            }

            if (notification.Rule.Notify is not { } notify)
            {
                return;
            }

            Interlocked.Increment(ref _pending);
            if (!_queue.Writer.TryWrite((notification, DeliveryAddress(notify))))
            {
                Interlocked.Decrement(ref _pending);
                Interlocked.Increment(ref _dropped);
                LogDropped(_logger, _options.QueueCapacity, line);
            }
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            // A logger that throws must not break the caller either.
            Interlocked.Increment(ref _dropped);
        }
    }

    /// <summary>Waits until every queued message was delivered or given up on, or until <paramref name="cancellationToken"/> is cancelled.</summary>
    /// <param name="cancellationToken">Stops the wait.</param>
    public async Task WaitIdleAsync(CancellationToken cancellationToken)
    {
        // Polled, not signalled: this is for tests and shutdown, where a few milliseconds do not matter.
        while (Interlocked.Read(ref _pending) > 0)
        {
            await Task.Delay(TimeSpan.FromMilliseconds(10), cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Stops taking messages, gives the queue <paramref name="grace"/> to drain, then cancels what is left.</summary>
    /// <param name="grace">How long queued messages may still take.</param>
    public async Task StopAsync(TimeSpan grace)
    {
        _queue.Writer.TryComplete();
        using var timeout = new CancellationTokenSource(grace, _time);
        try
        {
            await _loop.WaitAsync(timeout.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            await _stopping.CancelAsync().ConfigureAwait(false);
            await _loop.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        }
    }

    /// <summary>Stops with five seconds of grace.</summary>
    public async ValueTask DisposeAsync()
    {
        await StopAsync(TimeSpan.FromSeconds(5)).ConfigureAwait(false);
        _stopping.Dispose();
    }

    private async Task RunAsync(CancellationToken stopping)
    {
        try
        {
            await foreach (var (notification, target) in _queue.Reader.ReadAllAsync(stopping).ConfigureAwait(false))
            {
                try
                {
                    await DeliverAsync(notification, target, stopping).ConfigureAwait(false);
                }
                finally
                {
                    Interlocked.Decrement(ref _pending);
                }
            }
        }
        catch (OperationCanceledException) when (stopping.IsCancellationRequested)
        {
            // Stopping: what is still queued is not delivered.
        }
    }

    private async Task DeliverAsync(AlertNotification notification, Uri target, CancellationToken stopping)
    {
        var body = AlertMessage.Json(notification);
        string? last = null;
        for (var attempt = 1; attempt <= _options.MaxAttempts; attempt++)
        {
            if (attempt > 1)
            {
                await Task.Delay(_options.DelayBefore(attempt), _time, stopping).ConfigureAwait(false);
            }

            Interlocked.Increment(ref _attempts);
            using var timeout = new CancellationTokenSource(_options.AttemptTimeout, _time);
            using var linked = CancellationTokenSource.CreateLinkedTokenSource(timeout.Token, stopping);
            try
            {
                using var content = new ByteArrayContent(body);
                content.Headers.ContentType = new MediaTypeHeaderValue("application/json") { CharSet = "utf-8" };
                using var response = await _http.PostAsync(target, content, linked.Token).ConfigureAwait(false);
                if (response.IsSuccessStatusCode)
                {
                    Interlocked.Increment(ref _delivered);
                    return;
                }

                last = $"HTTP {(int)response.StatusCode} {response.ReasonPhrase}";
                if (IsPermanent(response.StatusCode))
                {
                    break;
                }
            }
            catch (OperationCanceledException) when (stopping.IsCancellationRequested)
            {
                throw;
            }
            catch (OperationCanceledException)
            {
                last = $"no answer within {_options.AttemptTimeout.TotalSeconds:0.###} s";
            }
            catch (HttpRequestException e)
            {
                last = e.Message;
            }
        }

        Interlocked.Increment(ref _failed);
        LogUndelivered(_logger, target.GetLeftPart(UriPartial.Path), last ?? "no attempt was made", AlertMessage.Summary(notification));
    }

    // The webhook understood the request and refused it: retrying the same body cannot help.
    private static bool IsPermanent(HttpStatusCode status) =>
        (int)status is >= 400 and < 500 && status is not HttpStatusCode.RequestTimeout and not HttpStatusCode.TooManyRequests;

    [LoggerMessage(EventId = 1, Level = LogLevel.Warning, Message = "alert: {Line}")]
    private static partial void LogFiring(ILogger logger, string line);

    [LoggerMessage(EventId = 2, Level = LogLevel.Information, Message = "alert: {Line}")]
    private static partial void LogResolved(ILogger logger, string line);

    [LoggerMessage(EventId = 3, Level = LogLevel.Error, Message = "alert webhook {Target} not reached ({Reason}); gave up on: {Line}")]
    private static partial void LogUndelivered(ILogger logger, string target, string reason, string line);

    [LoggerMessage(EventId = 4, Level = LogLevel.Error, Message = "alert webhook queue full ({Capacity} messages waiting); dropped: {Line}")]
    private static partial void LogDropped(ILogger logger, int capacity, string line);
}
