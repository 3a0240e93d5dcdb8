using System.Diagnostics;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Time.Testing;
using Mlops.Runtime.Monitoring.Alerts;
using Mlops.Testing;

namespace Mlops.Runtime.Tests.Monitoring.Alerts;

public sealed class AlertDispatcherTests : IDisposable
{
    private static readonly TimeSpan Limit = TimeSpan.FromSeconds(20);
    private static readonly PromotionInfo Promotion = new("0123456789abcdef0123456789abcdef01234567", "Ann Lee <ann@example.com>", new DateTimeOffset(2026, 12, 1, 9, 0, 0, TimeSpan.Zero));

    private readonly HttpClient _http = new();
    private readonly ListLogger _log = new();

    public void Dispose() => _http.Dispose();

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private AlertDispatcher Dispatcher(WebhookOptions? options = null) =>
        new(_http, _log, TimeProvider.System, options ?? new WebhookOptions { FirstRetryDelay = TimeSpan.FromMilliseconds(10), MaxRetryDelay = TimeSpan.FromMilliseconds(40) });

    [Fact]
    public async Task Webhook_ReceivesOneFiringAndLaterOneResolvedMessage()
    {
        using var listener = new WebhookListener();
        var rule = Rules.Parse($"{{ when: drift, for: 10m, notify: \"{listener.Url}\", runbook: docs/runbooks/churn.md }}");
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 12, 2, 17, 0, 0, TimeSpan.Zero));
        await using var dispatcher = Dispatcher();
        var engine = new AlertEngine("production", time, dispatcher, Promotion);

        foreach (var minutes in new[] { 0, 5, 10, 15, 20 })
        {
            time.Advance(TimeSpan.FromMinutes(minutes == 0 ? 0 : 5));
            engine.Observe(new(rule, "churn", 7, 1, "drifted: monthly_charges, contract, total_charges"));
        }

        await dispatcher.WaitIdleAsync(Ct).WaitAsync(Limit, Ct);
        Assert.Single(listener.Received);
        time.Advance(TimeSpan.FromMinutes(5));
        engine.Observe(new(rule, "churn", 7, 0));
        engine.Observe(new(rule, "churn", 7, 0));
        await dispatcher.WaitIdleAsync(Ct).WaitAsync(Limit, Ct);

        var messages = listener.Received.ToList();
        Assert.Equal(2, messages.Count);
        Assert.All(messages, m => Assert.Equal("application/json; charset=utf-8", m.ContentType));
        using var firing = JsonDocument.Parse(messages[0].Body);
        using var resolved = JsonDocument.Parse(messages[1].Body);
        Assert.Equal("firing", firing.RootElement.GetProperty("status").GetString());
        Assert.Equal("resolved", resolved.RootElement.GetProperty("status").GetString());
        Assert.Equal("churn", firing.RootElement.GetProperty("model").GetString());
        Assert.Equal(7, firing.RootElement.GetProperty("version").GetInt32());
        Assert.Equal("drift", firing.RootElement.GetProperty("rule").GetString());
        Assert.Equal("drifted: monthly_charges, contract, total_charges", firing.RootElement.GetProperty("detail").GetString());
        Assert.Equal(Promotion.Commit, firing.RootElement.GetProperty("lastPromotion").GetProperty("commit").GetString());
        Assert.Equal("mlops rollback production", firing.RootElement.GetProperty("rollback").GetString());
        Assert.Equal("docs/runbooks/churn.md", firing.RootElement.GetProperty("runbook").GetString());
        Assert.Equal(new WebhookCounts(2, 0, 0, 2), dispatcher.Counts);
        Assert.Equal(2, _log.Lines.Count(l => l.Line.StartsWith("alert: ", StringComparison.Ordinal)));
        Assert.Contains(_log.Lines, l => l.Level == LogLevel.Warning && l.Line.StartsWith("alert: FIRING churn v7 in production: drift", StringComparison.Ordinal));
        Assert.Contains(_log.Lines, l => l.Level == LogLevel.Information && l.Line.StartsWith("alert: RESOLVED churn v7 in production: drift", StringComparison.Ordinal));
    }

    [Fact]
    public async Task UnreachableWebhook_RetriesABoundedNumberOfTimes_CountsAndLogs_AndNeverThrows()
    {
        var port = WebhookListener.FreePort();
        var rule = Rules.Parse($"{{ when: errorRate > 0.01, notify: \"http://127.0.0.1:{port}/hook\" }}");
        await using var dispatcher = Dispatcher(new WebhookOptions { MaxAttempts = 3, FirstRetryDelay = TimeSpan.FromMilliseconds(10), MaxRetryDelay = TimeSpan.FromMilliseconds(20) });
        var engine = new AlertEngine("production", TimeProvider.System, dispatcher, Promotion);

        var clock = Stopwatch.StartNew();
        engine.Observe(new(rule, "churn", 7, 0.5));
        var publishTime = clock.Elapsed;
        await dispatcher.WaitIdleAsync(Ct).WaitAsync(Limit, Ct);

        Assert.True(publishTime < TimeSpan.FromMilliseconds(500), $"Observe took {publishTime}: delivery must not run on the caller's thread.");
        Assert.Equal(new WebhookCounts(0, 1, 0, 3), dispatcher.Counts);
        var error = Assert.Single(_log.Lines, l => l.Level == LogLevel.Error);
        Assert.StartsWith($"alert webhook http://127.0.0.1:{port}/hook not reached (", error.Line, StringComparison.Ordinal);
        Assert.Contains("gave up on: FIRING churn v7 in production: errorRate > 0.01", error.Line, StringComparison.Ordinal);

        // The engine still works after a failed delivery.
        Assert.Equal(AlertPhase.Inactive, engine.Observe(new(rule, "churn", 7, 0)));
        await dispatcher.WaitIdleAsync(Ct).WaitAsync(Limit, Ct);
        Assert.Equal(2, dispatcher.Counts.Failed);
    }

    [Fact]
    public async Task ServerError_IsRetried_ThenDelivered()
    {
        using var listener = new WebhookListener(500, 503);
        var rule = Rules.Parse($"{{ when: drift, notify: \"{listener.Url}\" }}");
        await using var dispatcher = Dispatcher();

        new AlertEngine("production", TimeProvider.System, dispatcher).Observe(new(rule, "churn", 7, 1));
        await dispatcher.WaitIdleAsync(Ct).WaitAsync(Limit, Ct);

        Assert.Equal(new WebhookCounts(1, 0, 0, 3), dispatcher.Counts);
        Assert.Equal(3, listener.Received.Count);
    }

    [Fact]
    public async Task ClientError_IsNotRetried()
    {
        using var listener = new WebhookListener(400);
        var rule = Rules.Parse($"{{ when: drift, notify: \"{listener.Url}\" }}");
        await using var dispatcher = Dispatcher();

        new AlertEngine("production", TimeProvider.System, dispatcher).Observe(new(rule, "churn", 7, 1));
        await dispatcher.WaitIdleAsync(Ct).WaitAsync(Limit, Ct);

        Assert.Equal(new WebhookCounts(0, 1, 0, 1), dispatcher.Counts);
        Assert.Contains(_log.Lines, l => l.Line.Contains("(HTTP 400 Bad Request)", StringComparison.Ordinal));
    }

    [Fact]
    public async Task WebhookThatNeverAnswers_TimesOut_AndAFullQueueDropsAndCounts()
    {
        using var held = new HeldPort(); // accepts connections, never answers
        var rule = Rules.Parse($"{{ when: errorRate > 0.01, notify: \"{held.Url}/hook\" }}");
        await using var dispatcher = Dispatcher(new WebhookOptions { MaxAttempts = 1, AttemptTimeout = TimeSpan.FromMilliseconds(200), QueueCapacity = 1 });
        var engine = new AlertEngine("production", TimeProvider.System, dispatcher);

        for (var version = 1; version <= 4; version++)
        {
            engine.Observe(new(rule, "churn", version, 0.5));
        }

        await dispatcher.WaitIdleAsync(Ct).WaitAsync(Limit, Ct);
        var counts = dispatcher.Counts;
        Assert.True(counts.Dropped >= 2, $"{counts}");
        Assert.Equal(4, counts.Dropped + counts.Failed);
        Assert.Contains(_log.Lines, l => l.Line.Contains("no answer within 0.2 s", StringComparison.Ordinal));
        Assert.Contains(_log.Lines, l => l.Line.StartsWith("alert webhook queue full (1 messages waiting)", StringComparison.Ordinal));
    }

    [Fact]
    public async Task LogOnlyRule_IsLoggedAndNotQueued()
    {
        var rule = Rules.Parse("{ when: drift }");
        await using var dispatcher = Dispatcher();

        new AlertEngine("production", TimeProvider.System, dispatcher).Observe(new(rule, "churn", 7, 1));

        Assert.Equal(new WebhookCounts(0, 0, 0, 0), dispatcher.Counts);
        Assert.Single(_log.Lines);
    }

    [Theory]
    [InlineData("webhook://alerts.example/hooks/mlops", "https://alerts.example/hooks/mlops")]
    [InlineData("webhook://alerts.example:8443/h?x=1", "https://alerts.example:8443/h?x=1")]
    [InlineData("http://127.0.0.1:9000/h", "http://127.0.0.1:9000/h")]
    public void DeliveryAddress_WebhookSchemeMeansHttps(string notify, string expected) =>
        Assert.Equal(new Uri(expected), AlertDispatcher.DeliveryAddress(new Uri(notify)));

    [Fact]
    public void Backoff_DoublesFromTheFirstDelayUpToTheMaximum()
    {
        var options = new WebhookOptions { FirstRetryDelay = TimeSpan.FromSeconds(1), MaxRetryDelay = TimeSpan.FromSeconds(5) };

        Assert.Equal([1, 2, 4, 5, 5], Enumerable.Range(2, 5).Select(a => options.DelayBefore(a).TotalSeconds));
    }

    [Fact]
    public void Options_OutOfRange_AreAllNamedInOneError()
    {
        var options = new WebhookOptions { MaxAttempts = 0, QueueCapacity = 0, AttemptTimeout = TimeSpan.Zero };

        var error = Assert.Throws<ArgumentException>(() => new AlertDispatcher(_http, _log, TimeProvider.System, options));

        Assert.Equal("Webhook options are not valid: MaxAttempts is 0; use 1 to 100. AttemptTimeout is 00:00:00; use a positive duration. QueueCapacity is 0; use 1 or more.", error.Message);
    }
}
