using Mlops.Declarations.Diagnostics;
using Mlops.Pipeline.Validation;
using Mlops.Testing;

namespace Mlops.Pipeline.Tests.Validation;

public sealed class RunbookCheckTests : IDisposable
{
    private const string Production = "environments/production.yaml";
    private readonly ExampleRepository _repo = new();

    public void Dispose() => _repo.Dispose();

    private async Task<IReadOnlyList<Diagnostic>> RunbookFindingsAsync() =>
        [.. (await RepositoryValidator.ValidateAsync(_repo.Path, TestContext.Current.CancellationToken)).Diagnostics.Where(d => d.Id == DiagnosticIds.RunbookMissing.Id)];

    [Fact]
    public async Task Validate_ExampleRunbooksExist_ReportsNothing()
    {
        Assert.True(File.Exists(_repo.Combine("docs/runbooks/churn.md")));

        Assert.Empty(await RunbookFindingsAsync());
    }

    [Fact]
    public async Task Validate_RunbookMissing_WarnsMlops0314AtTheRunbook()
    {
        _repo.Replace(Production, "runbook: docs/runbooks/churn.md", "runbook: docs/runbook/churn.md");

        var finding = Assert.Single(await RunbookFindingsAsync());

        Assert.Equal(Severity.Warning, finding.Severity);
        Assert.Equal(Production, finding.Location.Path);
        var line = _repo.Read(Production).Split('\n').ToList().FindIndex(l => l.Contains("docs/runbook/churn.md", StringComparison.Ordinal)) + 1;
        Assert.Equal(line, finding.Location.Line);
        Assert.Contains("runbook 'docs/runbook/churn.md' does not exist in the repository", finding.Message, StringComparison.Ordinal);
        Assert.Contains("Add the file (docs/runbooks/TEMPLATE.md is a start), or correct the path.", finding.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("../outside.md")]
    [InlineData("/etc/passwd")]
    public async Task Validate_RunbookOutsideTheRepository_ReportsMlops0314(string runbook)
    {
        _repo.Replace(Production, "runbook: docs/runbooks/churn.md", $"runbook: \"{runbook}\"");

        var finding = Assert.Single(await RunbookFindingsAsync());

        Assert.Contains($"runbook '{runbook}' is not a path inside the repository", finding.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Validate_RunbookUrl_IsNotChecked()
    {
        _repo.Replace(Production, "runbook: docs/runbooks/churn.md", "runbook: \"https://wiki.example/runbooks/churn\"");

        Assert.Empty(await RunbookFindingsAsync());
    }
}
