using System.Text;
using Mlops.Declarations.Repository;

namespace Mlops.Declarations.Tests.Repository;

/// <summary>The reading rules shared by the disk loader and the server's git source, fed bytes as a git tree gives them.</summary>
public sealed class DeclarationFilesTests
{
    private const string FeatureSet = "featureSet: customer\nversion: 1\nfeatures:\n  - { name: tenure, type: float }\n";

    [Theory]
    [InlineData("features/customer.yaml", true)]
    [InlineData("features/crm/customer.yml", true)]
    [InlineData("models/churn.YAML", true)]
    [InlineData("environments/staging.yaml", true)]
    [InlineData("features/README.md", false)]
    [InlineData("features/customer.yaml.bak", false)]
    [InlineData("docs/notes.yaml", false)]
    [InlineData("customer.yaml", false)]
    public void IsDeclaration_Path_OnlyYamlUnderTheThreeFolders(string path, bool expected)
    {
        Assert.Equal(expected, DeclarationFiles.IsDeclaration(path));
    }

    [Fact]
    public void Folders_AreTheThreeDeclarationFolders()
    {
        Assert.Equal(["features", "models", "environments"], RepositoryLayout.Folders);
    }

    [Fact]
    public void Add_BytesWithAByteOrderMark_IsTheTextWithoutIt()
    {
        var files = new DeclarationFiles();

        files.Add("features/customer.yaml", [0xEF, 0xBB, 0xBF, .. Encoding.UTF8.GetBytes(FeatureSet)]);

        Assert.Equal(FeatureSet, Assert.Single(files.Texts).Value);
        Assert.Empty(files.ReadErrors);
        Assert.Equal("customer", Assert.Single(files.Parse().FeatureSets).Value.Name);
    }

    [Fact]
    public void Add_BytesThatAreNotUtf8_RecordsMlops0004AndNoText()
    {
        var files = new DeclarationFiles();

        files.Add("features/latin1.yaml", [.. Encoding.ASCII.GetBytes("featureSet: caf"), 0xE9, (byte)'\n']);

        Assert.Empty(files.Texts);
        DiagnosticAssert.Single(files.Parse().Diagnostics, "MLOPS0004", "features/latin1.yaml", 1, 1, "the file is not UTF-8 text");
        Assert.True(files.Contains("features/latin1.yaml"));
    }

    [Fact]
    public void Add_Count_ReadsOnlyThatManyBytes()
    {
        var files = new DeclarationFiles();
        var bytes = Encoding.UTF8.GetBytes(FeatureSet + "garbage that is not read");

        files.Add("features/customer.yaml", bytes, Encoding.UTF8.GetByteCount(FeatureSet));

        Assert.Equal(FeatureSet, Assert.Single(files.Texts).Value);
    }

    [Fact]
    public void CheckSize_OverTheLimit_RecordsMlops0005AndRefuses()
    {
        var files = new DeclarationFiles();

        Assert.True(files.CheckSize("models/small.yaml", DeclarationFiles.MaxBytes));
        Assert.False(files.CheckSize("models/huge.yaml", DeclarationFiles.MaxBytes + 1));

        DiagnosticAssert.Single(files.ReadErrors, "MLOPS0005", "models/huge.yaml", 1, 1, "the file has 4,194,305 bytes, more than the 4,194,304 bytes");
        Assert.True(files.Contains("models/huge.yaml"));
        Assert.False(files.Contains("models/small.yaml"));
    }

    [Fact]
    public void AddUnreadable_Reason_RecordsMlops0001WithIt()
    {
        var files = new DeclarationFiles();

        files.AddUnreadable("models/locked.yaml", "Access to the path is denied.");

        DiagnosticAssert.Single(files.ReadErrors, "MLOPS0001", "models/locked.yaml", 1, 1, "the file cannot be read: Access to the path is denied. Check its permissions.");
    }

    [Fact]
    public async Task Parse_FilesReadFromDisk_GivesWhatLoadAsyncGives()
    {
        using var repository = new TempDirectory();
        repository.Write("features/customer.yaml", FeatureSet);
        repository.Write("models/broken.yaml", "model: [");
        var ct = TestContext.Current.CancellationToken;

        var files = await RepositoryLoader.ReadAsync(repository.Path, ct);
        var loaded = await RepositoryLoader.LoadAsync(repository.Path, ct);

        Assert.Equal(["features/customer.yaml", "models/broken.yaml"], files.Texts.Select(t => t.Key));
        Assert.Equal(loaded.Diagnostics, files.Parse().Diagnostics);
    }
}
