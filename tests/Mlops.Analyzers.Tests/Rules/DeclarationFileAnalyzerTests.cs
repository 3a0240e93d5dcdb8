using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Testing;
using Mlops.Analyzers.Rules;
using static Mlops.Analyzers.Tests.TestSupport;
using Verify = Mlops.Analyzers.Tests.AnalyzerVerifier<Mlops.Analyzers.Rules.DeclarationFileAnalyzer>;

namespace Mlops.Analyzers.Tests.Rules;

public sealed class DeclarationFileAnalyzerTests
{
    [Fact]
    public async Task ValidDeclarations_AreNotReported()
    {
        await Verify.VerifyAsync("public sealed class C { }", CustomerAndChurn);
    }

    [Fact]
    public async Task FileThatDoesNotParse_IsReportedInTheFileAtLineAndColumn()
    {
        var broken = "featureSet: customer\nversion: 1\nfeatures:\n  - { name: tenure, type: flot }\n";

        var expected = new DiagnosticResult("MLOPS0009", DiagnosticSeverity.Error)
            .WithSpan($"{Root}/features/customer.yaml", 4, 27, 4, 31);

        await Verify.VerifyAsync("public sealed class C { }", [Feature("customer", broken)], expected.WithMessage(await MessageAsync(broken)));
    }

    [Fact]
    public async Task FeatureSetEditedInPlace_IsReportedOnTheEnvironmentDigest()
    {
        var environment = """
            environment: production
            models:
              - model: churn
                version: 7
                digest: sha256:5d41402abc4b2a76b9719d911017c592ae2f5b1c2e3d4f5a6b7c8d9e0f1a2b3c
                featureSet: customer@1
                featureSetDigest: sha256:0feaa636d74c2cdd789088825848dc98b795bb3df8070fad021d5e28095b20ad
            """;
        var files = CustomerAndChurn.Append(Environment("production", environment)).ToArray();
        var digest = Mlops.Declarations.FeatureSets.FeatureSetParser.Parse("features/customer.yaml", CustomerYaml).Declaration!.Value.SchemaDigest;

        var expected = new DiagnosticResult("MLOPS0308", DiagnosticSeverity.Error)
            .WithSpan($"{Root}/environments/production.yaml", 7, 23, 7, 94)
            .WithMessage($"'churn' v7 was trained on customer@1 with schema digest sha256:0feaa636d74c2cdd789088825848dc98b795bb3df8070fad021d5e28095b20ad, but features/customer.yaml now has {digest}: the published version was edited in place. Restore customer@1 and publish the change as version 2.");

        await Verify.VerifyAsync("public sealed class C { }", files, expected);
    }

    private static Task<string> MessageAsync(string yaml)
    {
        var finding = Mlops.Declarations.Repository.DeclarationSet.Create([new("features/customer.yaml", yaml)]).Diagnostics.Single();
        return Task.FromResult(finding.Message);
    }
}
