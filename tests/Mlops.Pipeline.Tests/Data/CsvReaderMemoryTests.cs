using Mlops.Runtime.Data;
using System.Text;
using Mlops.Declarations.Diagnostics;
using Mlops.Pipeline.Data;
using Mlops.Pipeline.Validation;
using Mlops.Testing;

namespace Mlops.Pipeline.Tests.Data;

/// <summary>Runs alone: it measures the process's allocations, which tests running beside it would add to.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class AllocationMeasuringCollection
{
    public const string Name = "allocation measuring";
}

/// <summary>
/// A 20 MB line used to cost about 70 times its size (1.4 GB); reading is now bounded by the
/// record limits, whatever the line holds.
/// </summary>
[Collection(AllocationMeasuringCollection.Name)]
public sealed class CsvReaderMemoryTests : IDisposable
{
    private const int LineBytes = 20 * 1024 * 1024;

    /// <summary>Generous: a record at the limits is at most 8 MB as .NET strings, twice over while it is built; these reads measured 1-9 MB (before the limits, 1.4 GB).</summary>
    private const long AllocationBound = 64L * 1024 * 1024;

    private readonly TempDirectory _folder = new("mlops-csv-memory");

    public void Dispose() => _folder.Dispose();

    public static TheoryData<string, string> LongLines => new()
    {
        { "1,", "more than 16,384 fields" },
        { "x", "longer than 1,048,576 characters" },
        { "\"" + new string('y', 100_000) + "\",", "longer than 4,194,304 characters" },
    };

    /// <summary>A CSV file whose second line is <paramref name="unit"/> repeated to 20 MB, written to disk without holding it in memory.</summary>
    private string WriteLongLine(string unit)
    {
        var path = _folder.Combine("long.csv");
        using var writer = new StreamWriter(path, append: false, new UTF8Encoding(false));
        writer.Write("a,b\n");
        for (var written = 0; written < LineBytes; written += unit.Length)
        {
            writer.Write(unit);
        }

        writer.Write("\n1,2\n");
        return path;
    }

    [Theory]
    [MemberData(nameof(LongLines))]
    public async Task Read_TwentyMegabyteLine_IsRefusedWithBoundedAllocations(string unit, string reason)
    {
        var path = WriteLongLine(unit);
        GC.Collect();
        var before = GC.GetTotalAllocatedBytes(precise: true);

        var error = await Assert.ThrowsAsync<CsvFormatException>(async () =>
        {
            using var reader = new StreamReader(path);
            await foreach (var row in CsvReader.ReadAsync(reader, TestContext.Current.CancellationToken))
            {
                Assert.NotNull(row);
            }
        });

        var allocated = GC.GetTotalAllocatedBytes(precise: true) - before;
        Assert.Equal(2, error.Position.Line);
        Assert.Contains(reason, error.Reason, StringComparison.Ordinal);
        Assert.True(allocated < AllocationBound, $"reading allocated {allocated:N0} bytes");
    }

    [Fact]
    public async Task Validate_DataWithATwentyMegabyteLine_ReportsMlops0410AtTheLine()
    {
        using var repo = new ExampleRepository();
        repo.EditDataLine(3, _ => string.Concat(Enumerable.Repeat("1,", LineBytes / 2)));
        repo.UpdateDataDigest();
        GC.Collect();
        var before = GC.GetTotalAllocatedBytes(precise: true);

        var report = await RepositoryValidator.ValidateAsync(repo.Path, TestContext.Current.CancellationToken);

        var allocated = GC.GetTotalAllocatedBytes(precise: true) - before;
        var diagnostic = Assert.Single(report.Diagnostics, d => d.Id == DiagnosticIds.MalformedCsv.Id);
        Assert.Equal(new SourceLocation("data/telco-churn.csv", 3, 1), diagnostic.Location);
        Assert.Contains("more than 16,384 fields", diagnostic.Message, StringComparison.Ordinal);
        Assert.True(allocated < 2 * AllocationBound, $"validation allocated {allocated:N0} bytes"); // the record, plus hashing and the ordinary rows
    }
}
