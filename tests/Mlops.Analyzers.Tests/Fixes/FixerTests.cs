using Mlops.Analyzers.Fixes;
using Microsoft.CodeAnalysis.Testing;
using Mlops.Analyzers.Rules;
using static Mlops.Analyzers.Tests.TestSupport;

namespace Mlops.Analyzers.Tests.Fixes;

public sealed class AddMissingFeatureFixerTests
{
    [Fact]
    public async Task MissingFeature_IsAddedWithTheRuntimeType()
    {
        var source = /* lang=c#-test */ """
            #nullable enable
            [Mlops.FeatureSet("customer", 1)]
            public sealed class {|#0:Row|}
            {
                public float Tenure { get; set; }
                public string Contract { get; set; } = "";
                public float TotalCharges { get; set; }
            }
            """;
        var fixedSource = /* lang=c#-test */ """
            #nullable enable
            [Mlops.FeatureSet("customer", 1)]
            public sealed class Row
            {
                public float Tenure { get; set; }
                public string Contract { get; set; } = "";
                public float TotalCharges { get; set; }
                public float Partner { get; set; }
            }
            """;

        await FixerVerifier<BoundTypeAnalyzer, AddMissingFeatureFixer>.VerifyAsync(source, fixedSource, Customer,
            [FixerVerifier<BoundTypeAnalyzer, AddMissingFeatureFixer>.Diagnostic(Diagnostics.FeatureMissing).WithLocation(0).WithArguments("Row", "customer@1", "partner", "bool")]);
    }
}

public sealed class AddMissingFeatureFixAllTests
{
    [Fact]
    public async Task FixAll_AddsEveryMissingFeatureOfEveryTypeInOnePass_InDeclaredOrder()
    {
        var source = /* lang=c#-test */ """
            #nullable enable
            [Mlops.FeatureSet("customer", 1)]
            public sealed class {|#0:Row|}
            {
                public float Tenure { get; set; }
            }

            [Mlops.FeatureSet("customer", 1)]
            public partial record {|#1:Other|};
            """;
        var fixedSource = /* lang=c#-test */ """
            #nullable enable
            [Mlops.FeatureSet("customer", 1)]
            public sealed class Row
            {
                public float Tenure { get; set; }
                public string Contract { get; set; } = "";
                public float TotalCharges { get; set; }
                public float Partner { get; set; }
            }

            [Mlops.FeatureSet("customer", 1)]
            public partial record Other
            {
                public float Tenure { get; set; }
                public string Contract { get; set; } = "";
                public float TotalCharges { get; set; }
                public float Partner { get; set; }
            }
            """;
        DiagnosticResult Missing(int location, string type, string feature, string kind) =>
            FixerVerifier<BoundTypeAnalyzer, AddMissingFeatureFixer>.Diagnostic(Diagnostics.FeatureMissing).WithLocation(location).WithArguments(type, "customer@1", feature, kind);

        // Seven diagnostics: one at a time takes seven fixes; fix all (document, project and solution
        // scope alike) takes one pass, which fails if overlapping edits were dropped.
        await FixerVerifier<BoundTypeAnalyzer, AddMissingFeatureFixer>.VerifyAsync(source, fixedSource, Customer,
            [
                Missing(0, "Row", "contract", "category"), Missing(0, "Row", "total_charges", "float, nullable"), Missing(0, "Row", "partner", "bool"),
                Missing(1, "Other", "tenure", "float"), Missing(1, "Other", "contract", "category"), Missing(1, "Other", "total_charges", "float, nullable"), Missing(1, "Other", "partner", "bool"),
            ],
            incrementalIterations: 7, fixAllIterations: 1);
    }
}

public sealed class ExtraMemberFixerTests
{
    private const string Source = /* lang=c#-test */ """
        #nullable enable
        [Mlops.FeatureSet("customer", 1)]
        public sealed class {|#1:Row|}
        {
            public float {|#0:Tenur|} { get; set; }
            public string Contract { get; set; } = "";
            public float TotalCharges { get; set; }
            public float Partner { get; set; }
        }
        """;

    private static Microsoft.CodeAnalysis.Testing.DiagnosticResult[] Expected =>
    [
        FixerVerifier<BoundTypeAnalyzer, ExtraMemberFixer>.Diagnostic(Diagnostics.MemberNotAFeature).WithLocation(0).WithArguments("Tenur", "customer@1", "did you mean 'Tenure'?"),
        FixerVerifier<BoundTypeAnalyzer, ExtraMemberFixer>.Diagnostic(Diagnostics.FeatureMissing).WithLocation(1).WithArguments("Row", "customer@1", "tenure", "float"),
    ];

    [Fact]
    public async Task ExtraMember_IsRenamedToTheFeatureItMeant()
    {
        var fixedSource = Source.Replace("{|#0:Tenur|}", "Tenure", StringComparison.Ordinal).Replace("{|#1:Row|}", "Row", StringComparison.Ordinal);

        await FixerVerifier<BoundTypeAnalyzer, ExtraMemberFixer>.VerifyAsync(Source, fixedSource, Customer, Expected, equivalenceKey: ExtraMemberFixer.RenameKey);
    }

    [Fact]
    public async Task ExtraMember_IsRemoved()
    {
        var fixedSource = /* lang=c#-test */ """
            #nullable enable
            [Mlops.FeatureSet("customer", 1)]
            public sealed class {|#0:Row|}
            {
                public string Contract { get; set; } = "";
                public float TotalCharges { get; set; }
                public float Partner { get; set; }
            }
            """;

        await FixerVerifier<BoundTypeAnalyzer, ExtraMemberFixer>.VerifyAsync(Source, fixedSource, Customer, Expected,
            remaining: [FixerVerifier<BoundTypeAnalyzer, ExtraMemberFixer>.Diagnostic(Diagnostics.FeatureMissing).WithLocation(0).WithArguments("Row", "customer@1", "tenure", "float")],
            equivalenceKey: ExtraMemberFixer.RemoveKey);
    }
}

public sealed class UpdateFeatureSetVersionFixerTests
{
    [Fact]
    public async Task UnknownVersion_BecomesTheNewestDeclared()
    {
        var source = /* lang=c#-test */ """
            [Mlops.FeatureSet("customer", {|#0:3|})]
            public sealed class Row { }
            """;
        var fixedSource = /* lang=c#-test */ """
            [Mlops.FeatureSet("customer", 2)]
            public sealed class Row { }
            """;

        await FixerVerifier<FeatureSetReferenceAnalyzer, UpdateFeatureSetVersionFixer>.VerifyAsync(source, fixedSource,
            [Feature("customer", CustomerYaml), Feature("customer_v2", CustomerV2Yaml)],
            [FixerVerifier<FeatureSetReferenceAnalyzer, UpdateFeatureSetVersionFixer>.Diagnostic(Diagnostics.FeatureSetVersionNotDeclared).WithLocation(0).WithArguments("customer", 3, "customer@1, customer@2", "2")]);
    }
}
