using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using Mlops.Declarations.Diagnostics;
using Mlops.Declarations.FeatureSets;
using Mlops.Declarations.Models;
using Mlops.Declarations.Schema;
using Mlops.Declarations.Yaml;

namespace Mlops.Declarations.Environments;

/// <summary>Reads <c>environments/*.yaml</c>.</summary>
public static class EnvironmentParser
{
    /// <summary>Parses one environment file; never throws on bad input.</summary>
    /// <param name="path">The file's path relative to the repository root, used in findings.</param>
    /// <param name="text">The file's content.</param>
    public static ParseResult<EnvironmentSpec> Parse(string path, string text) => Parse(path, text, coverage: null);

    internal static ParseResult<EnvironmentSpec> Parse(string path, string text, ISet<PropertySchema>? coverage)
    {
        var diagnostics = new List<Diagnostic>();
        var context = new ParseContext(path, diagnostics, coverage);
        var root = YamlDocumentReader.Read(path, text, diagnostics);
        var reader = root is null ? null : ObjectReader.ForRoot(root, DeclarationSchemas.Environment, context, "environment");
        var value = reader is null ? null : Read(reader);
        return new ParseResult<EnvironmentSpec>(value is null ? null : new Declared<EnvironmentSpec>(value, context.ToSourceMap()), diagnostics);
    }

    private static EnvironmentSpec? Read(ObjectReader reader)
    {
        var name = reader.String("environment");
        var description = reader.String("description");
        var requiresReader = reader.Object("requires");
        var requires = requiresReader is null
            ? PromotionRequirements.None
            : new PromotionRequirements(requiresReader.String("promotedFrom"), requiresReader.Scalars("gates").Select(g => g.Text).ToList());

        var models = new List<PinnedModel>();
        var kept = new List<ObjectReader>();
        foreach (var item in reader.Objects("models"))
        {
            if (ReadPin(item) is not { } pin)
            {
                continue;
            }

            if (models.Any(m => m.Model == pin.Model))
            {
                reader.Context.Report(DiagnosticIds.DuplicatePin, item.LocationOf("model"),
                    $"model '{pin.Model}' is pinned twice in this environment. Keep one entry; use 'canary' or 'shadow' to serve a second version.");
                continue;
            }

            models.Add(pin);
            kept.Add(item);
        }

        reader.Context.Renumber("models", kept);

        var monitoring = ReadMonitoring(reader.Object("monitoring"));
        return name is null ? null : new EnvironmentSpec(name, requires, models, monitoring, description);
    }

    private static PinnedModel? ReadPin(ObjectReader item)
    {
        var model = item.String("model");
        var version = item.Integer("version");
        var digest = item.String("digest");
        FeatureSetReference.TryParse(item.String("featureSet") ?? string.Empty, out var featureSet);
        var featureSetDigest = item.String("featureSetDigest");
        var enabled = item.Boolean("enabled") ?? true;

        var canaryReader = item.Object("canary");
        CanarySpec? canary = null;
        if (canaryReader is not null)
        {
            var canaryVersion = canaryReader.Integer("version");
            var canaryDigest = canaryReader.String("digest");
            var weight = canaryReader.Integer("weight");
            var analysis = canaryReader.Objects("analysis").Select(GateRuleReader.Read).OfType<GateRule>().ToList();
            canary = canaryVersion is null || canaryDigest is null || weight is null ? null : new CanarySpec(canaryVersion.Value, canaryDigest, weight.Value, analysis);
        }

        var shadowReader = item.Object("shadow");
        VersionPin? shadow = null;
        if (shadowReader is not null && shadowReader.Integer("version") is { } shadowVersion && shadowReader.String("digest") is { } shadowDigest)
        {
            shadow = new VersionPin(shadowVersion, shadowDigest);
        }

        if (canaryReader is not null && shadowReader is not null)
        {
            item.Context.Report(DiagnosticIds.CanaryAndShadow, item.LocationOf("shadow"),
                $"model '{model}' has both a canary and a shadow. Roll out one new version at a time: remove one of them.");
        }

        var fallback = ReadFallback(item.Object("fallback"), model);
        return model is null || version is null || digest is null
            ? null
            : new PinnedModel(model, version.Value, digest, featureSet, featureSetDigest, enabled, canary, shadow, fallback);
    }

    private static FallbackSpec? ReadFallback(ObjectReader? reader, string? model)
    {
        if (reader is null)
        {
            return null;
        }

        var constant = reader.Has("constant") ? reader.ScalarMap("constant") : null;
        var fallbackModel = reader.String("model");
        var version = reader.Integer("version");
        var digest = reader.String("digest");
        var hasModel = fallbackModel is not null;
        if ((constant is null) == !hasModel || (constant is not null && constant.Count == 0) || (hasModel == (version is null)) || (digest is not null && !hasModel))
        {
            reader.Context.Report(DiagnosticIds.FallbackInvalid, reader.Location,
                $"the fallback of '{model}' must name either a constant answer or a model with its version, not both or neither. "
                + "Write 'constant: { prediction: false }' or 'model: NAME' with 'version: N' (and 'digest: sha256:...' when NAME is not pinned in this file).");
            return null;
        }

        return new FallbackSpec(constant, fallbackModel, version, digest);
    }

    private static MonitoringSpec ReadMonitoring(ObjectReader? reader)
    {
        if (reader is null)
        {
            return MonitoringSpec.Default;
        }

        // The schema has checked the form; an amount too large for a TimeSpan keeps the default.
        var window = reader.String("window") is { } text ? AlertRuleReader.ParseDuration(text) ?? MonitoringSpec.Default.Window : MonitoringSpec.Default.Window;
        var driftReader = reader.Object("drift");
        var drift = driftReader is null
            ? null
            : new DriftSpec(driftReader.String("method") ?? "auto", driftReader.Number("threshold") ?? 0.1, driftReader.Number("driftShare") ?? 0.5);
        var alerts = new List<AlertRule>();
        var kept = new List<ObjectReader>();
        foreach (var item in reader.Objects("alerts"))
        {
            if (AlertRuleReader.Read(item) is { } rule)
            {
                alerts.Add(rule);
                kept.Add(item);
            }
        }

        // monitoring.alerts[j] is then the j-th rule kept, as the models list is.
        reader.Context.Renumber("monitoring.alerts", kept);
        return new MonitoringSpec(window, drift, alerts);
    }
}
