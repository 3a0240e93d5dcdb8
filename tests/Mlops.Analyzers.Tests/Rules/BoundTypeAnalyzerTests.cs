using static Mlops.Analyzers.Tests.TestSupport;
using Verify = Mlops.Analyzers.Tests.AnalyzerVerifier<Mlops.Analyzers.Rules.BoundTypeAnalyzer>;

namespace Mlops.Analyzers.Tests.Rules;

public sealed class BoundTypeAnalyzerTests
{
    [Fact]
    public async Task MembersMatchTheFeatures_IsNotReported()
    {
        var source = /* lang=c#-test */ """
            #nullable enable
            [Mlops.FeatureSet("customer", 1)]
            public sealed class Row
            {
                public float Tenure { get; set; }
                public string Contract { get; set; } = "";
                [Microsoft.ML.Data.ColumnName("total_charges")] public float Total { get; set; }
                public float Partner { get; set; }
                [Microsoft.ML.Data.NoColumn] public string? Note { get; set; }
                public int Computed => 1;
            }
            """;

        await Verify.VerifyAsync(source, Customer, environment: null, mlNet: true);
    }

    [Fact]
    public async Task MissingFeature_IsReportedOnTheType()
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

        await Verify.VerifyAsync(source, Customer,
            Verify.Diagnostic(Diagnostics.FeatureMissing).WithLocation(0).WithArguments("Row", "customer@1", "partner", "bool"));
    }

    [Fact]
    public async Task ExtraMember_IsReportedWithDidYouMean()
    {
        var source = /* lang=c#-test */ """
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

        await Verify.VerifyAsync(source, Customer,
            Verify.Diagnostic(Diagnostics.MemberNotAFeature).WithLocation(0).WithArguments("Tenur", "customer@1", "did you mean 'Tenure'?"),
            Verify.Diagnostic(Diagnostics.FeatureMissing).WithLocation(1).WithArguments("Row", "customer@1", "tenure", "float"));
    }

    [Theory]
    [InlineData("bool Partner", "Partner", "bool", "partner", "bool", "float")]
    [InlineData("float? Tenure", "Tenure", "float?", "tenure", "float", "float")]
    [InlineData("string? Contract", "Contract", "string?", "contract", "category", "string")]
    public async Task WrongTypeOrNullability_IsReportedOnTheMember(string declaration, string member, string actual, string feature, string kind, string expected)
    {
        var members = new[] { "float Tenure", "string Contract", "float TotalCharges", "float Partner" }
            .Select(m => m.EndsWith(" " + member, StringComparison.Ordinal) ? declaration.Replace(" " + member, " {|#0:" + member + "|}", StringComparison.Ordinal) : m)
            .Select(m => $"    public {m} {{ get; set; }}{(m.StartsWith("string ", StringComparison.Ordinal) ? " = \"\";" : "")}");
        var source = "#nullable enable\n[Mlops.FeatureSet(\"customer\", 1)]\npublic sealed class Row\n{\n" + string.Join("\n", members) + "\n}\n";

        await Verify.VerifyAsync(source, Customer,
            Verify.Diagnostic(Diagnostics.FeatureTypeMismatch).WithLocation(0).WithArguments(member, actual, feature, "customer@1", kind, expected));
    }
}
