using static Mlops.Analyzers.Tests.TestSupport;
using Verify = Mlops.Analyzers.Tests.AnalyzerVerifier<Mlops.Analyzers.Rules.ModelUsageAnalyzer>;

namespace Mlops.Analyzers.Tests.Rules;

public sealed class ModelUsageAnalyzerTests
{
    private const string Types = """
        [Mlops.FeatureSet("customer", 1)] public sealed class CustomerV1 { }
        [Mlops.FeatureSet("customer", 2)] public sealed class CustomerV2 { }
        """;

    private static readonly (string Path, string Text)[] Files =
        [Feature("customer", CustomerYaml), Feature("customer_v2", CustomerV2Yaml), Model("churn", ChurnYaml)];

    private const string ProductionPinsV1 = """
        environment: production
        models:
          - model: churn
            version: 7
            digest: sha256:5d41402abc4b2a76b9719d911017c592ae2f5b1c2e3d4f5a6b7c8d9e0f1a2b3c
            featureSet: customer@1
        """;

    [Fact]
    public async Task DeclaredModelWithItsFeatureSet_IsNotReported()
    {
        var source = Types + "public static class Use { public static object Handle = new Mlops.ModelHandle<CustomerV1>(\"churn\"); }";

        await Verify.VerifyAsync(source, Files.Append(Environment("production", ProductionPinsV1)), environment: "production", mlNet: false);
    }

    [Fact]
    public async Task UnknownModelName_IsReportedWithDidYouMean()
    {
        var source = Types + "public static class Use { public static object Handle = new Mlops.ModelHandle<CustomerV1>({|#0:\"chrun\"|}); }";

        await Verify.VerifyAsync(source, Files,
            Verify.Diagnostic(Diagnostics.ModelNotDeclared).WithLocation(0).WithArguments("chrun", "did you mean 'churn'?"));
    }

    [Fact]
    public async Task InputBoundToAnotherVersion_IsReported()
    {
        var source = Types + "public static class Use { public static object Handle = {|#0:new Mlops.ModelHandle<CustomerV2>(\"churn\")|}; }";

        await Verify.VerifyAsync(source, Files,
            Verify.Diagnostic(Diagnostics.ModelFeatureSetMismatch).WithLocation(0).WithArguments("churn", "customer@1", "models/churn.yaml", "CustomerV2", "customer@2"));
    }

    [Fact]
    public async Task EnvironmentPinTrainedOnAnotherVersion_IsReportedAsServingSkew()
    {
        var churnOnV2 = ChurnYaml.Replace("customer@1", "customer@2", StringComparison.Ordinal);
        var source = Types + "public static class Use { public static object Handle = {|#0:new Mlops.ModelHandle<CustomerV2>(\"churn\")|}; }";
        var files = new[] { Feature("customer", CustomerYaml), Feature("customer_v2", CustomerV2Yaml), Model("churn", churnOnV2), Environment("production", ProductionPinsV1) };

        await Verify.VerifyAsync(source, files, environment: "production", mlNet: false,
            Verify.Diagnostic(Diagnostics.ServingSkew).WithLocation(0).WithArguments("production", "churn", 7, "customer@1", "customer@2", "CustomerV2"));
    }

    [Fact]
    public async Task UnknownEnvironment_IsReported()
    {
        var source = Types + "public static class Use { }";

        await Verify.VerifyAsync(source, Files.Append(Environment("production", ProductionPinsV1)), environment: "prodution", mlNet: false,
            Verify.Diagnostic(Diagnostics.EnvironmentNotDeclared).WithArguments("prodution", "did you mean 'production'?"));
    }
}
