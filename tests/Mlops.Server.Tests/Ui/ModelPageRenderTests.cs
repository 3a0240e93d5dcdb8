using Mlops.Declarations.FeatureSets;
using Mlops.Server.Ui.Pages;

namespace Mlops.Server.Tests.Ui;

/// <summary>The model page's figures as written, without a server.</summary>
public sealed class ModelPageRenderTests
{
    [Theory]
    [InlineData(0.8, 100, 0.71117, 0.86663)]
    [InlineData(1.0, 10, 0.72247, 1.0)]
    public void Wilson_KnownShares_GiveTheKnownInterval(double share, long n, double low, double high)
    {
        var interval = ModelPage.Wilson(share, n);

        Assert.Equal(low, interval.Low, 5);
        Assert.Equal(high, interval.High, 5);
    }

    [Fact]
    public void Render_LiveAccuracyWithFeedback_HasAnInterval_OtherMetricsNone()
    {
        var input = new ModelPageInput("churn", 1, "primary", null,
            [new ModelPageFeature("tenure", FeatureType.Float, [], FeatureSensitivity.None)], null, null, null,
            new Dictionary<string, double> { ["accuracy"] = 0.8, ["auc"] = 0.7, ["feedback"] = 100 },
            new Dictionary<string, double> { ["accuracy"] = 0.81, ["auc"] = 0.84 },
            [new ServedVersion(1, "primary")]);

        var html = ModelPage.Render(input);

        Assert.Contains("<td class=\"num\">0.7112 – 0.8666</td>", Row(html, "accuracy"), StringComparison.Ordinal);
        Assert.EndsWith("<td class=\"num\">–</td></tr>", Row(html, "auc"), StringComparison.Ordinal);
        Assert.Contains("data-feedback=\"100\"", html, StringComparison.Ordinal);
    }

    private static string Row(string html, string metric)
    {
        var start = html.IndexOf($"<tr data-metric=\"{metric}\">", StringComparison.Ordinal);
        Assert.True(start >= 0, $"no row for {metric}");
        return html[start..(html.IndexOf("</tr>", start, StringComparison.Ordinal) + 5)];
    }
}
