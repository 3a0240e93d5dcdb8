using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using Mlops.Declarations.Diagnostics;
using Mlops.Declarations.Schema;
using Mlops.Declarations.Yaml;

namespace Mlops.Declarations.FeatureSets;

/// <summary>Reads <c>features/*.yaml</c>.</summary>
public static class FeatureSetParser
{
    /// <summary>Parses one feature set file; never throws on bad input.</summary>
    /// <param name="path">The file's path relative to the repository root, used in findings.</param>
    /// <param name="text">The file's content.</param>
    public static ParseResult<FeatureSet> Parse(string path, string text) => Parse(path, text, coverage: null);

    internal static ParseResult<FeatureSet> Parse(string path, string text, ISet<PropertySchema>? coverage)
    {
        var diagnostics = new List<Diagnostic>();
        var context = new ParseContext(path, diagnostics, coverage);
        var root = YamlDocumentReader.Read(path, text, diagnostics);
        var reader = root is null ? null : ObjectReader.ForRoot(root, DeclarationSchemas.FeatureSet, context, "feature set");
        var value = reader is null ? null : Read(reader);
        return new ParseResult<FeatureSet>(value is null ? null : new Declared<FeatureSet>(value, context.ToSourceMap()), diagnostics);
    }

    private static FeatureSet? Read(ObjectReader reader)
    {
        var name = reader.String("featureSet");
        var version = reader.Integer("version");
        var entity = reader.String("entity");
        var description = reader.String("description");
        var features = new List<Feature>();
        var kept = new List<ObjectReader>();
        foreach (var item in reader.Objects("features"))
        {
            if (ReadFeature(item) is not { } feature)
            {
                continue;
            }

            if (features.Any(f => f.Name == feature.Name))
            {
                reader.Context.Report(DiagnosticIds.DuplicateFeature, item.LocationOf("name"),
                    $"feature '{feature.Name}' is declared twice. Remove one, or rename it.");
                continue;
            }

            features.Add(feature);
            kept.Add(item);
        }

        reader.Context.Renumber("features", kept);

        if (entity is not null && features.Any(f => f.Name == entity))
        {
            reader.Context.Report(DiagnosticIds.EntityIsFeature, reader.LocationOf("entity"),
                $"entity '{entity}' is also declared as a feature. An entity key identifies a row and is not learned from; remove it from the features.");
        }

        return name is null || version is null ? null : new FeatureSet(name, version.Value, entity, description, features);
    }

    private static Feature? ReadFeature(ObjectReader item)
    {
        var name = item.String("name");
        var typeText = item.String("type");
        var nullable = item.Boolean("nullable") ?? false;
        var min = item.Number("min");
        var max = item.Number("max");
        var values = item.Scalars("values").Select(v => v.Text).ToList();
        var fillText = item.String("fill");
        var onUnknownText = item.String("onUnknown");
        var transform = item.String("transform");
        var sensitive = item.String("sensitive");
        var description = item.String("description");
        if (name is null || typeText is null)
        {
            return null;
        }

        var type = (FeatureType)DeclarationSchemas.FeatureTypeNames.ToList().IndexOf(typeText);
        var fill = fillText is null ? FillStrategy.None : (FillStrategy)DeclarationSchemas.FillNames.ToList().IndexOf(fillText);
        var feature = new Feature(name, type, nullable, min, max, values, fill,
            onUnknownText == "ignore" ? UnknownCategoryPolicy.Ignore : UnknownCategoryPolicy.Reject,
            transform == "code" ? FeatureSource.Code : FeatureSource.Data, description)
        {
            // The schema check has reported any other text (a located MLOPS0009); it keeps the value.
            Sensitive = sensitive is null ? FeatureSensitivity.None : DeclarationSchemas.SensitivityNames.ToList().IndexOf(sensitive) is var index and > 0 ? (FeatureSensitivity)index : FeatureSensitivity.None,
        };
        CheckOptions(item, feature);
        return feature;
    }

    private static void CheckOptions(ObjectReader item, Feature feature)
    {
        var context = item.Context;
        var type = DeclarationSchemas.FeatureTypeNames[(int)feature.Type];
        if (feature.Min is { } min && feature.Max is { } max && min > max)
        {
            context.Report(DiagnosticIds.InvalidRange, item.LocationOf("min"),
                $"feature '{feature.Name}' has min {min.ToString(CultureInfo.InvariantCulture)} above max {max.ToString(CultureInfo.InvariantCulture)}. Swap them or correct one.");
        }

        if (feature.Type == FeatureType.Category && feature.Values.Count == 0)
        {
            context.Report(DiagnosticIds.CategoryWithoutValues, item.LocationOf("type"),
                $"category feature '{feature.Name}' lists no values. Add 'values: [...]' with every category the data may hold.");
        }

        foreach (var duplicate in feature.Values.GroupBy(v => v).Where(g => g.Count() > 1))
        {
            context.Report(DiagnosticIds.DuplicateFeature, item.LocationOf("values"),
                $"feature '{feature.Name}' lists the value '{duplicate.Key}' more than once. Keep one.");
        }

        foreach (var key in new[] { "min", "max" }.Where(k => item.Has(k) && !feature.IsNumeric))
        {
            context.Report(DiagnosticIds.OptionNotForType, item.LocationOf(key),
                $"'{key}' applies to float and int features; '{feature.Name}' is {type}, so it is ignored. Remove it.");
        }

        if (item.Has("values") && feature.Type != FeatureType.Category)
        {
            context.Report(DiagnosticIds.OptionNotForType, item.LocationOf("values"),
                $"'values' applies to category features; '{feature.Name}' is {type}, so it is ignored. Remove it, or make the type category.");
        }

        if (item.Has("onUnknown") && feature.Type != FeatureType.Category)
        {
            context.Report(DiagnosticIds.OptionNotForType, item.LocationOf("onUnknown"),
                $"'onUnknown' applies to category features; '{feature.Name}' is {type}, so it is ignored. Remove it.");
        }

        if (feature.Fill != FillStrategy.None && !feature.Nullable)
        {
            context.Report(DiagnosticIds.OptionNotForType, item.LocationOf("fill"),
                $"'fill' applies to nullable features; '{feature.Name}' is not nullable, so it is ignored. Add 'nullable: true' or remove 'fill'.");
        }

        var numericFill = feature.Fill is FillStrategy.Mean or FillStrategy.Median or FillStrategy.Min or FillStrategy.Max or FillStrategy.Zero;
        if (numericFill && !feature.IsNumeric)
        {
            context.Report(DiagnosticIds.InvalidValue, item.LocationOf("fill"),
                $"fill '{DeclarationSchemas.FillNames[(int)feature.Fill]}' needs a number, but '{feature.Name}' is {type}. Use 'mostFrequent' or 'none'.");
        }
    }
}
