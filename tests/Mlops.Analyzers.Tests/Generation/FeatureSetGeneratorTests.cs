using System.Collections.Immutable;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Text;
using Mlops.Analyzers.Generation;
using static Mlops.Analyzers.Tests.TestSupport;

namespace Mlops.Analyzers.Tests.Generation;

public sealed class FeatureSetGeneratorTests
{
    private const string Consumer = """
        namespace Shop;

        [Mlops.FeatureSet("customer", 1)]
        public partial record CustomerFeatures;

        internal static class Scoring
        {
            public static string Score<T>(Mlops.ModelHandle<T> model, T features) => model.Name + features;
            public static string Use() => Score(Mlops.Models.Churn, new CustomerFeatures { Tenure = 3, Contract = "One year", TotalCharges = float.NaN, Partner = 1 });
        }
        """;

    [Fact]
    public void PartialRecord_GetsOneMemberPerFeatureWithColumnNamesAndDigest()
    {
        var (output, generated, _) = Run(Consumer, mlNet: true);

        var features = generated.Single(g => g.HintName == "Shop.CustomerFeatures.FeatureSet.g.cs").SourceText.ToString();
        var digest = Mlops.Declarations.FeatureSets.FeatureSetParser.Parse("features/customer.yaml", CustomerYaml).Declaration!.Value.SchemaDigest;
        Assert.Contains($"public const string SchemaDigest = \"{digest}\";", features, StringComparison.Ordinal);
        Assert.Contains("[global::Microsoft.ML.Data.ColumnName(\"total_charges\")]\n        public float TotalCharges { get; set; } = float.NaN;", features, StringComparison.Ordinal);
        Assert.Contains("public string Contract { get; set; } = \"\";", features, StringComparison.Ordinal);
        Assert.Contains("public float Partner { get; set; }", features, StringComparison.Ordinal);
        Assert.Empty(output.GetDiagnostics(TestContext.Current.CancellationToken).Where(d => d.Severity >= DiagnosticSeverity.Warning));
    }

    [Fact]
    public void Models_GetsATypedHandlePerModelFile()
    {
        var (_, generated, _) = Run(Consumer, mlNet: false);

        var models = generated.Single(g => g.HintName == "Mlops.Models.g.cs").SourceText.ToString();
        Assert.Contains("public static global::Mlops.ModelHandle<global::Shop.CustomerFeatures> Churn { get; } = new global::Mlops.ModelHandle<global::Shop.CustomerFeatures>(\"churn\");", models, StringComparison.Ordinal);
    }

    [Fact]
    public void WithoutMlNet_NoColumnNameAttributes()
    {
        var (output, generated, _) = Run(Consumer, mlNet: false);

        var features = generated.Single(g => g.HintName == "Shop.CustomerFeatures.FeatureSet.g.cs").SourceText.ToString();
        Assert.DoesNotContain("ColumnName", features, StringComparison.Ordinal);
        Assert.Empty(output.GetDiagnostics(TestContext.Current.CancellationToken).Where(d => d.Severity >= DiagnosticSeverity.Warning));
    }

    [Fact]
    public void WrongFeatureType_DoesNotCompile()
    {
        var source = Consumer + """

            [Mlops.FeatureSet("other", 1)] public partial record OtherFeatures;
            internal static class Wrong { public static string Use() => Scoring.Score(Mlops.Models.Churn, new OtherFeatures()); }
            """;
        var other = Feature("other", "featureSet: other\nversion: 1\nfeatures:\n  - { name: x, type: float }\n");

        var (output, _, _) = Run(source, mlNet: false, extra: [other]);

        Assert.Contains(output.GetDiagnostics(TestContext.Current.CancellationToken), d => d.Id is "CS1503" or "CS0411");
    }

    [Fact]
    public void CategoryDeclaredANumber_CodeAssigningAStringFailsWhereItAssigns()
    {
        var (output, _, _) = Run(Consumer, mlNet: false, customer: CustomerYaml.Replace("type: category, values: [Month-to-month, One year]", "type: float", StringComparison.Ordinal));

        var error = Assert.Single(output.GetDiagnostics(TestContext.Current.CancellationToken), d => d.Severity == DiagnosticSeverity.Error);
        Assert.Equal("CS0029", error.Id);
        Assert.Equal("\"One year\"", error.Location.SourceTree!.GetText(TestContext.Current.CancellationToken).ToString(error.Location.SourceSpan));
    }

    [Theory]
    [InlineData("int")]
    [InlineData("bool")]
    public void FloatDeclaredAnotherNumber_StillCompiles(string type)
    {
        var (output, generated, _) = Run(Consumer, mlNet: false, customer: CustomerYaml.Replace("{ name: tenure, type: float", $"{{ name: tenure, type: {type}", StringComparison.Ordinal));

        Assert.Contains("public float Tenure { get; set; }", generated.Single(g => g.HintName == "Shop.CustomerFeatures.FeatureSet.g.cs").SourceText.ToString(), StringComparison.Ordinal);
        Assert.Empty(output.GetDiagnostics(TestContext.Current.CancellationToken).Where(d => d.Severity >= DiagnosticSeverity.Warning));
    }

    [Fact]
    public void UnrelatedEdit_RerunsNothing()
    {
        var (_, _, driver) = Run(Consumer, mlNet: true);
        var compilation = Compile(Consumer, mlNet: true).AddSyntaxTrees(CSharpSyntaxTree.ParseText("namespace Shop; public static class Unrelated { }", Parse, "/0/Unrelated.cs", cancellationToken: TestContext.Current.CancellationToken));

        var result = driver.RunGenerators(compilation, TestContext.Current.CancellationToken).GetRunResult().Results.Single();

        foreach (var step in new[] { FeatureSetGenerator.Steps.Declarations, FeatureSetGenerator.Steps.BoundTypes, FeatureSetGenerator.Steps.UsesMlNet })
        {
            var outputs = result.TrackedSteps[step].SelectMany(s => s.Outputs).ToList();
            Assert.NotEmpty(outputs);
            Assert.All(outputs, o => Assert.True(o.Reason is IncrementalStepRunReason.Cached or IncrementalStepRunReason.Unchanged, $"{step}: {o.Reason}"));
        }

        Assert.All(result.TrackedOutputSteps.SelectMany(s => s.Value).SelectMany(s => s.Outputs),
            o => Assert.True(o.Reason is IncrementalStepRunReason.Cached or IncrementalStepRunReason.Unchanged, o.Reason.ToString()));
    }

    private static readonly CSharpParseOptions Parse = new(LanguageVersion.Latest);

    private static CSharpCompilation Compile(string source, bool mlNet)
    {
        var trees = new List<SyntaxTree> { CSharpSyntaxTree.ParseText(source, Parse, "/0/Consumer.cs") };
        if (mlNet)
        {
            trees.Add(CSharpSyntaxTree.ParseText(MlNetStub, Parse, "/0/MlNet.cs"));
        }

        return CSharpCompilation.Create("Consumer", trees, References,
            new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary, nullableContextOptions: NullableContextOptions.Enable));
    }

    private static (Compilation Output, ImmutableArray<GeneratedSourceResult> Generated, GeneratorDriver Driver) Run(string source, bool mlNet, (string Path, string Text)[]? extra = null, string customer = CustomerYaml)
    {
        var files = new[] { Feature("customer", customer), Model("churn", ChurnYaml) }.Concat(extra ?? []).Select(f => (AdditionalText)new InMemoryText(f.Path, f.Text)).ToImmutableArray();
        GeneratorDriver driver = CSharpGeneratorDriver.Create(
            [new FeatureSetGenerator().AsSourceGenerator()],
            files,
            Parse,
            new OptionsProvider(new Dictionary<string, string> { ["build_property.MlopsRepositoryRoot"] = Root + "/" }),
            new GeneratorDriverOptions(IncrementalGeneratorOutputKind.None, trackIncrementalGeneratorSteps: true));
        driver = driver.RunGeneratorsAndUpdateCompilation(Compile(source, mlNet), out var output, out _, TestContext.Current.CancellationToken);
        return (output, driver.GetRunResult().Results.Single().GeneratedSources, driver);
    }

    private sealed class InMemoryText(string path, string text) : AdditionalText
    {
        private readonly SourceText _text = SourceText.From(text);

        public override string Path { get; } = path;

        public override SourceText GetText(CancellationToken cancellationToken = default) => _text;
    }

    private sealed class OptionsProvider(Dictionary<string, string> values) : AnalyzerConfigOptionsProvider
    {
        public override AnalyzerConfigOptions GlobalOptions { get; } = new Options(values);

        public override AnalyzerConfigOptions GetOptions(SyntaxTree tree) => new Options([]);

        public override AnalyzerConfigOptions GetOptions(AdditionalText textFile) => new Options([]);

        private sealed class Options(Dictionary<string, string> values) : AnalyzerConfigOptions
        {
            public override bool TryGetValue(string key, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out string? value) => values.TryGetValue(key, out value);
        }
    }
}
