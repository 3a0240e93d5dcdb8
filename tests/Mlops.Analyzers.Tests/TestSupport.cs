using System.Collections.Immutable;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CodeFixes;
using Microsoft.CodeAnalysis.CSharp.Testing;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Testing;
using Mlops.Analyzers.Generation;

namespace Mlops.Analyzers.Tests;

/// <summary>Declarations and compilation settings shared by the analyzer, fixer and generator tests.</summary>
internal static class TestSupport
{
    public const string Root = "/repo";

    public const string CustomerYaml = """
        featureSet: customer
        version: 1
        features:
          - { name: tenure, type: float, min: 0 }
          - { name: contract, type: category, values: [Month-to-month, One year] }
          - { name: total_charges, type: float, nullable: true }
          - { name: partner, type: bool }
        """;

    public const string CustomerV2Yaml = """
        featureSet: customer
        version: 2
        features:
          - { name: tenure, type: float, min: 0 }
          - { name: contract, type: category, values: [Month-to-month, One year] }
        """;

    public const string ChurnYaml = """
        model: churn
        task: binary-classification
        featureSet: customer@1
        label: { column: churn, positive: "Yes" }
        data: { path: data/churn.csv, digest: "sha256:0000000000000000000000000000000000000000000000000000000000000000" }
        trainer: { name: lbfgs }
        """;

    public static (string Path, string Text) Feature(string name, string text) => ($"{Root}/features/{name}.yaml", text);

    public static (string Path, string Text) Model(string name, string text) => ($"{Root}/models/{name}.yaml", text);

    public static (string Path, string Text) Environment(string name, string text) => ($"{Root}/environments/{name}.yaml", text);

    public static readonly (string Path, string Text)[] Customer = [Feature("customer", CustomerYaml)];

    public static readonly (string Path, string Text)[] CustomerAndChurn = [Feature("customer", CustomerYaml), Model("churn", ChurnYaml)];

    /// <summary>What the generator's post-initialization output gives a consumer, for tests that run analyzers alone.</summary>
    public const string AttributesSource = "namespace Microsoft.CodeAnalysis { internal sealed class EmbeddedAttribute : global::System.Attribute { } }\n" + AttributeSource.Text;

    /// <summary>Enough of ML.NET's attributes for the tests; the real package is not needed.</summary>
    public const string MlNetStub = """
        namespace Microsoft.ML.Data
        {
            [System.AttributeUsage(System.AttributeTargets.Property | System.AttributeTargets.Field)]
            public sealed class ColumnNameAttribute : System.Attribute { public ColumnNameAttribute(string name) { } }
            [System.AttributeUsage(System.AttributeTargets.Property | System.AttributeTargets.Field)]
            public sealed class NoColumnAttribute : System.Attribute { }
        }
        """;

    public static string GlobalConfig(string? environment = null) =>
        $"is_global = true\nbuild_property.MlopsRepositoryRoot = {Root}/\n" + (environment is null ? "" : $"build_property.MlopsEnvironment = {environment}\n");

    /// <summary>The .NET reference assemblies of the SDK on this machine: no download at test time.</summary>
    public static ImmutableArray<MetadataReference> References { get; } = LoadReferences();

    public static ReferenceAssemblies NoPackages { get; } = new("net10.0");

    private static ImmutableArray<MetadataReference> LoadReferences()
    {
        var runtime = Path.GetDirectoryName(typeof(object).Assembly.Location)!;
        var dotnetRoot = Path.GetFullPath(Path.Combine(runtime, "..", "..", ".."));
        var packs = Path.Combine(dotnetRoot, "packs", "Microsoft.NETCore.App.Ref");
        var folder = Directory.Exists(packs)
            ? Directory.GetDirectories(packs).Select(v => Path.Combine(v, "ref", "net10.0")).Where(Directory.Exists).OrderBy(p => p, StringComparer.Ordinal).LastOrDefault()
            : null;
        folder ??= runtime;
        return Directory.GetFiles(folder, "*.dll")
            .Where(f => !Path.GetFileName(f).StartsWith("Microsoft.VisualBasic", StringComparison.Ordinal))
            .Select(f => (MetadataReference)MetadataReference.CreateFromFile(f))
            .ToImmutableArray();
    }

    public static void Configure(SolutionState state, IEnumerable<(string Path, string Text)> files, string? environment, bool mlNet = false)
    {
        state.Sources.Add(("/0/Mlops.Attributes.g.cs", AttributesSource));
        if (mlNet)
        {
            state.Sources.Add(("/0/MlNet.cs", MlNetStub));
        }

        state.AdditionalReferences.AddRange(References);
        foreach (var file in files)
        {
            state.AdditionalFiles.Add((file.Path, file.Text));
        }

        state.AnalyzerConfigFiles.Add(("/.globalconfig", GlobalConfig(environment)));
    }
}

/// <summary>Runs one analyzer over C# source and declaration files.</summary>
internal static class AnalyzerVerifier<TAnalyzer>
    where TAnalyzer : DiagnosticAnalyzer, new()
{
    public static DiagnosticResult Diagnostic(DiagnosticDescriptor descriptor) => new(descriptor);

    public static Task VerifyAsync(string source, IEnumerable<(string Path, string Text)> files, params DiagnosticResult[] expected) =>
        VerifyAsync(source, files, environment: null, mlNet: false, expected);

    public static async Task VerifyAsync(string source, IEnumerable<(string Path, string Text)> files, string? environment, bool mlNet, params DiagnosticResult[] expected)
    {
        var test = new CSharpAnalyzerTest<TAnalyzer, DefaultVerifier>
        {
            TestCode = source,
            ReferenceAssemblies = TestSupport.NoPackages,
        };
        TestSupport.Configure(test.TestState, files, environment, mlNet);
        test.ExpectedDiagnostics.AddRange(expected);
        await test.RunAsync(TestContext.Current.CancellationToken);
    }
}

/// <summary>Runs one analyzer and its fixer.</summary>
internal static class FixerVerifier<TAnalyzer, TFixer>
    where TAnalyzer : DiagnosticAnalyzer, new()
    where TFixer : CodeFixProvider, new()
{
    public static DiagnosticResult Diagnostic(DiagnosticDescriptor descriptor) => new(descriptor);

    public static async Task VerifyAsync(string source, string fixedSource, IEnumerable<(string Path, string Text)> files, DiagnosticResult[] expected,
        DiagnosticResult[]? remaining = null, int? codeActionIndex = null, string? equivalenceKey = null, bool mlNet = false,
        int? incrementalIterations = null, int? fixAllIterations = null)
    {
        var test = new CSharpCodeFixTest<TAnalyzer, TFixer, DefaultVerifier>
        {
            TestCode = source,
            FixedCode = fixedSource,
            ReferenceAssemblies = TestSupport.NoPackages,
            CodeActionIndex = codeActionIndex,
            CodeActionEquivalenceKey = equivalenceKey,
            // Unset, the harness works both out from the diagnostics; a test of fix all states them.
            NumberOfIncrementalIterations = incrementalIterations,
            NumberOfFixAllIterations = fixAllIterations,
        };
        TestSupport.Configure(test.TestState, files, environment: null, mlNet);
        TestSupport.Configure(test.FixedState, files, environment: null, mlNet);
        test.FixedState.InheritanceMode = StateInheritanceMode.Explicit;
        test.ExpectedDiagnostics.AddRange(expected);
        test.FixedState.ExpectedDiagnostics.AddRange(remaining ?? []);
        await test.RunAsync(TestContext.Current.CancellationToken);
    }
}
