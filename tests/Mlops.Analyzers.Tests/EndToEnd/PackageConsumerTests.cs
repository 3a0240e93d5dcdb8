using System.IO.Compression;
using System.Xml.Linq;
using Mlops.Testing;

namespace Mlops.Analyzers.Tests.EndToEnd;

/// <summary>
/// The analyzer as users get it: packed, restored from a package source, loaded by the real compiler
/// into a copy of examples/Churn.Client beside a copy of this repository's declarations.
/// </summary>
[Trait("Category", "EndToEnd")]
public sealed class PackageConsumerTests(PackedAnalyzer package) : IClassFixture<PackedAnalyzer>
{
    private const string CustomerYaml = "features/customer.yaml";
    private const string ConsumerFolder = "examples/Churn.Client";

    // A category feature declared a number, as someone encoding it numerically would write it.
    private const string InternetServiceAsCategory = """{ name: internet_service, type: category, values: [DSL, Fiber optic, "No"] }""";
    private const string InternetServiceAsFloat = "{ name: internet_service, type: float }";

    [Fact]
    public void Package_CarriesTheParserBesideTheAnalyzer_AndTheProps()
    {
        using var archive = ZipFile.OpenRead(package.PackagePath);
        var entries = archive.Entries.Select(e => e.FullName).ToHashSet(StringComparer.Ordinal);

        Assert.Contains("analyzers/dotnet/cs/Mlops.Analyzers.dll", entries);
        Assert.Contains("analyzers/dotnet/cs/Mlops.Declarations.dll", entries);
        Assert.Contains("analyzers/dotnet/cs/YamlDotNet.dll", entries);
        Assert.Contains("buildTransitive/Mlops.Analyzers.props", entries);
        // Nothing for the consumer to reference at run time, and no dependency to restore.
        Assert.DoesNotContain(entries, e => e.StartsWith("lib/", StringComparison.Ordinal));
        var nuspec = XDocument.Load(archive.Entries.Single(e => e.FullName.EndsWith(".nuspec", StringComparison.Ordinal)).Open());
        Assert.DoesNotContain(nuspec.Descendants(), e => e.Name.LocalName == "dependency");
        Assert.Equal("true", nuspec.Descendants().Single(e => e.Name.LocalName == "developmentDependency").Value);
    }

    [Fact]
    public async Task ExampleConsumer_FailsAtTheBoundMember_WhenAFeatureChangesType_AndBuildsCleanOnceReverted()
    {
        var ct = TestContext.Current.CancellationToken;
        using var repository = new TempDirectory("mlops-analyzers-consumer");
        WriteConsumer(repository);
        var original = repository.Read(CustomerYaml);

        var clean = await BuildAsync(repository, ct);
        Assert.True(clean.ExitCode == 0, clean.ToString());
        Assert.Empty(clean.Diagnostics);
        // The analyzer came from the packed package, restored into the private folder.
        Assert.True(Directory.Exists(repository.Combine($"packages/mlops.analyzers/{PackedAnalyzer.Version}/analyzers/dotnet/cs")), clean.ToString());

        repository.Replace(CustomerYaml, InternetServiceAsCategory, InternetServiceAsFloat);
        var broken = await BuildAsync(repository, ct);

        Assert.True(broken.ExitCode != 0, broken.ToString());
        var error = Assert.Single(broken.Errors);
        var (line, column) = Position(repository.Read($"{ConsumerFolder}/CustomerFeatures.cs"), "public string InternetService", "InternetService");
        Assert.Equal("MLOPS1005", error.Id);
        Assert.Equal(repository.Combine($"{ConsumerFolder}/CustomerFeatures.cs"), error.Path);
        Assert.Equal((line, column), (error.Line, error.Column));
        Assert.Contains("feature 'internet_service' of customer@1 is float; declare it as 'float'", error.Message, StringComparison.Ordinal);

        repository.Write(CustomerYaml, original);
        var reverted = await BuildAsync(repository, ct);
        Assert.True(reverted.ExitCode == 0, reverted.ToString());
        Assert.Empty(reverted.Diagnostics);
    }

    /// <summary>
    /// Copies the declarations and the example's C# into the same layout as this repository (so the
    /// props file finds features/ two folders up), with a project file that takes the analyzer from
    /// the package instead of the project.
    /// </summary>
    private void WriteConsumer(TempDirectory repository)
    {
        foreach (var folder in new[] { "features", "models", "environments" })
        {
            foreach (var file in Directory.GetFiles(RepositoryRoot.Combine(folder), "*.yaml"))
            {
                repository.Write($"{folder}/{Path.GetFileName(file)}", File.ReadAllBytes(file));
            }
        }

        var example = RepositoryRoot.Combine("examples", "Churn.Client");
        foreach (var file in Directory.GetFiles(example, "*.cs"))
        {
            repository.Write($"{ConsumerFolder}/{Path.GetFileName(file)}", File.ReadAllBytes(file));
        }

        repository.Write($"{ConsumerFolder}/Churn.Client.csproj", PackageConsumerProject(Path.Combine(example, "Churn.Client.csproj")));

        // The same language settings as this repository's Directory.Build.props (warnings are errors),
        // without its analyzers; the file also stops MSBuild looking further up the temp folder.
        repository.Write("Directory.Build.props", """
            <Project>
              <PropertyGroup>
                <LangVersion>latest</LangVersion>
                <Nullable>enable</Nullable>
                <ImplicitUsings>enable</ImplicitUsings>
                <TreatWarningsAsErrors>true</TreatWarningsAsErrors>
              </PropertyGroup>
            </Project>
            """);

        var versions = XDocument.Load(RepositoryRoot.Combine("Directory.Packages.props"));
        versions.Root!.Elements("ItemGroup").First().Add(new XElement("PackageVersion", new XAttribute("Include", "Mlops.Analyzers"), new XAttribute("Version", PackedAnalyzer.Version)));
        repository.Write("Directory.Packages.props", versions.ToString());

        // Packages restore into a folder of this consumer's own; the machine's cache serves as a
        // read-only fallback, so ML.NET need not be downloaded again and the cache gets no e2e copy.
        repository.Write("nuget.config", $"""
            <?xml version="1.0" encoding="utf-8"?>
            <configuration>
              <config>
                <add key="globalPackagesFolder" value="{repository.Combine("packages")}" />
              </config>
              <packageSources>
                <add key="mlops-e2e" value="{package.Feed}" />
                <add key="nuget.org" value="https://api.nuget.org/v3/index.json" />
              </packageSources>
              <fallbackPackageFolders>
                <add key="machine" value="{PackedAnalyzer.MachinePackages}" />
              </fallbackPackageFolders>
            </configuration>
            """);
    }

    /// <summary>The example's project file with the analyzer's ProjectReference and props import replaced by a PackageReference.</summary>
    private static string PackageConsumerProject(string path)
    {
        var project = XDocument.Load(path);
        var import = project.Root!.Elements("Import").Single(e => ((string?)e.Attribute("Project"))?.EndsWith("Mlops.Analyzers.props", StringComparison.Ordinal) == true);
        var reference = project.Root.Descendants("ProjectReference").Single(e => ((string?)e.Attribute("Include"))?.EndsWith("Mlops.Analyzers.csproj", StringComparison.Ordinal) == true);
        import.Remove();
        reference.ReplaceWith(new XElement("PackageReference", new XAttribute("Include", "Mlops.Analyzers"), new XAttribute("PrivateAssets", "all")));
        return project.ToString();
    }

    private static Task<DotNetResult> BuildAsync(TempDirectory repository, CancellationToken ct) =>
        DotNet.RunAsync(repository.Path, new Dictionary<string, string> { ["NUGET_PACKAGES"] = repository.Combine("packages") }, ct,
            "build", repository.Combine($"{ConsumerFolder}/Churn.Client.csproj"), "--disable-build-servers", "-nodeReuse:false", "-p:UseSharedCompilation=false");

    /// <summary>The 1-based line and column of <paramref name="token"/> on the line holding <paramref name="lineText"/>.</summary>
    private static (int Line, int Column) Position(string source, string lineText, string token)
    {
        var lines = source.Split('\n');
        var index = Array.FindIndex(lines, l => l.Contains(lineText, StringComparison.Ordinal));
        Assert.True(index >= 0, $"'{lineText}' is no longer in the example; the test's edit no longer applies.");
        return (index + 1, lines[index].IndexOf(token, StringComparison.Ordinal) + 1);
    }
}
