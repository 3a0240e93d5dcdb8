using Mlops.Analyzers.Rules;
using static Mlops.Analyzers.Tests.TestSupport;
using Verify = Mlops.Analyzers.Tests.AnalyzerVerifier<Mlops.Analyzers.Rules.FeatureSetReferenceAnalyzer>;

namespace Mlops.Analyzers.Tests.Rules;

public sealed class FeatureSetReferenceAnalyzerTests
{
    [Fact]
    public async Task DeclaredSetAndVersion_IsNotReported()
    {
        var source = /* lang=c#-test */ """
            [Mlops.FeatureSet("customer", 1)]
            public sealed class Row { }
            """;

        await Verify.VerifyAsync(source, Customer);
    }

    [Fact]
    public async Task UnknownSet_IsReportedOnTheNameWithDidYouMean()
    {
        var source = /* lang=c#-test */ """
            [Mlops.FeatureSet({|#0:"custome"|}, 1)]
            public sealed class Row { }
            """;

        await Verify.VerifyAsync(source, Customer,
            Verify.Diagnostic(Diagnostics.FeatureSetNotDeclared).WithLocation(0).WithArguments("custome", "did you mean 'customer'?"));
    }

    [Fact]
    public async Task UnknownVersion_IsReportedOnTheVersionWithTheDeclaredOnes()
    {
        var source = /* lang=c#-test */ """
            [Mlops.FeatureSet("customer", {|#0:3|})]
            public sealed class Row { }
            """;

        await Verify.VerifyAsync(source, [Feature("customer", CustomerYaml), Feature("customer_v2", CustomerV2Yaml)],
            Verify.Diagnostic(Diagnostics.FeatureSetVersionNotDeclared).WithLocation(0).WithArguments("customer", 3, "customer@1, customer@2", "2"));
    }
}
