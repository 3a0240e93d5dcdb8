using System.IO.Compression;
using System.Xml.Linq;
using Mlops.Testing;

namespace Mlops.Packages.Tests;

/// <summary>What each packed nupkg holds: its id, the one version, the licence, a readme, repository metadata, symbols, and its layout.</summary>
public sealed class PackageMetadataTests(PackedFeed feed)
{
    private const string RepositoryUrl = "https://github.com/mlops-dotnet/mlops";

    public static TheoryData<string> Packages() => new(PackedFeed.PackageIds);

    public static TheoryData<string> Libraries() => new("Mlops.Declarations", "Mlops.Runtime", "Mlops.Cli");

    private static string[] Entries(string nupkg)
    {
        using var zip = ZipFile.OpenRead(nupkg);
        return [.. zip.Entries.Select(e => e.FullName)];
    }

    private static XElement Metadata(string nupkg)
    {
        using var zip = ZipFile.OpenRead(nupkg);
        var nuspec = zip.Entries.Single(e => e.FullName.EndsWith(".nuspec", StringComparison.Ordinal) && !e.FullName.Contains('/', StringComparison.Ordinal));
        using var stream = nuspec.Open();
        return XDocument.Load(stream).Root!.Elements().Single(e => e.Name.LocalName == "metadata");
    }

    private static string? Value(XElement metadata, string name) => metadata.Elements().SingleOrDefault(e => e.Name.LocalName == name)?.Value;

    [Fact]
    public void Feed_HoldsExactlyThePackagesAndTheirSymbolsAtOneVersion()
    {
        var expected = PackedFeed.PackageIds.Select(id => $"{id}.{feed.Version}.nupkg")
            .Concat(new[] { "Mlops.Cli", "Mlops.Declarations", "Mlops.Runtime" }.Select(id => $"{id}.{feed.Version}.snupkg"))
            .Order(StringComparer.Ordinal);

        Assert.Equal(expected, Directory.EnumerateFiles(feed.Feed).Select(f => Path.GetFileName(f)).Order(StringComparer.Ordinal));
        TestContext.Current.SendDiagnosticMessage($"dotnet pack Mlops.Packages.slnf took {feed.PackDuration.TotalSeconds:0} s.");
    }

    [Theory]
    [MemberData(nameof(Packages))]
    public void Package_HasItsIdTheVersionLicenceReadmeAndRepository(string id)
    {
        var nupkg = feed.Package(id);
        var metadata = Metadata(nupkg);

        Assert.Equal(id, Value(metadata, "id"));
        Assert.Equal(feed.Version, Value(metadata, "version"));
        Assert.StartsWith(PackedFeed.VersionPrefix + "-", feed.Version, StringComparison.Ordinal);
        var license = metadata.Elements().Single(e => e.Name.LocalName == "license");
        Assert.Equal(("expression", "MIT"), (license.Attribute("type")?.Value, license.Value));
        Assert.Equal("README.md", Value(metadata, "readme"));
        Assert.Contains("README.md", Entries(nupkg));
        Assert.False(string.IsNullOrWhiteSpace(Value(metadata, "description")));
        Assert.False(string.IsNullOrWhiteSpace(Value(metadata, "authors")));
        Assert.Contains("mlops", Value(metadata, "tags") ?? "", StringComparison.Ordinal);
        var repository = metadata.Elements().Single(e => e.Name.LocalName == "repository");
        Assert.Equal(("git", RepositoryUrl), (repository.Attribute("type")?.Value, repository.Attribute("url")?.Value));
        Assert.Equal(RepositoryUrl, Value(metadata, "projectUrl"));
    }

    [Theory]
    [MemberData(nameof(Libraries))]
    public void Library_HasASymbolPackageWithThePdbOfEachAssembly(string id)
    {
        var dlls = Entries(feed.Package(id)).Where(e => e.EndsWith(".dll", StringComparison.Ordinal) && Path.GetFileName(e).StartsWith(id is "Mlops.Cli" ? "mlops" : id, StringComparison.Ordinal)).ToList();
        var pdbs = Entries(feed.Package(id, "snupkg")).Where(e => e.EndsWith(".pdb", StringComparison.Ordinal)).ToList();

        Assert.NotEmpty(dlls);
        Assert.All(dlls, dll => Assert.Contains(Path.ChangeExtension(dll, ".pdb"), pdbs));
    }

    [Fact]
    public void Runtime_DependsOnDeclarationsAtTheSameVersion()
    {
        var dependencies = Metadata(feed.Package("Mlops.Runtime")).Descendants().Where(e => e.Name.LocalName == "dependency").ToList();

        Assert.Contains(dependencies, d => d.Attribute("id")?.Value == "Mlops.Declarations" && d.Attribute("version")?.Value == feed.Version);
    }

    [Fact]
    public void Analyzers_ShipTheAnalyzerWithItsDependenciesAndTheProps_AndNoLibrary()
    {
        var nupkg = feed.Package("Mlops.Analyzers");
        var entries = Entries(nupkg);

        Assert.Equal(["analyzers/dotnet/cs/Mlops.Analyzers.dll", "analyzers/dotnet/cs/Mlops.Declarations.dll", "analyzers/dotnet/cs/YamlDotNet.dll"],
            entries.Where(e => e.StartsWith("analyzers/", StringComparison.Ordinal)).Order(StringComparer.Ordinal));
        Assert.Contains("buildTransitive/Mlops.Analyzers.props", entries);
        Assert.Contains("build/Mlops.Analyzers.props", entries);
        Assert.DoesNotContain(entries, e => e.StartsWith("lib/", StringComparison.Ordinal));
        var metadata = Metadata(nupkg);
        Assert.Equal("true", Value(metadata, "developmentDependency"));
        Assert.DoesNotContain(metadata.Descendants(), e => e.Name.LocalName == "dependency");
    }

    [Fact]
    public void Cli_IsADotnetToolNamedMlops_WithoutMobileNativeLibraries()
    {
        var nupkg = feed.Package("Mlops.Cli");
        var entries = Entries(nupkg);

        Assert.Contains(Metadata(nupkg).Descendants(), e => e.Name.LocalName == "packageType" && e.Attribute("name")?.Value == "DotnetTool");
        Assert.Contains("tools/net10.0/any/mlops.dll", entries);
        Assert.Contains("tools/net10.0/any/DotnetToolSettings.xml", entries);
        Assert.Contains("tools/net10.0/any/runtimes/linux-x64/native/libonnxruntime.so", entries);
        Assert.DoesNotContain(entries, e => System.Text.RegularExpressions.Regex.IsMatch(e, "/runtimes/(ios|iossimulator|android|maccatalyst|browser)"));
        Assert.True(new FileInfo(nupkg).Length < 150_000_000, $"the tool package is {new FileInfo(nupkg).Length:N0} bytes");
    }

    [Fact]
    public void Templates_IsATemplatePackageHoldingMlopsInitsOutputAndTheTemplateConfig()
    {
        var nupkg = feed.Package("Mlops.Templates");
        var entries = Entries(nupkg);

        Assert.Contains(Metadata(nupkg).Descendants(), e => e.Name.LocalName == "packageType" && e.Attribute("name")?.Value == "Template");
        foreach (var path in new[] { ".template.config/template.json", ".config/dotnet-tools.json", ".github/workflows/merge.yml", ".github/CODEOWNERS", ".gitignore", "build.cake", "build/pipeline.cake", "models/churn.yaml", "data/customers.csv", "README.md" })
        {
            Assert.Contains($"content/mlops-repo/{path}", entries);
        }

        Assert.DoesNotContain(entries, e => e.StartsWith("lib/", StringComparison.Ordinal));
        using var zip = ZipFile.OpenRead(nupkg);
        using var manifest = new StreamReader(zip.GetEntry("content/mlops-repo/.config/dotnet-tools.json")!.Open());
        Assert.Contains($"\"version\": \"{feed.Version}\"", manifest.ReadToEnd(), StringComparison.Ordinal);
    }
}
