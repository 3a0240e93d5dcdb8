using Mlops.Declarations.Diagnostics;
using Mlops.Declarations.Environments;
using Mlops.Declarations.FeatureSets;
using Mlops.Declarations.Models;
using Mlops.Declarations.Tests.Schema;

namespace Mlops.Declarations.Tests.Environments;

public sealed class EnvironmentParserTests
{
    private const string Path = "environments/production.yaml";
    private const string Digest = "sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";

    /// <summary>
    /// An environment serving churn v7 (lines 3-6); <paramref name="pin"/> adds lines to that pin from line 7,
    /// <paramref name="rest"/> adds top-level lines after it.
    /// </summary>
    private static string Environment(string pin = "", string rest = "") =>
        "environment: production\n"
        + "models:\n"
        + "  - model: churn\n"
        + "    version: 7\n"
        + $"    digest: {Digest}\n"
        + "    featureSet: customer@1\n"
        + (pin.Length > 0 ? pin + "\n" : "")
        + (rest.Length > 0 ? rest + "\n" : "");

    [Fact]
    public void Parse_ValidEnvironment_HasNoDiagnostics()
    {
        var result = EnvironmentParser.Parse(Path, Environment());

        Assert.Empty(result.Diagnostics);
        Assert.Equal(new PinnedModel("churn", 7, Digest, new FeatureSetReference("customer", 1), null, true, null, null, null), Assert.Single(result.Declaration!.Value.Models));
    }

    [Fact]
    public void Parse_ModelPinnedTwice_ReportsMlops0304AtTheSecondModel()
    {
        var text = Environment() + $"  - model: churn\n    version: 8\n    digest: {Digest}\n";

        var result = EnvironmentParser.Parse(Path, text);

        DiagnosticAssert.Single(result.Diagnostics, "MLOPS0304", Path, 7, 12,
            "model 'churn' is pinned twice in this environment.", "use 'canary' or 'shadow' to serve a second version.");
        Assert.Equal(7, Assert.Single(result.Declaration!.Value.Models).Version);
    }

    [Fact]
    public void Parse_PinAfterADuplicatePin_IsLocatedAtItsOwnLine()
    {
        var text = Environment() + $"  - model: churn\n    version: 8\n    digest: {Digest}\n  - model: upsell\n    version: 2\n    digest: {Digest}\n";

        var result = EnvironmentParser.Parse(Path, text);

        Assert.Equal(["churn", "upsell"], result.Declaration!.Value.Models.Select(m => m.Model));
        Assert.Equal(new SourceLocation(Path, 10, 12), result.Declaration.Map["models[1].model"]);
        Assert.Equal(new SourceLocation(Path, 11, 14), result.Declaration.Map["models[1].version"]);
    }

    [Fact]
    public void Parse_CanaryAndShadow_ReportsMlops0305AtShadow()
    {
        var pin = $"    canary: {{ version: 8, digest: \"{Digest}\", weight: 10 }}\n    shadow: {{ version: 9, digest: \"{Digest}\" }}";

        var result = EnvironmentParser.Parse(Path, Environment(pin));

        DiagnosticAssert.Single(result.Diagnostics, "MLOPS0305", Path, 8, 13,
            "model 'churn' has both a canary and a shadow.", "Roll out one new version at a time");
    }

    [Theory]
    [InlineData("    fallback: { model: churn-rules }")]
    [InlineData("    fallback: { constant: { prediction: false }, model: churn-rules, version: 2 }")]
    [InlineData("    fallback: { constant: { prediction: false }, version: 2 }")]
    [InlineData("    fallback: { constant: {} }")]
    [InlineData("    fallback: {}")]
    [InlineData("    fallback: { constant: { prediction: false }, digest: sha256:0000000000000000000000000000000000000000000000000000000000000000 }")]
    public void Parse_FallbackNotExactlyConstantOrModelWithVersion_ReportsMlops0306AtFallback(string fallback)
    {
        var result = EnvironmentParser.Parse(Path, Environment(fallback));

        DiagnosticAssert.Single(result.Diagnostics, "MLOPS0306", Path, 7, 15,
            "the fallback of 'churn' must name either a constant answer or a model with its version, not both or neither.",
            "Write 'constant: { prediction: false }' or 'model: NAME' with 'version: N' (and 'digest: sha256:...' when NAME is not pinned in this file).");
        Assert.Null(result.Declaration!.Value.Models[0].Fallback);
    }

    [Theory]
    [InlineData("    fallback: { constant: { prediction: false } }")]
    [InlineData("    fallback: { model: churn-rules, version: 2 }")]
    [InlineData("    fallback: { model: churn-rules, version: 2, digest: sha256:0000000000000000000000000000000000000000000000000000000000000000 }")]
    public void Parse_ValidFallback_HasNoDiagnostics(string fallback)
    {
        var result = EnvironmentParser.Parse(Path, Environment(fallback));

        Assert.Empty(result.Diagnostics);
        Assert.NotNull(result.Declaration!.Value.Models[0].Fallback);
    }

    [Fact]
    public void Parse_ConstantFallbackNotAMapping_ReportsMlops0008WithItsPath()
    {
        var result = EnvironmentParser.Parse(Path, Environment("    fallback: { constant: 5 }"));

        DiagnosticAssert.One(result.Diagnostics, "MLOPS0008", Path, 7, 27,
            "'models[0].fallback.constant' must be a mapping of names to values, but it is '5'.");
    }

    [Fact]
    public void Parse_CanaryWeight150_ReportsMlops0009WithTheRange()
    {
        var pin = $"    canary:\n      version: 8\n      digest: {Digest}\n      weight: 150";

        var result = EnvironmentParser.Parse(Path, Environment(pin));

        DiagnosticAssert.Single(result.Diagnostics, "MLOPS0009", Path, 10, 15,
            "'models[0].canary.weight' is 150, outside the allowed range [0, 100]. Use a value inside it.");
        Assert.Null(result.Declaration!.Value.Models[0].Canary);
    }

    [Theory]
    [InlineData("monitoring:\n  window: 1 hour", 8, 11, "'monitoring.window' is '1 hour', which does not have the required form: The window statistics are computed over, such as 30m, 1h or 1d.")]
    [InlineData("monitoring:\n  window: 0h", 8, 11, "'monitoring.window' is '0h', which does not have the required form")]
    [InlineData("monitoring:\n  drift: { method: pis }", 8, 20, "'monitoring.drift.method' is 'pis', which is not one of: auto, psi, ks, wasserstein, jensenshannon, chisquare. Did you mean 'psi'?")]
    [InlineData("monitoring:\n  drift: { driftShare: 1.5 }", 8, 24, "'monitoring.drift.driftShare' is 1.5, outside the allowed range [0, 1].")]
    [InlineData("monitoring:\n  drift: { threshold: -0.1 }", 8, 23, "'monitoring.drift.threshold' is -0.1, less than the smallest allowed value, 0. Use 0 or more.")]
    [InlineData("requires: { promotedFrom: Staging }", 7, 27, "'requires.promotedFrom' is 'Staging', which does not have the required form")]
    public void Parse_MonitoringOrRequirementNotAllowed_ReportsMlops0009AtTheValue(string rest, int line, int column, string message)
    {
        var result = EnvironmentParser.Parse(Path, Environment(rest: rest));

        DiagnosticAssert.Single(result.Diagnostics, "MLOPS0009", Path, line, column, message);
    }

    [Theory]
    [InlineData("    enabled: maybe", 14, "'models[0].enabled' must be true or false, but it is 'maybe'.")]
    [InlineData("    canary: 8", 13, "'models[0].canary' must be a mapping of keys to values, but it is '8'.")]
    [InlineData("    shadow: [9]", 13, "'models[0].shadow' must be a mapping of keys to values, but it is a list.")]
    public void Parse_PinOptionOfWrongType_ReportsMlops0008WithItsPath(string pin, int column, string message)
    {
        var result = EnvironmentParser.Parse(Path, Environment(pin));

        DiagnosticAssert.Single(result.Diagnostics, "MLOPS0008", Path, 7, column, message);
    }

    [Fact]
    public void Parse_PinVersionNotANumber_ReportsMlops0008AndSkipsThePin()
    {
        var result = EnvironmentParser.Parse(Path, Environment().Replace("    version: 7\n", "    version: seven\n", StringComparison.Ordinal));

        DiagnosticAssert.Single(result.Diagnostics, "MLOPS0008", Path, 4, 14, "'models[0].version' must be a whole number, but it is 'seven'.");
        Assert.Empty(result.Declaration!.Value.Models);
    }

    [Fact]
    public void Parse_PinWithoutDigest_ReportsMlops0007AtThePin()
    {
        var text = Environment().Replace($"    digest: {Digest}\n", "", StringComparison.Ordinal);

        var result = EnvironmentParser.Parse(Path, text);

        DiagnosticAssert.Single(result.Diagnostics, "MLOPS0007", Path, 3, 5, "'models[0].digest' is required but missing.", "The bundle's content address in the store.");
        Assert.Empty(result.Declaration!.Value.Models);
    }

    [Theory]
    [InlineData("45s", 45)]
    [InlineData("30m", 30 * 60)]
    [InlineData("1h", 60 * 60)]
    [InlineData("7d", 7 * 24 * 60 * 60)]
    public void Parse_Window_ReadsTheDuration(string window, int seconds)
    {
        var result = EnvironmentParser.Parse(Path, Environment(rest: $"monitoring: {{ window: {window} }}"));

        Assert.Empty(result.Diagnostics);
        Assert.Equal(TimeSpan.FromSeconds(seconds), result.Declaration!.Value.Monitoring.Window);
    }

    [Fact]
    public void Parse_NoMonitoring_UsesOneHourAndNoAlerts()
    {
        var spec = EnvironmentParser.Parse(Path, Environment()).Declaration!.Value;

        Assert.Equal(MonitoringSpec.Default, spec.Monitoring);
        Assert.Equal(PromotionRequirements.None, spec.Requires);
    }

    [Fact]
    public void Parse_KitchenSinkEnvironment_ReadsEveryOption()
    {
        var spec = EnvironmentParser.Parse("environments/kitchen-sink.yaml", SchemaCoverageTests.KitchenSink("environment.yaml")).Declaration!.Value;

        Assert.Equal("staging", spec.Requires.PromotedFrom);
        Assert.Equal(["auc"], spec.Requires.Gates);
        var churn = spec.Models[0];
        Assert.True(churn.Enabled);
        Assert.Equal("sha256:" + new string('b', 64), churn.FeatureSetDigest);
        Assert.Equal(8, churn.Canary!.Version);
        Assert.Equal(10, churn.Canary.Weight);
        Assert.Equal(
            [new GateRule("errorRate", null, 0.01, null, null, GateBaseline.Champion, null), new GateRule("auc", null, null, -0.01, null, GateBaseline.Primary, null)],
            churn.Canary.Analysis);
        Assert.Equal(["prediction", "probability"], churn.Fallback!.Constant!.Keys.Order(StringComparer.Ordinal));
        Assert.False(churn.Fallback.Constant["prediction"].AsBoolean());
        var rules = spec.Models[1];
        Assert.Equal(new VersionPin(3, "sha256:" + new string('e', 64)), rules.Shadow);
        Assert.Equal(new FallbackSpec(null, "churn", 6), rules.Fallback);
        Assert.Equal(new DriftSpec("psi", 0.2, 0.4), spec.Monitoring.Drift);
        Assert.Equal(TimeSpan.FromMinutes(30), spec.Monitoring.Window);
        Assert.Equal(
            [
                new AlertRule("drift", new AlertCondition(AlertConditionKind.Drift, "drift", null, null, null), TimeSpan.FromMinutes(10), new Uri("webhook://alerts.example/churn"), "docs/runbooks/churn.md"),
                new AlertRule("p99LatencyMs > 20", new AlertCondition(AlertConditionKind.P99LatencyMs, "p99LatencyMs", AlertOperator.GreaterThan, 20, null), TimeSpan.Zero, null, null),
                new AlertRule("auc < training - 0.05", new AlertCondition(AlertConditionKind.LiveMetric, "auc", AlertOperator.LessThan, null, 0.05), TimeSpan.FromHours(1), null, "https://wiki.example/runbooks/churn"),
            ],
            spec.Monitoring.Alerts);
    }

    [Fact]
    public void Parse_CanaryAnalysisGapRuleWithoutSlice_ReportsMlops0213AtMaxGap()
    {
        var pin = $"    canary:\n      version: 8\n      digest: {Digest}\n      weight: 10\n      analysis:\n        - {{ metric: auc, maxGap: 0.1 }}";

        var result = EnvironmentParser.Parse(Path, Environment(pin));

        DiagnosticAssert.Single(result.Diagnostics, "MLOPS0213", Path, 12, 34, "the rule on 'auc' sets maxGap but names no slice");
    }
}
