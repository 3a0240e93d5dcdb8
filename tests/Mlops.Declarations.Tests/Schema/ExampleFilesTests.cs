using Mlops.Declarations.Diagnostics;
using Mlops.Declarations.Environments;
using Mlops.Declarations.FeatureSets;
using Mlops.Declarations.Models;
using Mlops.Declarations.Repository;

namespace Mlops.Declarations.Tests.Schema;

/// <summary>The example declarations of this repository name their JSON Schema and are valid.</summary>
public sealed class ExampleFilesTests
{
    public static TheoryData<string> ExampleFiles()
    {
        var data = new TheoryData<string>();
        foreach (var folder in new[] { RepositoryLayout.FeaturesFolder, RepositoryLayout.ModelsFolder, RepositoryLayout.EnvironmentsFolder })
        {
            foreach (var file in Directory.EnumerateFiles(RepositoryRoot.Combine(folder), "*.yaml").Order(StringComparer.Ordinal))
            {
                data.Add($"{folder}/{Path.GetFileName(file)}");
            }
        }

        return data;
    }

    [Fact]
    public void ExampleFolders_HoldAtLeastOneFileOfEachKind()
    {
        var kinds = ExampleFiles().Select(row => RepositoryLayout.KindOf(row.Data)).Distinct().Order();

        Assert.Equal([DeclarationKind.FeatureSet, DeclarationKind.Model, DeclarationKind.Environment], kinds);
    }

    [Theory]
    [MemberData(nameof(ExampleFiles))]
    public void ExampleFile_FirstLine_NamesTheSchemaOfItsKind(string relativePath)
    {
        var schema = RepositoryLayout.KindOf(relativePath) switch
        {
            DeclarationKind.FeatureSet => "feature-set.schema.json",
            DeclarationKind.Model => "model.schema.json",
            _ => "environment.schema.json",
        };

        var firstLine = File.ReadLines(RepositoryRoot.Combine(relativePath)).First();

        Assert.Equal($"# yaml-language-server: $schema=../docs/schemas/{schema}", firstLine);
        Assert.True(File.Exists(RepositoryRoot.Combine("docs", "schemas", schema)), $"{relativePath} names docs/schemas/{schema}, which does not exist.");
    }

    [Theory]
    [MemberData(nameof(ExampleFiles))]
    public void ExampleFile_Parses_WithoutDiagnostics(string relativePath)
    {
        var text = File.ReadAllText(RepositoryRoot.Combine(relativePath));

        IReadOnlyList<Diagnostic> diagnostics = RepositoryLayout.KindOf(relativePath) switch
        {
            DeclarationKind.FeatureSet => FeatureSetParser.Parse(relativePath, text).Diagnostics,
            DeclarationKind.Model => ModelParser.Parse(relativePath, text).Diagnostics,
            _ => EnvironmentParser.Parse(relativePath, text).Diagnostics,
        };

        Assert.Empty(diagnostics);
    }
}
