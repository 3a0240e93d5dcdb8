using System.Diagnostics;
using System.Text;
using Mlops.Declarations.Repository;

namespace Mlops.Declarations.Tests.Repository;

/// <summary>Loading from disk: real files in a temp folder, and this repository's own declarations.</summary>
public sealed class RepositoryLoaderTests : IDisposable
{
    private const string FeatureSet = "featureSet: customer\nversion: 1\nfeatures:\n  - { name: tenure, type: float }\n";

    private readonly TempDirectory _repository = new();

    public void Dispose() => _repository.Dispose();

    [Fact]
    public async Task LoadAsync_ExampleRepository_HasNoDiagnostics()
    {
        var set = await RepositoryLoader.LoadAsync(RepositoryRoot.Path, TestContext.Current.CancellationToken);

        Assert.Empty(set.Diagnostics);
        Assert.Equal(["customer@1"], set.FeatureSets.Select(f => f.Value.Reference.ToString()));
        Assert.Equal(["churn"], set.Models.Select(m => m.Value.Name));
        Assert.Equal(["production", "staging"], set.Environments.Select(e => e.Value.Name));
        Assert.Equal("models/churn.yaml", set.Models[0].Path);
    }

    [Fact]
    public async Task LoadAsync_InvalidUtf8_ReportsMlops0004AtStartOfFile()
    {
        _repository.Write("features/customer.yaml", FeatureSet);
        _repository.Write("features/latin1.yaml", [.. Encoding.ASCII.GetBytes("featureSet: caf"), 0xE9, (byte)'\n']);

        var set = await RepositoryLoader.LoadAsync(_repository.Path, TestContext.Current.CancellationToken);

        DiagnosticAssert.Single(set.Diagnostics, "MLOPS0004", "features/latin1.yaml", 1, 1, "the file is not UTF-8 text", "Save it as UTF-8");
        Assert.Single(set.FeatureSets);
    }

    [Fact]
    public async Task LoadAsync_BinaryFileWithNulBytes_ReportsMlops0004AtTheFirstNul()
    {
        _repository.Write("models/model.yaml", [.. Encoding.ASCII.GetBytes("PK\u0003\u0004\n  x"), 0, 0, 0, 1]);

        var set = await RepositoryLoader.LoadAsync(_repository.Path, TestContext.Current.CancellationToken);

        DiagnosticAssert.Single(set.Diagnostics, "MLOPS0004", "models/model.yaml", 2, 4, "NUL byte");
    }

    [Fact]
    public async Task LoadAsync_FiftyMegabyteFileInModels_ReportsMlops0005WithoutReadingIt()
    {
        var path = _repository.Write("models/huge.yaml", "# a data file saved in the wrong folder\n");
        await using (var stream = new FileStream(path, FileMode.Append, FileAccess.Write))
        {
            var line = Encoding.ASCII.GetBytes("0.1,0.2,0.3,0.4,0.5,0.6,0.7,0.8,0.9,1.0,Yes,No,Month-to-month,Fiber optic\n");
            var block = Enumerable.Repeat(line, 16 * 1024 / line.Length).SelectMany(b => b).ToArray();
            while (stream.Length < 50L * 1024 * 1024)
            {
                await stream.WriteAsync(block, TestContext.Current.CancellationToken);
            }
        }

        var length = new FileInfo(path).Length;
        var clock = Stopwatch.StartNew();

        var set = await RepositoryLoader.LoadAsync(_repository.Path, TestContext.Current.CancellationToken);

        TestContext.Current.TestOutputHelper?.WriteLine($"Loading a {length:N0}-byte file took {clock.ElapsedMilliseconds} ms.");
        DiagnosticAssert.Single(set.Diagnostics, "MLOPS0005", "models/huge.yaml", 1, 1,
            $"the file has {length:N0} bytes, more than the 4,194,304 bytes a declaration may have.", "Keep data in data/");
    }

    [Fact]
    public async Task LoadAsync_ByteOrderMark_IsSkipped()
    {
        _repository.Write("features/customer.yaml", [0xEF, 0xBB, 0xBF, .. Encoding.UTF8.GetBytes(FeatureSet)]);

        var set = await RepositoryLoader.LoadAsync(_repository.Path, TestContext.Current.CancellationToken);

        Assert.Empty(set.Diagnostics);
        Assert.Equal("customer", Assert.Single(set.FeatureSets).Value.Name);
    }

    [Fact]
    public async Task LoadAsync_NestedYmlAndOtherFiles_ReadsOnlyYamlWithForwardSlashPaths()
    {
        _repository.Write("features/retail/customer.yml", FeatureSet);
        _repository.Write("features/README.md", "# Feature sets\n");
        _repository.Write("features/customer.yaml.bak", "\0");
        _repository.Write("docs/notes.yaml", "[");

        var set = await RepositoryLoader.LoadAsync(_repository.Path, TestContext.Current.CancellationToken);

        Assert.Empty(set.Diagnostics);
        Assert.Equal("features/retail/customer.yml", Assert.Single(set.FeatureSets).Path);
    }

    [Fact]
    public async Task LoadAsync_EmptyFile_ReportsMlops0003()
    {
        _repository.Write("environments/staging.yaml", "");

        var set = await RepositoryLoader.LoadAsync(_repository.Path, TestContext.Current.CancellationToken);

        DiagnosticAssert.Single(set.Diagnostics, "MLOPS0003", "environments/staging.yaml", 1, 1, "the file is empty");
    }

    [Fact]
    public async Task LoadAsync_FolderWithoutDeclarations_IsEmptyAndValid()
    {
        var set = await RepositoryLoader.LoadAsync(_repository.Path, TestContext.Current.CancellationToken);

        Assert.Empty(set.Diagnostics);
        Assert.Empty(set.FeatureSets);
        Assert.Empty(set.Models);
        Assert.Empty(set.Environments);
    }

    [Fact]
    public async Task LoadAsync_MissingFolder_ThrowsDirectoryNotFoundNamingIt()
    {
        var missing = Path.Combine(_repository.Path, "nowhere");

        var error = await Assert.ThrowsAsync<DirectoryNotFoundException>(() => RepositoryLoader.LoadAsync(missing, TestContext.Current.CancellationToken));

        Assert.Contains($"'{missing}' does not exist", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task LoadAsync_CancelledToken_Throws()
    {
        _repository.Write("features/customer.yaml", FeatureSet);
        using var cancelled = new CancellationTokenSource();
        await cancelled.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => RepositoryLoader.LoadAsync(_repository.Path, cancelled.Token));
    }

    [Fact]
    public void RelativePath_FileUnderRoot_UsesForwardSlashes()
    {
        var file = Path.Combine(_repository.Path, "features", "retail", "customer.yaml");

        Assert.Equal("features/retail/customer.yaml", RepositoryLoader.RelativePath(_repository.Path + Path.DirectorySeparatorChar, file));
    }
}
