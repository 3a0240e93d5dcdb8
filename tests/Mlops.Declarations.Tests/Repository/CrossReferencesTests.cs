using Mlops.Declarations.Diagnostics;
using Mlops.Declarations.FeatureSets;
using Mlops.Declarations.Repository;

namespace Mlops.Declarations.Tests.Repository;

/// <summary>Checks across files, through <see cref="DeclarationSet.Create"/>.</summary>
public sealed class CrossReferencesTests
{
    private const string DataDigest = "sha256:a55b84ce116b3d67bdf35b57033da03f95c3295ddec4ae32a0e7ce3e187187d7";
    private const string Bundle = "sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";

    private static string FeatureSet(int version, string contractType = "category, values: [Monthly, Yearly]") =>
        $"featureSet: customer\nversion: {version}\nfeatures:\n"
        + "  - { name: tenure, type: float }\n"
        + $"  - {{ name: contract, type: {contractType} }}\n"
        + "  - { name: partner, type: bool }\n";

    /// <summary>A model whose lines 3 (featureSet), 4 (label) and 7 (slices) tests replace.</summary>
    private static string Model(string name = "churn", string featureSet = "customer@1", string labelColumn = "churn", string slices = "[contract]") =>
        $"model: {name}\n"
        + "task: binary-classification\n"
        + $"featureSet: {featureSet}\n"
        + $"label: {{ column: {labelColumn}, positive: \"Yes\" }}\n"
        + $"data: {{ path: data/telco-churn.csv, digest: \"{DataDigest}\" }}\n"
        + "trainer: { name: lbfgs }\n"
        + $"slices: {slices}\n";

    /// <summary>An environment pinning one model from line 3; <paramref name="pin"/> adds lines to the pin from line 6.</summary>
    private static string Environment(string name = "production", string model = "churn", string pin = "", string header = "") =>
        $"environment: {name}\n"
        + header
        + "models:\n"
        + $"  - model: {model}\n"
        + "    version: 7\n"
        + $"    digest: {Bundle}\n"
        + pin;

    private static DeclarationSet Create(params (string Path, string Text)[] files) =>
        DeclarationSet.Create(files.Select(f => new KeyValuePair<string, string>(f.Path, f.Text)));

    private static DeclarationSet Repository(string? model = null, string? environment = null) => Create(
        ("features/customer.yaml", FeatureSet(1)),
        ("features/customer-v2.yaml", FeatureSet(2)),
        ("models/churn.yaml", model ?? Model()),
        ("environments/staging.yaml", Environment("staging")),
        ("environments/production.yaml", environment ?? Environment()));

    [Fact]
    public void Create_ConsistentRepository_HasNoDiagnostics()
    {
        var set = Repository();

        Assert.Empty(set.Diagnostics);
        Assert.False(set.HasErrors);
        Assert.Equal(2, set.FeatureSets.Count);
        Assert.Equal("churn", Assert.Single(set.Models).Value.Name);
        Assert.Equal(["production", "staging"], set.Environments.Select(e => e.Value.Name));
    }

    [Fact]
    public void Create_ModelNamesMissingFeatureSet_ReportsMlops0201WithSuggestion()
    {
        var set = Repository(model: Model(featureSet: "custmer@1"));

        DiagnosticAssert.Single(set.Diagnostics, "MLOPS0201", "models/churn.yaml", 3, 13,
            "feature set 'custmer' is not declared in features/.", "Did you mean 'customer'?");
    }

    [Fact]
    public void Create_ModelNamesMissingFeatureSetVersion_ReportsMlops0202ListingVersionsAndSuggestingTheLatest()
    {
        var set = Repository(model: Model(featureSet: "customer@4"));

        DiagnosticAssert.Single(set.Diagnostics, "MLOPS0202", "models/churn.yaml", 3, 13,
            "feature set 'customer@4' does not exist; features/ declares customer@1, customer@2.", "Use customer@2, or declare version 4.");
    }

    [Fact]
    public void Create_LabelIsAFeature_ReportsMlops0204AtLabelColumn()
    {
        var set = Repository(model: Model(labelColumn: "tenure"));

        DiagnosticAssert.Single(set.Diagnostics, "MLOPS0204", "models/churn.yaml", 4, 18,
            "label column 'tenure' is also a feature of customer@1 (features/customer.yaml).", "remove it from the features");
    }

    [Theory]
    [InlineData("[tenure]", 10, "slice 'tenure' is not a category or boolean feature of customer@1. Slice by a declared category or boolean feature.")]
    [InlineData("[contrat]", 10, "slice 'contrat' is not a category or boolean feature of customer@1. Did you mean 'contract'?")]
    [InlineData("[contract, region]", 20, "slice 'region' is not a category or boolean feature of customer@1.")]
    public void Create_SliceNotACategoryOrBoolean_ReportsMlops0205AtTheSlice(string slices, int column, string message)
    {
        var set = Repository(model: Model(slices: slices));

        DiagnosticAssert.Single(set.Diagnostics, "MLOPS0205", "models/churn.yaml", 7, column, message);
    }

    [Fact]
    public void Create_SliceOnBooleanFeature_HasNoDiagnostics()
    {
        Assert.Empty(Repository(model: Model(slices: "[partner]")).Diagnostics);
    }

    [Fact]
    public void Create_EnvironmentPinsUnknownModel_ReportsMlops0301WithSuggestion()
    {
        var set = Repository(environment: Environment(model: "chrun"));

        DiagnosticAssert.Single(set.Diagnostics, "MLOPS0301", "environments/production.yaml", 3, 12,
            "model 'chrun' is not declared in models/.", "Did you mean 'churn'?");
    }

    [Fact]
    public void Create_FallbackNamesUnknownModel_ReportsMlops0301AtFallbackModel()
    {
        var set = Repository(environment: Environment(pin: "    fallback: { model: churn-rules, version: 2 }\n"));

        DiagnosticAssert.Single(set.Diagnostics, "MLOPS0301", "environments/production.yaml", 6, 24,
            "fallback model 'churn-rules' is not declared in models/.");
    }

    [Fact]
    public void Create_PromotedFromUnknownEnvironment_ReportsMlops0302WithSuggestion()
    {
        var set = Repository(environment: Environment(header: "requires: { promotedFrom: stagin }\n"));

        DiagnosticAssert.Single(set.Diagnostics, "MLOPS0302", "environments/production.yaml", 2, 27,
            "'requires.promotedFrom' names environment 'stagin', which is not declared in environments/.", "Did you mean 'staging'?");
    }

    [Fact]
    public void Create_PinnedFeatureSetVersionMissing_ReportsMlops0202AtThePin()
    {
        var set = Repository(environment: Environment(pin: "    featureSet: customer@3\n"));

        DiagnosticAssert.Single(set.Diagnostics, "MLOPS0202", "environments/production.yaml", 6, 17,
            "feature set 'customer@3' does not exist; features/ declares customer@1, customer@2. Use customer@2");
    }

    [Fact]
    public void Create_PinnedFeatureSetOfAnotherName_ReportsMlops0307Warning()
    {
        var set = Create(
            ("features/customer.yaml", FeatureSet(1)),
            ("features/account.yaml", FeatureSet(1).Replace("featureSet: customer", "featureSet: account", StringComparison.Ordinal)),
            ("models/churn.yaml", Model()),
            ("environments/production.yaml", Environment(pin: "    featureSet: account@1\n")));

        var diagnostic = DiagnosticAssert.Single(set.Diagnostics, "MLOPS0307", "environments/production.yaml", 6, 17,
            "version 7 of 'churn' is pinned with feature set account@1, but models/churn.yaml declares 'customer'.");
        Assert.Equal(Severity.Warning, diagnostic.Severity);
    }

    [Fact]
    public void Create_PinnedDigestMatchesFeatureSet_HasNoDiagnostics()
    {
        var digest = Repository().Find(new FeatureSetReference("customer", 1))!.Value.SchemaDigest;

        var set = Repository(environment: Environment(pin: $"    featureSet: customer@1\n    featureSetDigest: {digest}\n"));

        Assert.Empty(set.Diagnostics);
    }

    [Fact]
    public void Create_FeatureSetEditedInPlaceAfterPromotion_ReportsMlops0308AtThePinnedDigest()
    {
        // Promotion recorded the digest of customer@1; then someone changed a feature's type without a new version.
        var promoted = Repository().Find(new FeatureSetReference("customer", 1))!.Value.SchemaDigest;
        var edited = FeatureSet(1, contractType: "text");

        var set = Create(
            ("features/customer.yaml", edited),
            ("models/churn.yaml", Model(slices: "[partner]")),
            ("environments/production.yaml", Environment(pin: $"    featureSet: customer@1\n    featureSetDigest: {promoted}\n")));

        var now = set.Find(new FeatureSetReference("customer", 1))!.Value.SchemaDigest;
        DiagnosticAssert.Single(set.Diagnostics, "MLOPS0308", "environments/production.yaml", 7, 23,
            $"'churn' v7 was trained on customer@1 with schema digest {promoted}, but features/customer.yaml now has {now}",
            "the published version was edited in place. Restore customer@1 and publish the change as version 2.");
    }

    [Fact]
    public void Create_SameFeatureSetVersionTwice_ReportsMlops0105AtTheSecondVersion()
    {
        var set = Create(("features/a.yaml", FeatureSet(1)), ("features/b.yaml", FeatureSet(1)));

        DiagnosticAssert.Single(set.Diagnostics, "MLOPS0105", "features/b.yaml", 2, 10, "feature set 'customer@1' is also declared in features/a.yaml.");
    }

    [Fact]
    public void Create_SameModelTwice_ReportsMlops0206AtTheSecondName()
    {
        var set = Create(("features/customer.yaml", FeatureSet(1)), ("models/churn.yaml", Model()), ("models/retired/churn.yaml", Model()));

        DiagnosticAssert.Single(set.Diagnostics, "MLOPS0206", "models/retired/churn.yaml", 1, 8, "model 'churn' is also declared in models/churn.yaml.");
    }

    [Fact]
    public void Create_SameEnvironmentTwice_ReportsMlops0303AtTheSecondName()
    {
        var set = Create(
            ("features/customer.yaml", FeatureSet(1)),
            ("models/churn.yaml", Model()),
            ("environments/production.yaml", Environment()),
            ("environments/eu/production.yaml", Environment()));

        DiagnosticAssert.Single(set.Diagnostics, "MLOPS0303", "environments/production.yaml", 1, 14, "environment 'production' is also declared in environments/eu/production.yaml.");
    }

    [Fact]
    public void Create_ModelNamedUnlikeItsFile_WarnsMlops0211AtTheName()
    {
        var set = Create(("features/customer.yaml", FeatureSet(1)), ("models/churn2.yaml", Model()));

        DiagnosticAssert.Single(set.Diagnostics, "MLOPS0211", "models/churn2.yaml", 1, 8, "declares model 'churn'", "Rename the file to models/churn.yaml, or the model to 'churn2'.");
    }

    [Fact]
    public void Create_EnvironmentNamedUnlikeItsFile_WarnsMlops0309AtTheName()
    {
        var set = Create(("features/customer.yaml", FeatureSet(1)), ("models/churn.yaml", Model()), ("environments/prod.yaml", Environment()));

        DiagnosticAssert.Single(set.Diagnostics, "MLOPS0309", "environments/prod.yaml", 1, 14, "declares environment 'production'", "promote and rollback edit environments/NAME.yaml.");
    }

    [Fact]
    public void Create_FilesOutsideTheDeclarationFolders_AreIgnored()
    {
        var set = Create(("data/readme.yaml", "not: [a declaration"), ("features/notes.txt", "\0"), ("build.yaml", ""));

        Assert.Empty(set.Diagnostics);
        Assert.Empty(set.FeatureSets);
    }

    [Fact]
    public void Create_FindingsOfSeveralFiles_AreAllReportedInFileOrder()
    {
        var set = Create(
            ("models/churn.yaml", Model(featureSet: "customer@1", slices: "[contract]").Replace("task: binary-classification", "task: regresion", StringComparison.Ordinal)),
            ("features/customer.yaml", FeatureSet(1).Replace("version: 1", "version: one", StringComparison.Ordinal)));

        Assert.Equal(
            [("MLOPS0008", "features/customer.yaml"), ("MLOPS0009", "models/churn.yaml")],
            set.Diagnostics.Select(d => (d.Id, d.Location.Path)));
    }
}
