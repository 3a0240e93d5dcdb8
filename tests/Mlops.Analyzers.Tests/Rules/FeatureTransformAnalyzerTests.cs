using static Mlops.Analyzers.Tests.TestSupport;
using Verify = Mlops.Analyzers.Tests.AnalyzerVerifier<Mlops.Analyzers.Rules.FeatureTransformAnalyzer>;

namespace Mlops.Analyzers.Tests.Rules;

public sealed class FeatureTransformAnalyzerTests
{
    private const string WithCodeFeature = """
        featureSet: customer
        version: 1
        features:
          - { name: tenure, type: float }
          - { name: tenure_years, type: float, transform: code }
        """;

    private static readonly (string Path, string Text)[] Files = [Feature("customer", WithCodeFeature)];

    [Fact]
    public async Task OneImplementation_IsNotReported()
    {
        var source = /* lang=c#-test */ """
            [Mlops.FeatureSet("customer", 1)] public sealed class Row { }
            public static class Transforms
            {
                [Mlops.FeatureTransform("customer", "tenure_years")]
                public static float TenureYears(float tenure) => tenure / 12;
            }
            """;

        await Verify.VerifyAsync(source, Files);
    }

    [Fact]
    public async Task NoImplementation_IsReportedOnTheBinding()
    {
        var source = /* lang=c#-test */ """
            [Mlops.FeatureSet({|#0:"customer"|}, 1)] public sealed class Row { }
            """;

        await Verify.VerifyAsync(source, Files,
            Verify.Diagnostic(Diagnostics.FeatureTransformMissing).WithLocation(0).WithArguments("tenure_years", "customer@1", "customer"));
    }

    [Fact]
    public async Task TwoImplementations_TheSecondIsReported()
    {
        var source = /* lang=c#-test */ """
            [Mlops.FeatureSet("customer", 1)] public sealed class Row { }
            public static class Transforms
            {
                [Mlops.FeatureTransform("customer", "tenure_years")]
                public static float TenureYears(float tenure) => tenure / 12;

                [{|#0:Mlops.FeatureTransform("customer", "tenure_years")|}]
                public static float Again(float tenure) => tenure / 12;
            }
            """;

        await Verify.VerifyAsync(source, Files,
            Verify.Diagnostic(Diagnostics.FeatureTransformDuplicated).WithLocation(0).WithArguments("tenure_years", "customer", "Transforms.TenureYears"));
    }

    [Fact]
    public async Task TransformOfADataFeature_IsReported()
    {
        var source = /* lang=c#-test */ """
            [Mlops.FeatureSet("customer", 1)] public sealed class Row { }
            public static class Transforms
            {
                [Mlops.FeatureTransform("customer", "tenure_years")]
                public static float TenureYears(float tenure) => tenure / 12;

                [{|#0:Mlops.FeatureTransform("customer", "tenure")|}]
                public static float Tenure(float tenure) => tenure;
            }
            """;

        await Verify.VerifyAsync(source, Files,
            Verify.Diagnostic(Diagnostics.FeatureTransformNotDeclared).WithLocation(0)
                .WithArguments("tenure", "customer", "which is read from data, not computed by code; declare it 'transform: code' or remove the attribute."));
    }
}
