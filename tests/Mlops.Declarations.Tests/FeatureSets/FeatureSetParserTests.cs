using System.Globalization;
using Mlops.Declarations.Diagnostics;
using Mlops.Declarations.FeatureSets;

namespace Mlops.Declarations.Tests.FeatureSets;

public sealed class FeatureSetParserTests
{
    private const string Path = "features/customer.yaml";

    /// <summary>A valid feature set whose fourth line, the only feature, each test replaces.</summary>
    private static string WithFeature(string featureLine) => $"featureSet: customer\nversion: 1\nfeatures:\n{featureLine}\n";

    [Theory]
    [InlineData("featureSet: customer\nversion: \"three\"\nfeatures: [{ name: tenure, type: float }]\n", 2, 10, "'version' must be a whole number, but it is 'three'.")]
    [InlineData("featureSet: customer\nversion: 1.5\nfeatures: [{ name: tenure, type: float }]\n", 2, 10, "'version' must be a whole number, but it is '1.5'.")]
    [InlineData("featureSet: customer\nversion: 1\nfeatures: a string\n", 3, 11, "'features' must be a list, but it is 'a string'.")]
    [InlineData("featureSet: customer\nversion: 1\nfeatures:\n  - { name: tenure, type: float, nullable: maybe }\n", 4, 44, "'features[0].nullable' must be true or false, but it is 'maybe'.")]
    [InlineData("featureSet: customer\nversion: 1\nfeatures:\n  - { name: tenure, type: float, nullable: \"true\" }\n", 4, 44, "'features[0].nullable' must be true or false, but it is 'true'.")]
    [InlineData("featureSet: customer\nversion: 1\nfeatures:\n  - { name: tenure, type: float, min: abc }\n", 4, 39, "'features[0].min' must be a number, but it is 'abc'.")]
    [InlineData("featureSet: customer\nversion: 1\nfeatures:\n  - { name: tenure, type: float, min: [0] }\n", 4, 39, "'features[0].min' must be a number, but it is a list.")]
    [InlineData("featureSet: customer\nversion: 1\nfeatures:\n  - tenure\n", 4, 5, "'features[0]' must be a mapping of keys to values, but it is 'tenure'.")]
    [InlineData("featureSet: customer\nversion: 1\nfeatures:\n  - { name: contract, type: category, values: Monthly }\n", 4, 47, "'features[0].values' must be a list, but it is 'Monthly'.")]
    public void Parse_ValueOfWrongType_ReportsMlops0008AtTheValue(string text, int line, int column, string message)
    {
        var result = FeatureSetParser.Parse(Path, text);

        var diagnostic = DiagnosticAssert.One(result.Diagnostics, "MLOPS0008", Path, line, column, message);
        Assert.Equal(Severity.Error, diagnostic.Severity);
    }

    [Fact]
    public void Parse_MisspelledKey_ReportsMlops0006WarningWithSuggestion()
    {
        var result = FeatureSetParser.Parse(Path, WithFeature("  - { name: tenure, type: float, nulable: true }"));

        var diagnostic = DiagnosticAssert.Single(result.Diagnostics, "MLOPS0006", Path, 4, 34,
            "'nulable' is not a key of 'features[0]'; it is ignored.", "Did you mean 'nullable'?");
        Assert.Equal(Severity.Warning, diagnostic.Severity);
        Assert.False(result.Declaration!.Value.Features[0].Nullable);
    }

    [Fact]
    public void Parse_UnknownKeyNearNoKnownKey_ReportsMlops0006ListingTheKnownKeys()
    {
        var result = FeatureSetParser.Parse(Path, WithFeature("  - { name: tenure, type: float }") + "colour: red\n");

        DiagnosticAssert.Single(result.Diagnostics, "MLOPS0006", Path, 5, 1,
            "'colour' is not a key of this file; it is ignored.", "Known keys: featureSet, version, entity, description, features.");
    }

    [Fact]
    public void Parse_MissingVersion_ReportsMlops0007AtTheMapping()
    {
        var result = FeatureSetParser.Parse(Path, "featureSet: customer\nfeatures:\n  - { name: tenure, type: float }\n");

        DiagnosticAssert.Single(result.Diagnostics, "MLOPS0007", Path, 1, 1, "'version' is required but missing.", "Add it: The version;");
        Assert.Null(result.Declaration);
    }

    [Fact]
    public void Parse_EmptyRequiredValue_ReportsMlops0007()
    {
        var result = FeatureSetParser.Parse(Path, "featureSet:\nversion: 1\nfeatures:\n  - { name: tenure, type: float }\n");

        DiagnosticAssert.Single(result.Diagnostics, "MLOPS0007", Path, 1, 1, "'featureSet' is required but missing.");
    }

    [Fact]
    public void Parse_FeatureWithoutName_ReportsMlops0007AtTheFeature()
    {
        var result = FeatureSetParser.Parse(Path, WithFeature("  - { type: float }"));

        DiagnosticAssert.Single(result.Diagnostics, "MLOPS0007", Path, 4, 5, "'features[0].name' is required but missing.");
        Assert.Empty(result.Declaration!.Value.Features);
    }

    [Theory]
    [InlineData("flaot", "Did you mean 'float'?")]
    [InlineData("Float", "Did you mean 'float'?")]
    [InlineData("categroy", "Did you mean 'category'?")]
    [InlineData("number", "Use one of them.")]
    public void Parse_UnknownFeatureType_ReportsMlops0009WithSuggestion(string type, string advice)
    {
        var result = FeatureSetParser.Parse(Path, WithFeature($"  - {{ name: tenure, type: {type} }}"));

        DiagnosticAssert.Single(result.Diagnostics, "MLOPS0009", Path, 4, 27,
            $"'features[0].type' is '{type}', which is not one of: float, int, bool, category, text.", advice);
    }

    [Fact]
    public void Parse_FeatureNameNotAnIdentifier_ReportsMlops0009WithTheForm()
    {
        var result = FeatureSetParser.Parse(Path, WithFeature("  - { name: monthly-charges, type: float }"));

        DiagnosticAssert.Single(result.Diagnostics, "MLOPS0009", Path, 4, 13,
            "'features[0].name' is 'monthly-charges', which does not have the required form:", "a C# identifier");
    }

    [Fact]
    public void Parse_VersionZero_ReportsMlops0009WithTheRange()
    {
        var result = FeatureSetParser.Parse(Path, "featureSet: customer\nversion: 0\nfeatures: [{ name: tenure, type: float }]\n");

        DiagnosticAssert.One(result.Diagnostics, "MLOPS0009", Path, 2, 10, "'version' is 0, less than the smallest allowed value, 1. Use 1 or more.");
    }

    [Fact]
    public void Parse_DuplicateKey_ReportsMlops0010AtSecondKey()
    {
        var result = FeatureSetParser.Parse(Path, "featureSet: customer\nversion: 1\nversion: 2\nfeatures: [{ name: tenure, type: float }]\n");

        DiagnosticAssert.Single(result.Diagnostics, "MLOPS0010", Path, 3, 1, "'version' appears twice in this mapping (first at line 2). Keep one of them.");
        Assert.Equal(1, result.Declaration!.Value.Version);
    }

    [Fact]
    public void Parse_DuplicateKeyInFeature_ReportsMlops0010WithItsPath()
    {
        var result = FeatureSetParser.Parse(Path, WithFeature("  - { name: tenure, type: float, name: charges }"));

        DiagnosticAssert.Single(result.Diagnostics, "MLOPS0010", Path, 4, 34, "'features[0].name' appears twice in this mapping (first at line 4).");
    }

    [Fact]
    public void Parse_DuplicateFeatureName_ReportsMlops0101AtSecondName()
    {
        var result = FeatureSetParser.Parse(Path, WithFeature("  - { name: tenure, type: float }\n  - { name: tenure, type: int }"));

        DiagnosticAssert.Single(result.Diagnostics, "MLOPS0101", Path, 5, 13, "feature 'tenure' is declared twice. Remove one, or rename it.");
        Assert.Equal(FeatureType.Float, Assert.Single(result.Declaration!.Value.Features).Type);
    }

    [Fact]
    public void Parse_FeatureAfterADuplicate_IsLocatedAtItsOwnLine()
    {
        var result = FeatureSetParser.Parse(Path, WithFeature(
            "  - { name: tenure, type: float }\n  - { name: tenure, type: int }\n  - { name: charges, type: float, min: 0 }\n  - { name: contract, type: category, values: [a] }"));

        var features = result.Declaration!.Value.Features;
        Assert.Equal(["tenure", "charges", "contract"], features.Select(f => f.Name));
        Assert.Equal(new SourceLocation(Path, 6, 13), result.Declaration.Map["features[1].name"]);
        Assert.Equal(new SourceLocation(Path, 6, 40), result.Declaration.Map["features[1].min"]);
        Assert.Equal(new SourceLocation(Path, 7, 5), result.Declaration.Map["features[2]"]);
        Assert.Equal(new SourceLocation(Path, 7, 48), result.Declaration.Map["features[2].values[0]"]);
        Assert.False(result.Declaration.Map.Contains("features[3]"));
    }

    [Fact]
    public void Parse_FeatureAfterAnInvalidItem_IsLocatedAtItsOwnLine()
    {
        var result = FeatureSetParser.Parse(Path, WithFeature("  - tenure\n  - { name: charges, type: float }"));

        Assert.Equal("charges", Assert.Single(result.Declaration!.Value.Features).Name);
        Assert.Equal(new SourceLocation(Path, 5, 13), result.Declaration.Map["features[0].name"]);
    }

    [Fact]
    public void Parse_CategoryValueListedTwice_ReportsMlops0101AtTheValues()
    {
        var result = FeatureSetParser.Parse(Path, WithFeature("  - { name: contract, type: category, values: [Monthly, Yearly, Monthly] }"));

        DiagnosticAssert.Single(result.Diagnostics, "MLOPS0101", Path, 4, 47, "feature 'contract' lists the value 'Monthly' more than once.");
    }

    [Fact]
    public void Parse_MinAboveMax_ReportsMlops0102AtMin()
    {
        var result = FeatureSetParser.Parse(Path, WithFeature("  - { name: tenure, type: float, min: 120, max: 0 }"));

        DiagnosticAssert.Single(result.Diagnostics, "MLOPS0102", Path, 4, 39, "feature 'tenure' has min 120 above max 0. Swap them or correct one.");
    }

    [Fact]
    public void Parse_MinAboveMaxUnderCommaDecimalCulture_WritesNumbersAsInYaml()
    {
        var culture = (CultureInfo)CultureInfo.InvariantCulture.Clone();
        culture.NumberFormat.NumberDecimalSeparator = ",";
        var previous = CultureInfo.CurrentCulture;
        CultureInfo.CurrentCulture = culture;
        try
        {
            var result = FeatureSetParser.Parse(Path, WithFeature("  - { name: tenure, type: float, min: 1.5, max: 0.5 }"));

            DiagnosticAssert.Single(result.Diagnostics, "MLOPS0102", Path, 4, 39, "has min 1.5 above max 0.5.");
        }
        finally
        {
            CultureInfo.CurrentCulture = previous;
        }
    }

    [Fact]
    public void Parse_CategoryWithoutValues_ReportsMlops0103AtType()
    {
        var result = FeatureSetParser.Parse(Path, WithFeature("  - { name: contract, type: category }"));

        DiagnosticAssert.Single(result.Diagnostics, "MLOPS0103", Path, 4, 29, "category feature 'contract' lists no values.", "Add 'values: [...]'");
    }

    [Fact]
    public void Parse_FillOnNonNullableFeature_ReportsMlops0104WarningAtFill()
    {
        var result = FeatureSetParser.Parse(Path, WithFeature("  - { name: tenure, type: float, fill: median }"));

        var diagnostic = DiagnosticAssert.Single(result.Diagnostics, "MLOPS0104", Path, 4, 40,
            "'fill' applies to nullable features; 'tenure' is not nullable, so it is ignored.", "Add 'nullable: true' or remove 'fill'.");
        Assert.Equal(Severity.Warning, diagnostic.Severity);
    }

    [Theory]
    [InlineData("  - { name: partner, type: bool, min: 0 }", 4, 39, "'min' applies to float and int features; 'partner' is bool")]
    [InlineData("  - { name: tenure, type: float, values: [1, 2] }", 4, 42, "'values' applies to category features; 'tenure' is float")]
    [InlineData("  - { name: tenure, type: float, onUnknown: ignore }", 4, 45, "'onUnknown' applies to category features; 'tenure' is float")]
    public void Parse_OptionForAnotherType_ReportsMlops0104Warning(string feature, int line, int column, string message)
    {
        var result = FeatureSetParser.Parse(Path, WithFeature(feature));

        var diagnostic = DiagnosticAssert.Single(result.Diagnostics, "MLOPS0104", Path, line, column, message, "so it is ignored");
        Assert.Equal(Severity.Warning, diagnostic.Severity);
    }

    [Fact]
    public void Parse_NumericFillOnCategory_ReportsMlops0009AtFill()
    {
        var result = FeatureSetParser.Parse(Path, WithFeature("  - { name: contract, type: category, values: [a, b], nullable: true, fill: mean }"));

        DiagnosticAssert.Single(result.Diagnostics, "MLOPS0009", Path, 4, 77, "fill 'mean' needs a number, but 'contract' is category. Use 'mostFrequent' or 'none'.");
    }

    [Theory]
    [InlineData("drop", FeatureSensitivity.Drop)]
    [InlineData("hash", FeatureSensitivity.Hash)]
    public void Parse_Sensitive_IsReadIntoTheFeature(string text, FeatureSensitivity expected)
    {
        var result = FeatureSetParser.Parse(Path, WithFeature($"  - {{ name: email, type: text, sensitive: {text} }}"));

        Assert.Empty(result.Diagnostics);
        Assert.Equal(expected, result.Declaration!.Value.Features[0].Sensitive);
    }

    [Fact]
    public void Parse_NoSensitive_KeepsTheValue()
    {
        var result = FeatureSetParser.Parse(Path, WithFeature("  - { name: email, type: text }"));

        Assert.Equal(FeatureSensitivity.None, result.Declaration!.Value.Features[0].Sensitive);
    }

    [Fact]
    public void Parse_BadSensitive_ReportsMlops0009AtTheValue_WithASuggestion()
    {
        var result = FeatureSetParser.Parse(Path, WithFeature("  - { name: email, type: text, sensitive: hashed }"));

        DiagnosticAssert.Single(result.Diagnostics, "MLOPS0009", Path, 4, 43, "'features[0].sensitive' is 'hashed', which is not one of: drop, hash.", "Did you mean 'hash'?");
        Assert.Equal(FeatureSensitivity.None, result.Declaration!.Value.Features[0].Sensitive);
    }

    [Fact]
    public void Parse_EntityIsAlsoAFeature_ReportsMlops0106AtEntity()
    {
        var result = FeatureSetParser.Parse(Path, "featureSet: customer\nversion: 1\nentity: customer_id\nfeatures:\n  - { name: customer_id, type: text }\n");

        DiagnosticAssert.Single(result.Diagnostics, "MLOPS0106", Path, 3, 9, "entity 'customer_id' is also declared as a feature.");
    }

    [Fact]
    public void Parse_EveryProblemInOnePass_ReportsThemAll()
    {
        var result = FeatureSetParser.Parse(Path, WithFeature("  - { name: tenure, type: flaot, nulable: true, min: abc }\n  - { name: contract, type: category }"));

        Assert.Equal(["MLOPS0006", "MLOPS0009", "MLOPS0008", "MLOPS0103"], result.Diagnostics.Select(d => d.Id));
    }

    [Fact]
    public void Parse_ExampleCustomer_ReadsEveryFeature()
    {
        var text = File.ReadAllText(RepositoryRoot.Combine("features", "customer.yaml"));

        var result = FeatureSetParser.Parse("features/customer.yaml", text);

        Assert.Empty(result.Diagnostics);
        var set = result.Declaration!.Value;
        Assert.Equal(new FeatureSetReference("customer", 1), set.Reference);
        Assert.Equal(19, set.Features.Count);
        var tenure = set.Find("tenure")!;
        Assert.Equal((FeatureType.Float, false, 0d, 120d, "Months as a customer"), (tenure.Type, tenure.Nullable, tenure.Min, tenure.Max, tenure.Description));
        Assert.Equal((FillStrategy.None, UnknownCategoryPolicy.Reject, FeatureSource.Data), (tenure.Fill, tenure.OnUnknown, tenure.Source));
        Assert.Empty(tenure.Values);
        var totalCharges = set.Find("total_charges")!;
        Assert.True(totalCharges.Nullable);
        Assert.Equal(FillStrategy.Median, totalCharges.Fill);
        Assert.Equal(["No", "Yes", "No phone service"], set.Find("multiple_lines")!.Values);
        Assert.Equal(["Electronic check", "Mailed check", "Bank transfer (automatic)", "Credit card (automatic)"], set.Find("payment_method")!.Values);
        Assert.Equal(new SourceLocation("features/customer.yaml", 11, 27), result.Declaration.Map["features[4].type"]);
    }

    [Fact]
    public void SchemaDigest_FeatureTypeChanged_Changes()
    {
        var before = Digest("  - { name: tenure, type: float }");
        var after = Digest("  - { name: tenure, type: int }");

        Assert.NotEqual(before, after);
        Assert.Matches("^sha256:[0-9a-f]{64}$", before);
    }

    [Theory]
    [InlineData("  - { name: tenure, type: float, nullable: true }")]
    [InlineData("  - { name: months, type: float }")]
    [InlineData("  - { name: tenure, type: float }\n  - { name: charges, type: float }")]
    public void SchemaDigest_WhatAModelDependsOnChanged_Changes(string feature)
    {
        Assert.NotEqual(Digest("  - { name: tenure, type: float }"), Digest(feature));
    }

    [Fact]
    public void SchemaDigest_CategoryValuesChanged_Changes()
    {
        Assert.NotEqual(
            Digest("  - { name: contract, type: category, values: [Monthly, Yearly] }"),
            Digest("  - { name: contract, type: category, values: [Monthly, Yearly, Biennial] }"));
    }

    [Theory]
    [InlineData("  - { name: tenure, type: float, description: Months as a customer }")]
    [InlineData("  - { name: tenure, type: float, min: 0, max: 120 }")]
    [InlineData("  - name: tenure\n    type: float")]
    public void SchemaDigest_DescriptionRangeOrLayoutChanged_StaysTheSame(string feature)
    {
        Assert.Equal(Digest("  - { name: tenure, type: float }"), Digest(feature));
    }

    [Fact]
    public void SchemaDigest_SetDescriptionChanged_StaysTheSame()
    {
        var text = WithFeature("  - { name: tenure, type: float }");

        Assert.Equal(
            FeatureSetParser.Parse(Path, text).Declaration!.Value.SchemaDigest,
            FeatureSetParser.Parse(Path, "description: Customers.\n" + text).Declaration!.Value.SchemaDigest);
    }

    private static string Digest(string features)
    {
        var result = FeatureSetParser.Parse(Path, WithFeature(features));
        Assert.Empty(result.Diagnostics);
        return result.Declaration!.Value.SchemaDigest;
    }
}
