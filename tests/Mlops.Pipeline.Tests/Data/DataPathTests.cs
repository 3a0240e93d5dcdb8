using System.Diagnostics;
using System.Net.Sockets;
using Mlops.Declarations.Diagnostics;
using Mlops.Declarations.Models;
using Mlops.Pipeline.Data;
using Mlops.Pipeline.Validation;
using Mlops.Testing;

namespace Mlops.Pipeline.Tests.Data;

/// <summary>
/// A model's data.path resolves inside the repository, after symbolic links, to a regular file; anything
/// else is one finding at data.path, and nothing outside the repository (or that never ends) is opened.
/// </summary>
public sealed class DataPathTests : IDisposable
{
    private const string Model = "models/churn.yaml";
    private const string Written = "data/telco-churn.csv";

    /// <summary>The path value in the example's models/churn.yaml: line 9, after "  path: ".</summary>
    private static readonly SourceLocation PathValue = new(Model, 9, 9);

    /// <summary>Long enough for any check that does not open a file; a hang fails the test instead of stopping the run.</summary>
    private static readonly TimeSpan Limit = TimeSpan.FromSeconds(60);

    private readonly ExampleRepository _repo = new();
    private readonly TempDirectory _outside = new("mlops-outside");

    public void Dispose()
    {
        _repo.Dispose();
        _outside.Dispose();
    }

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private void SetPath(string path) => _repo.Replace(Model, $"path: {Written}", $"path: \"{path}\"");

    private async Task<Diagnostic> SingleAsync()
    {
        var report = await RepositoryValidator.ValidateAsync(_repo.Path, Ct).WaitAsync(Limit, Ct);
        return Assert.Single(report.Diagnostics);
    }

    private static void AssertAt(Diagnostic diagnostic, DiagnosticDescriptor expected, string message)
    {
        Assert.Equal(expected.Id, diagnostic.Id);
        Assert.Equal(PathValue, diagnostic.Location);
        Assert.Contains(message, diagnostic.Message, StringComparison.Ordinal);
    }

    private string CopyOutside() => _outside.Write("telco-churn.csv", File.ReadAllBytes(_repo.Combine(Written)));

    [Fact]
    public async Task Validate_PathWithDotDotLeavingTheRepository_ReportsMlops0413AtDataPath()
    {
        CopyOutside();
        SetPath($"../{System.IO.Path.GetFileName(_outside.Path)}/telco-churn.csv");

        AssertAt(await SingleAsync(), DiagnosticIds.DataPathOutsideRepository, "leads outside the repository.");
    }

    [Fact]
    public async Task Validate_AbsolutePath_ReportsMlops0413AtDataPath()
    {
        SetPath(CopyOutside());

        AssertAt(await SingleAsync(), DiagnosticIds.DataPathOutsideRepository, "is absolute; it must be relative to the repository root");
    }

    [Fact]
    public async Task Validate_AbsolutePathToADevice_ReportsMlops0413WithoutReadingIt()
    {
        SetPath("/dev/zero");

        AssertAt(await SingleAsync(), DiagnosticIds.DataPathOutsideRepository, "'/dev/zero' is absolute");
    }

    [Theory]
    [InlineData("/dev/zero", "MLOPS0413", "'data/link.csv' leads outside the repository (through a symbolic link, to '/dev/zero')")]
    [InlineData("gone.csv", "MLOPS0401", "data file 'data/link.csv' does not exist (it is a symbolic link to 'data/gone.csv')")]
    public async Task Validate_SymbolicLink_IsJudgedByWhereItLeads(string target, string id, string message)
    {
        // Before the check, a link to /dev/zero made validate hash an endless file.
        File.CreateSymbolicLink(_repo.Combine("data/link.csv"), target);
        SetPath("data/link.csv");

        AssertAt(await SingleAsync(), DiagnosticIds.All.Single(d => d.Id == id), message);
    }

    [Fact]
    public async Task Validate_SymbolicLinkToAFileOutside_ReportsMlops0413()
    {
        File.CreateSymbolicLink(_repo.Combine("data/linked.csv"), CopyOutside());
        SetPath("data/linked.csv");

        AssertAt(await SingleAsync(), DiagnosticIds.DataPathOutsideRepository, "through a symbolic link");
    }

    [Fact]
    public async Task Validate_FolderLinkedOutside_ReportsMlops0413()
    {
        CopyOutside();
        Directory.CreateSymbolicLink(_repo.Combine("shared"), _outside.Path);
        SetPath("shared/telco-churn.csv");

        AssertAt(await SingleAsync(), DiagnosticIds.DataPathOutsideRepository, "leads outside the repository");
    }

    [Fact]
    public async Task Validate_DotDotAfterAFolderLink_LeavesTheLinksTarget()
    {
        // shared -> OUTSIDE/inner, so shared/../telco-churn.csv is OUTSIDE/telco-churn.csv, as the kernel reads it.
        CopyOutside();
        Directory.CreateDirectory(_outside.Combine("inner"));
        Directory.CreateSymbolicLink(_repo.Combine("shared"), _outside.Combine("inner"));
        File.Copy(_repo.Combine(Written), _repo.Combine("telco-churn.csv"));
        SetPath("shared/../telco-churn.csv");

        AssertAt(await SingleAsync(), DiagnosticIds.DataPathOutsideRepository, "leads outside the repository");
    }

    [Fact]
    public async Task Validate_NamedPipe_ReportsMlops0414WithoutOpeningIt()
    {
        // Opening a pipe for reading waits for a writer: before the check, validate hung here.
        var fifo = _repo.Combine("data/pipe.csv");
        using (var mkfifo = Process.Start("mkfifo", [fifo]))
        {
            await mkfifo.WaitForExitAsync(Ct);
            Assert.Equal(0, mkfifo.ExitCode);
        }

        SetPath("data/pipe.csv");

        AssertAt(await SingleAsync(), DiagnosticIds.DataPathNotRegularFile, "'data/pipe.csv' names a named pipe, not a regular file");
    }

    [Fact]
    public async Task Validate_Socket_ReportsMlops0414()
    {
        using var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        socket.Bind(new UnixDomainSocketEndPoint(_repo.Combine("data/socket.csv")));
        SetPath("data/socket.csv");

        AssertAt(await SingleAsync(), DiagnosticIds.DataPathNotRegularFile, "names a socket, not a regular file");
    }

    [Fact]
    public async Task Validate_Folder_ReportsMlops0414()
    {
        SetPath("data");

        AssertAt(await SingleAsync(), DiagnosticIds.DataPathNotRegularFile, "'data' names a folder, not a regular file");
    }

    [Fact]
    public async Task Validate_SymbolicLinkLoop_ReportsMlops0414()
    {
        File.CreateSymbolicLink(_repo.Combine("data/a.csv"), "b.csv");
        File.CreateSymbolicLink(_repo.Combine("data/b.csv"), "a.csv");
        SetPath("data/a.csv");

        AssertAt(await SingleAsync(), DiagnosticIds.DataPathNotRegularFile, "more than 40 symbolic links");
    }

    [Fact]
    public async Task Validate_SymbolicLinkInsideTheRepository_ReadsItsTarget()
    {
        Directory.CreateDirectory(_repo.Combine("data/current"));
        File.CreateSymbolicLink(_repo.Combine("data/current/churn.csv"), "../telco-churn.csv");
        SetPath("data/current/churn.csv");

        var report = await RepositoryValidator.ValidateAsync(_repo.Path, Ct).WaitAsync(Limit, Ct);

        Assert.Empty(report.Diagnostics);
        Assert.Equal(7043, report.DataRows);
    }

    [Fact]
    public async Task Validate_DotDotThatStaysInside_ReadsTheFile()
    {
        SetPath("data/../data/telco-churn.csv");

        var report = await RepositoryValidator.ValidateAsync(_repo.Path, Ct).WaitAsync(Limit, Ct);

        Assert.Empty(report.Diagnostics);
    }

    [Fact]
    public void TryResolve_RepositoryRootIsASymbolicLink_ResolvesInsideIt()
    {
        var link = _outside.Combine("repo-link");
        Directory.CreateSymbolicLink(link, _repo.Path);
        var model = ModelParser.Parse(Model, _repo.Read(Model)).Declaration!;

        Assert.True(DataPath.TryResolve(link, model, out var path, out var problem), problem?.ToString());
        Assert.Equal(Written, path.Path);
        Assert.Equal(_repo.Combine(Written), path.FullPath);
    }

    [Theory]
    [InlineData("data/churn.csv", true)]
    [InlineData("data/./churn.csv", true)]
    [InlineData("../churn.csv", false)]
    [InlineData("data/../../churn.csv", false)]
    [InlineData("data\\..\\..\\churn.csv", false)]
    [InlineData("/etc/passwd", false)]
    [InlineData("C:/data/churn.csv", false)]
    [InlineData("", false)]
    public void IsPlainRelative_ReadsThePathAlone(string path, bool expected) =>
        Assert.Equal(expected, DataPath.IsPlainRelative(path));
}
