using System.Text.Json;
using Mlops.Runtime.Monitoring.Alerts;

namespace Mlops.Runtime.Tests.Monitoring.Alerts;

public sealed class AlertMessageTests
{
    private static readonly DateTimeOffset Start = new(2026, 12, 2, 17, 0, 0, TimeSpan.Zero);

    private static AlertNotification Firing() => new(
        AlertNotificationStatus.Firing, "production", "churn", 7, Rules.Parse("{ when: auc < training - 0.05, for: 1h, runbook: docs/runbooks/churn.md }"),
        0.71, 0.75, null, Start, null,
        new PromotionInfo("0123456789abcdef0123456789abcdef01234567", "Ann Lee <ann@example.com>", Start.AddHours(-3), "Promote churn v7"),
        "mlops rollback production", "docs/runbooks/churn.md");

    [Fact]
    public void Summary_IsOneLineNamingEverythingTheOnCallNeeds()
    {
        var line = AlertMessage.Summary(Firing());

        Assert.Equal(
            "FIRING churn v7 in production: auc < training - 0.05 (value 0.71, threshold 0.75) since 2026-12-02T17:00:00Z; "
            + "last promotion 0123456789ab by Ann Lee <ann@example.com> at 2026-12-02T14:00:00Z; roll back: mlops rollback production; runbook: docs/runbooks/churn.md",
            line);
    }

    [Fact]
    public void Summary_AuthorWithALineBreak_StaysOneLine()
    {
        var notification = Firing() with { LastPromotion = new PromotionInfo("abc", "Eve\nFIRING fake", Start) };

        Assert.DoesNotContain('\n', AlertMessage.Summary(notification));
    }

    [Fact]
    public void Json_HasTheFieldsOfTheMessage()
    {
        var resolved = Firing() with { Status = AlertNotificationStatus.Resolved, EndsAt = Start.AddHours(2), Value = 0.8 };

        using var json = JsonDocument.Parse(AlertMessage.Json(resolved));
        var root = json.RootElement;

        Assert.Equal("resolved", root.GetProperty("status").GetString());
        Assert.Equal("production", root.GetProperty("environment").GetString());
        Assert.Equal("churn", root.GetProperty("model").GetString());
        Assert.Equal(7, root.GetProperty("version").GetInt32());
        Assert.Equal("auc < training - 0.05", root.GetProperty("rule").GetString());
        Assert.Equal("1h", root.GetProperty("for").GetString());
        Assert.Equal(0.8, root.GetProperty("value").GetDouble());
        Assert.Equal(0.75, root.GetProperty("threshold").GetDouble());
        Assert.Equal(Start, root.GetProperty("startsAt").GetDateTimeOffset());
        Assert.Equal(Start.AddHours(2), root.GetProperty("endsAt").GetDateTimeOffset());
        Assert.Equal("0123456789abcdef0123456789abcdef01234567", root.GetProperty("lastPromotion").GetProperty("commit").GetString());
        Assert.Equal("Ann Lee <ann@example.com>", root.GetProperty("lastPromotion").GetProperty("author").GetString());
        Assert.Equal(Start.AddHours(-3), root.GetProperty("lastPromotion").GetProperty("time").GetDateTimeOffset());
        Assert.Equal("mlops rollback production", root.GetProperty("rollback").GetString());
        Assert.Equal("docs/runbooks/churn.md", root.GetProperty("runbook").GetString());
        Assert.StartsWith("RESOLVED churn v7 in production", root.GetProperty("summary").GetString(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(0, "0s")]
    [InlineData(90, "90s")]
    [InlineData(900, "15m")]
    [InlineData(7200, "2h")]
    [InlineData(172800, "2d")]
    public void Duration_IsWrittenAsInTheEnvironmentFile(int seconds, string text) =>
        Assert.Equal(text, AlertMessage.Duration(TimeSpan.FromSeconds(seconds)));
}
