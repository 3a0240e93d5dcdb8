using Microsoft.Extensions.Time.Testing;
using Mlops.Runtime.Monitoring.Alerts;

namespace Mlops.Runtime.Tests.Monitoring.Alerts;

public sealed class AlertEngineTests
{
    private static readonly DateTimeOffset Start = new(2026, 12, 2, 17, 0, 0, TimeSpan.Zero);
    private static readonly PromotionInfo Promotion = new("0123456789abcdef0123456789abcdef01234567", "Ann Lee <ann@example.com>", Start.AddHours(-3), "Promote churn v7 to production");

    private readonly FakeTimeProvider _time = new(Start);
    private readonly RecordingPublisher _publisher = new();

    private AlertEngine Engine(Uri? runbookBase = null) => new("production", _time, _publisher, Promotion, runbookBase);

    [Fact]
    public void Breach_IsPendingUntilForHasPassed_ThenFiresOnce()
    {
        var rule = Rules.Parse("{ when: p99LatencyMs > 20, for: 5m }");
        var engine = Engine();

        Assert.Equal(AlertPhase.Pending, engine.Observe(new(rule, "churn", 7, 25)));
        _time.Advance(TimeSpan.FromMinutes(4));
        Assert.Equal(AlertPhase.Pending, engine.Observe(new(rule, "churn", 7, 30)));
        Assert.Empty(_publisher.Published);

        _time.Advance(TimeSpan.FromMinutes(1));
        Assert.Equal(AlertPhase.Firing, engine.Observe(new(rule, "churn", 7, 31)));
        _time.Advance(TimeSpan.FromMinutes(1));
        Assert.Equal(AlertPhase.Firing, engine.Observe(new(rule, "churn", 7, 40)));

        var fired = Assert.Single(_publisher.Published);
        Assert.Equal(AlertNotificationStatus.Firing, fired.Status);
        Assert.Equal(31, fired.Value);
        Assert.Equal(20, fired.Threshold);
        Assert.Equal(Start, fired.StartsAt);
        Assert.Null(fired.EndsAt);
    }

    [Fact]
    public void BreachEnds_ResolvesOnce()
    {
        var rule = Rules.Parse("{ when: errorRate > 0.01 }");
        var engine = Engine();
        engine.Observe(new(rule, "churn", 7, 0.05));
        _time.Advance(TimeSpan.FromMinutes(2));

        Assert.Equal(AlertPhase.Inactive, engine.Observe(new(rule, "churn", 7, 0.001)));
        _time.Advance(TimeSpan.FromMinutes(1));
        engine.Observe(new(rule, "churn", 7, 0.002));

        Assert.Equal([AlertNotificationStatus.Firing, AlertNotificationStatus.Resolved], _publisher.Published.Select(n => n.Status));
        var resolved = _publisher.Published[1];
        Assert.Equal(Start, resolved.StartsAt);
        Assert.Equal(Start.AddMinutes(2), resolved.EndsAt);
        Assert.Equal(0.001, resolved.Value);
        Assert.Empty(engine.Active);
    }

    [Fact]
    public void NewBreachAfterResolving_FiresAgain()
    {
        var rule = Rules.Parse("{ when: errorRate > 0.01 }");
        var engine = Engine();

        engine.Observe(new(rule, "churn", 7, 0.05));
        engine.Observe(new(rule, "churn", 7, 0));
        engine.Observe(new(rule, "churn", 7, 0.05));

        Assert.Equal([AlertNotificationStatus.Firing, AlertNotificationStatus.Resolved, AlertNotificationStatus.Firing], _publisher.Published.Select(n => n.Status));
    }

    [Fact]
    public void PendingBreachThatEnds_GoesBackToInactiveWithoutAMessage()
    {
        var rule = Rules.Parse("{ when: drift, for: 15m }");
        var engine = Engine();

        engine.Observe(new(rule, "churn", 7, 1, "drifted: contract"));
        _time.Advance(TimeSpan.FromMinutes(10));
        Assert.Equal(AlertPhase.Inactive, engine.Observe(new(rule, "churn", 7, 0)));
        _time.Advance(TimeSpan.FromMinutes(10));
        Assert.Equal(AlertPhase.Pending, engine.Observe(new(rule, "churn", 7, 1)));

        Assert.Empty(_publisher.Published);
        Assert.Equal(Start.AddMinutes(20), Assert.Single(engine.Active).ActiveSince);
    }

    [Fact]
    public void InconclusiveValue_NeitherFiresNorResolvesNorResetsThePendingTime()
    {
        var rule = Rules.Parse("{ when: nullRate > 0.2, for: 10m }");
        var engine = Engine();

        engine.Observe(new(rule, "churn", 7, 0.33, "total_charges"));
        _time.Advance(TimeSpan.FromMinutes(5));
        Assert.Equal(AlertPhase.Pending, engine.Observe(new(rule, "churn", 7, null)));
        _time.Advance(TimeSpan.FromMinutes(5));
        Assert.Equal(AlertPhase.Pending, engine.Observe(new(rule, "churn", 7, double.NaN)));
        Assert.Empty(_publisher.Published);
        Assert.Equal(AlertPhase.Firing, engine.Observe(new(rule, "churn", 7, 0.34, "total_charges")));
        Assert.Equal(AlertPhase.Firing, engine.Observe(new(rule, "churn", 7, null)));

        Assert.Equal([AlertNotificationStatus.Firing], _publisher.Published.Select(n => n.Status));
        Assert.Equal(Start, _publisher.Published[0].StartsAt);
    }

    [Fact]
    public void TrainingRule_WithoutTrainingFigureIsInconclusive_WithItComparesWithTrainingMinusMargin()
    {
        var rule = Rules.Parse("{ when: auc < training - 0.05 }");
        var engine = Engine();

        Assert.Equal(AlertPhase.Inactive, engine.Observe(new(rule, "churn", 7, 0.5)));
        Assert.Equal(AlertPhase.Inactive, engine.Observe(new(rule, "churn", 7, 0.76, Training: 0.80)));
        Assert.Equal(AlertPhase.Firing, engine.Observe(new(rule, "churn", 7, 0.74, Training: 0.80)));

        Assert.Equal(0.75, Assert.Single(_publisher.Published).Threshold, 12);
    }

    [Fact]
    public void EachModelAndVersion_IsItsOwnAlert()
    {
        var rule = Rules.Parse("{ when: errorRate > 0.01 }");
        var engine = Engine();

        engine.Observe(new(rule, "churn", 7, 0.05));
        engine.Observe(new(rule, "churn", 8, 0.05));
        engine.Observe(new(rule, "upsell", 2, 0.0));
        engine.Observe(new(rule, "churn", 7, 0.0));

        Assert.Equal(["churn v7 Firing", "churn v8 Firing", "churn v7 Resolved"], _publisher.Published.Select(n => $"{n.Model} v{n.Version} {n.Status}"));
        var firing = Assert.Single(engine.Firing);
        Assert.Equal(("churn", 8), (firing.Model, firing.Version));
    }

    [Fact]
    public void Notification_NamesPromotionRollbackAndRunbookLink()
    {
        var rule = Rules.Parse("{ when: drift, runbook: docs/runbooks/churn.md }");
        var engine = Engine(new Uri("https://git.example/org/repo/blob/main/"));

        engine.Observe(new(rule, "churn", 7, 1, "drifted: monthly_charges, contract, total_charges"));

        var fired = Assert.Single(_publisher.Published);
        Assert.Equal(Promotion, fired.LastPromotion);
        Assert.Equal("mlops rollback production", fired.RollbackCommand);
        Assert.Equal("https://git.example/org/repo/blob/main/docs/runbooks/churn.md", fired.RunbookLink);
        Assert.Equal("drifted: monthly_charges, contract, total_charges", fired.Detail);
    }

    [Fact]
    public void RunbookUrl_IsKept_AndLastPromotionCanBeReplaced()
    {
        var rule = Rules.Parse("{ when: drift, runbook: \"https://wiki.example/churn\" }");
        var engine = Engine(new Uri("https://git.example/org/repo/blob/main/"));
        var newer = Promotion with { Commit = "fedcba9876543210fedcba9876543210fedcba98" };
        engine.LastPromotion = newer;

        engine.Observe(new(rule, "churn", 7, 1));

        Assert.Equal("https://wiki.example/churn", _publisher.Published[0].RunbookLink);
        Assert.Equal(newer, _publisher.Published[0].LastPromotion);
    }

    [Fact]
    public void Retire_ResolvesTheFiringAlertsOfAVersionNoLongerServed_AndDropsPendingOnes()
    {
        var fast = Rules.Parse("{ when: errorRate > 0.01 }");
        var slow = Rules.Parse("{ when: drift, for: 1h }");
        var engine = Engine();
        engine.Observe(new(fast, "churn", 8, 0.2));
        engine.Observe(new(slow, "churn", 8, 1));
        engine.Observe(new(fast, "churn", 7, 0.2));
        _time.Advance(TimeSpan.FromMinutes(3));

        Assert.Equal(1, engine.Retire("churn", 8));

        var resolved = _publisher.Published[^1];
        Assert.Equal((AlertNotificationStatus.Resolved, 8, "no longer served", Start.AddMinutes(3)), (resolved.Status, resolved.Version, resolved.Detail, resolved.EndsAt!.Value));
        Assert.Equal(0.2, resolved.Value);
        Assert.Equal(7, Assert.Single(engine.Active).Version);
    }

    [Fact]
    public void ResolvedSince_ListsTheResolvedMessagesEndedAtOrAfterATime()
    {
        var rule = Rules.Parse("{ when: errorRate > 0.01 }");
        var engine = Engine();
        engine.Observe(new(rule, "churn", 7, 0.2));
        engine.Observe(new(rule, "churn", 7, 0));
        _time.Advance(TimeSpan.FromHours(1));
        engine.Observe(new(rule, "churn", 8, 0.2));
        engine.Observe(new(rule, "churn", 8, 0));

        Assert.Equal([7, 8], engine.ResolvedSince(Start).Select(n => n.Version));
        Assert.Equal(8, Assert.Single(engine.ResolvedSince(Start.AddMinutes(30))).Version);
    }
}
