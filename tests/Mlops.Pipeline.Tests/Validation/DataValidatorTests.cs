using Mlops.Declarations.Diagnostics;
using Mlops.Pipeline.Validation;
using Mlops.Testing;

namespace Mlops.Pipeline.Tests.Validation;

public sealed class DataValidatorTests : IDisposable
{
    private const string Data = "data/telco-churn.csv";
    private readonly ExampleRepository _repo = new();

    public void Dispose() => _repo.Dispose();

    private async Task<ValidationReport> ValidateAsync() =>
        await RepositoryValidator.ValidateAsync(_repo.Path, TestContext.Current.CancellationToken);

    private async Task<Diagnostic> SingleAsync()
    {
        var report = await ValidateAsync();
        return Assert.Single(report.Diagnostics);
    }

    private void EditData(int line, string from, string to)
    {
        _repo.EditDataLine(line, text =>
        {
            var index = text.IndexOf(from, StringComparison.Ordinal);
            Assert.True(index >= 0, $"'{from}' is not on line {line}");
            return text[..index] + to + text[(index + from.Length)..];
        });
        _repo.UpdateDataDigest();
    }

    private static void AssertAt(Diagnostic diagnostic, DiagnosticDescriptor expected, string path, int line, int column)
    {
        Assert.Equal(expected.Id, diagnostic.Id);
        Assert.Equal(new SourceLocation(path, line, column), diagnostic.Location);
    }

    [Fact]
    public async Task Validate_Example_IsCleanAndReadsEveryRow()
    {
        var report = await ValidateAsync();

        Assert.Empty(report.Diagnostics);
        Assert.Equal(7043, report.DataRows);
    }

    [Fact]
    public async Task Validate_UndeclaredCategory_ReportsMlops0406AtTheValue()
    {
        EditData(2, "\"DSL\"", "\"Dsl\"");

        var diagnostic = await SingleAsync();

        AssertAt(diagnostic, DiagnosticIds.CategoryViolation, Data, 2, 37);
        Assert.Contains("column 'internet_service': 1 row holds a value not declared at features/customer.yaml", diagnostic.Message, StringComparison.Ordinal);
        Assert.Contains("'Dsl'", diagnostic.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Validate_ValueOutsideRange_ReportsMlops0405WithTheRange()
    {
        EditData(2, "\"No\",1,0,1,0,1,", "\"No\",1,0,1,0,150,");

        var diagnostic = await SingleAsync();

        AssertAt(diagnostic, DiagnosticIds.RangeViolation, Data, 2, 14);
        Assert.Contains("outside [0, 120]", diagnostic.Message, StringComparison.Ordinal);
        Assert.Contains("'150'", diagnostic.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Validate_TextInNumberColumn_ReportsMlops0404()
    {
        EditData(3, ",34,", ",thirty-four,");

        var diagnostic = await SingleAsync();

        AssertAt(diagnostic, DiagnosticIds.ValueTypeViolation, Data, 3, 14);
        Assert.Contains("are not a float", diagnostic.Message.Replace("is not a float", "are not a float", StringComparison.Ordinal), StringComparison.Ordinal);
        Assert.Contains("'thirty-four'", diagnostic.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Validate_BoolColumnWithOtherValue_ReportsMlops0404()
    {
        EditData(2, "\"No\",1,", "\"No\",2,");

        var diagnostic = await SingleAsync();

        AssertAt(diagnostic, DiagnosticIds.ValueTypeViolation, Data, 2, 6);
        Assert.Contains("declared bool", diagnostic.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Validate_EmptyValueInNonNullableFeature_ReportsMlops0407()
    {
        EditData(3, "\"One year\"", "");

        var diagnostic = await SingleAsync();

        AssertAt(diagnostic, DiagnosticIds.NullViolation, Data, 3, 62);
        Assert.Contains("column 'contract': 1 row is empty (line 3)", diagnostic.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Validate_ManyViolations_CountsRowsAndListsFiveLines()
    {
        foreach (var line in new[] { 2, 3, 4, 5, 6, 7, 8 })
        {
            _repo.EditDataLine(line, text => text[..(text.LastIndexOf(',') + 1)] + "-1");
        }

        _repo.UpdateDataDigest();
        var diagnostic = await SingleAsync();

        Assert.Equal(DiagnosticIds.RangeViolation.Id, diagnostic.Id);
        Assert.Contains("column 'total_charges': 7 rows are outside", diagnostic.Message, StringComparison.Ordinal);
        Assert.Contains("lines 2, 3, 4, 5, 6, ...", diagnostic.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Validate_EmptyLabel_ReportsMlops0412()
    {
        EditData(4, "\"Yes\",0,0,0,0,2,", ",0,0,0,0,2,");

        var diagnostic = await SingleAsync();

        AssertAt(diagnostic, DiagnosticIds.LabelNullViolation, Data, 4, 1);
    }

    [Fact]
    public async Task Validate_PositiveLabelNeverOccurs_ReportsMlops0409AtTheModelFile()
    {
        _repo.Replace("models/churn.yaml", "positive: \"Yes\"", "positive: \"yes\"");

        var diagnostic = await SingleAsync();

        AssertAt(diagnostic, DiagnosticIds.PositiveLabelAbsent, "models/churn.yaml", 7, 35);
        Assert.Contains("'No', 'Yes'", diagnostic.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Validate_FeatureColumnMissing_ReportsMlops0403WithTheNearHeaderName()
    {
        EditData(1, "\"tenure\"", "\"tenur\"");

        var diagnostic = await SingleAsync();

        AssertAt(diagnostic, DiagnosticIds.MissingColumn, Data, 1, 1);
        Assert.Contains("no column 'tenure', declared at features/customer.yaml(11,13)", diagnostic.Message, StringComparison.Ordinal);
        Assert.Contains("'tenur'", diagnostic.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Validate_LabelColumnMissing_ReportsMlops0408AtTheModelFile()
    {
        EditData(1, "\"churn\"", "\"left\"");

        var diagnostic = await SingleAsync();

        AssertAt(diagnostic, DiagnosticIds.LabelColumnMissing, "models/churn.yaml", 7, 18);
    }

    [Fact]
    public async Task Validate_DataChangedSinceDeclared_ReportsMlops0402AtTheDigest()
    {
        _repo.EditDataLine(2, text => text);
        File.AppendAllText(_repo.Combine(Data), "\"No\",1,0,1,0,1,0,\"No phone service\",\"DSL\",\"No\",\"Yes\",\"No\",\"No\",\"No\",\"No\",\"Month-to-month\",1,\"Electronic check\",29.85,29.85\n");

        var diagnostic = await SingleAsync();

        AssertAt(diagnostic, DiagnosticIds.DataDigestMismatch, "models/churn.yaml", 10, 11);
        Assert.Contains("not the declared sha256:a55b84ce", diagnostic.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Validate_DataFileMissing_ReportsMlops0401AtThePath()
    {
        File.Delete(_repo.Combine(Data));

        var diagnostic = await SingleAsync();

        AssertAt(diagnostic, DiagnosticIds.DataFileMissing, "models/churn.yaml", 9, 9);
    }

    [Fact]
    public async Task Validate_RowWithTooFewFields_ReportsMlops0410AtTheRow()
    {
        EditData(5, ",0,0,0,0,", ",0,0,0,");

        var diagnostic = await SingleAsync();

        AssertAt(diagnostic, DiagnosticIds.MalformedCsv, Data, 5, 1);
        Assert.Contains("than the header's 20", diagnostic.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Validate_UnterminatedQuote_ReportsMlops0410AtTheQuote()
    {
        var last = _repo.DataLines.Length;
        var quote = _repo.DataLines[last - 1].LastIndexOf(',') + 2;
        EditData(last, ",6844.5", ",\"6844.5");

        var diagnostic = await SingleAsync();

        AssertAt(diagnostic, DiagnosticIds.MalformedCsv, Data, last, quote);
        Assert.Contains("never ends", diagnostic.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Validate_EmptyDataFile_ReportsMlops0411()
    {
        File.WriteAllText(_repo.Combine(Data), "");
        _repo.UpdateDataDigest();

        var diagnostic = await SingleAsync();

        AssertAt(diagnostic, DiagnosticIds.NoDataRows, Data, 1, 1);
    }

    [Fact]
    public async Task Validate_HeaderOnly_ReportsMlops0411()
    {
        File.WriteAllText(_repo.Combine(Data), _repo.DataLines[0] + "\n");
        _repo.UpdateDataDigest();

        var diagnostic = await SingleAsync();

        Assert.Equal(DiagnosticIds.NoDataRows.Id, diagnostic.Id);
        Assert.Contains("a header but no data rows", diagnostic.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Validate_BinaryDataFile_ReportsFindingsNotAnException()
    {
        File.WriteAllBytes(_repo.Combine(Data), [0x00, 0xFF, 0x10, 0x22, 0x0A, 0x00, 0x22]);
        _repo.UpdateDataDigest();

        var report = await ValidateAsync();

        Assert.NotEmpty(report.Diagnostics);
        Assert.All(report.Diagnostics, d => Assert.Equal(Severity.Error, d.Severity));
        Assert.Contains(report.Diagnostics, d => d.Id == DiagnosticIds.MalformedCsv.Id || d.Id == DiagnosticIds.MissingColumn.Id);
    }
}
