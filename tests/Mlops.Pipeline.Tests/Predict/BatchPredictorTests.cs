using Mlops.Runtime.Data;
using System.Globalization;
using Mlops.Pipeline.Data;
using Mlops.Pipeline.Predict;
using Mlops.Pipeline.Stages;
using Mlops.Pipeline.Tests.Training;
using Mlops.Runtime.Features;
using Mlops.Runtime.Scoring;
using Mlops.Testing;

namespace Mlops.Pipeline.Tests.Predict;

/// <summary>
/// Batch scoring of files of several blocks, through the three stages (parse, check, score and
/// write) with the example churn model: the same answers as rows scored alone, rows refused in file
/// order, and no half-written file whatever stops the run.
/// </summary>
[Collection(ChurnModelCollection.Name)]
public sealed class BatchPredictorTests(ChurnModelFixture churn) : IDisposable
{
    // Three full blocks and part of a fourth.
    private const int Rows = (3 * BatchPredictor.BlockRows) + 100;

    // The tenure column of the example's data file (0-based), a number without quotes.
    private const int Tenure = 5;

    private readonly TempDirectory _folder = new("mlops-batch");

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static string[] Telco => File.ReadAllLines(RepositoryRoot.Combine("data", "telco-churn.csv"));

    public void Dispose() => _folder.Dispose();

    [Fact]
    public async Task Run_FileOfManyBlocks_WritesEveryRowAsItsRowScoredAlone()
    {
        var (scorer, schema) = Load();
        var input = Input(_ => null);
        var output = _folder.Combine("out.csv");

        var counts = await BatchPredictor.RunAsync(scorer, schema, Request(input, output), null, TimeProvider.System, Ct);

        Assert.Equal((Rows, Rows, 0L), (counts.Rows, counts.Scored, counts.Refused));
        var alone = await ScoredAloneAsync(scorer, schema);
        var lines = File.ReadAllLines(output);
        Assert.Equal("line,prediction,probability,score", lines[0]);
        Assert.Equal(Rows + 1, lines.Length);
        for (var i = 1; i <= Rows; i++)
        {
            Assert.Equal($"{i + 1},{alone[(i - 1) % alone.Count]}", lines[i]);
        }
    }

    [Fact]
    public async Task Run_BadRowsAcrossBlocks_WithAnErrorsFile_ScoresTheOthersAndListsTheBadOnesInFileOrder()
    {
        var (scorer, schema) = Load();
        var input = Input(line => line is 5000 or 9000 ? WithTenure(line, "ten") : null);
        var output = _folder.Combine("out.csv");
        var errors = _folder.Combine("errors.csv");

        var counts = await BatchPredictor.RunAsync(scorer, schema, Request(input, output) with { ErrorsPath = errors }, null, TimeProvider.System, Ct);

        Assert.Equal((Rows, Rows - 2, 2L), (counts.Rows, counts.Scored, counts.Refused));
        var refused = File.ReadAllLines(errors);
        Assert.Equal("line,column,feature,id,message", refused[0]);
        Assert.Equal(3, refused.Length);
        Assert.StartsWith($"5000,{TenureColumn(5000)},tenure,MLOPS0404,", refused[1], StringComparison.Ordinal);
        Assert.StartsWith($"9000,{TenureColumn(9000)},tenure,MLOPS0404,", refused[2], StringComparison.Ordinal);
        var written = File.ReadLines(output).Skip(1).Select(l => int.Parse(l[..l.IndexOf(',', StringComparison.Ordinal)], CultureInfo.InvariantCulture)).ToList();
        Assert.Equal(Rows - 2, written.Count);
        Assert.DoesNotContain(5000, written);
        Assert.DoesNotContain(9000, written);
        Assert.Equal(written.Order(), written);
    }

    [Fact]
    public async Task Run_BadRowsAcrossBlocks_WithoutAnErrorsFile_NamesTheFirstFiveInFileOrderAndWritesNothing()
    {
        var (scorer, schema) = Load();
        int[] bad = [100, 4200, 4300, 8500, 8600, 12000, 12100];
        var input = Input(line => bad.Contains(line) ? WithTenure(line, "-1") : null);
        var output = _folder.Combine("out.csv");

        var refused = await Assert.ThrowsAsync<RowsRefusedException>(() => BatchPredictor.RunAsync(scorer, schema, Request(input, output), null, TimeProvider.System, Ct));

        Assert.Equal(bad[..5], refused.Errors.Select(e => e.Location.Line));
        Assert.All(refused.Errors, e => Assert.Equal("MLOPS0405", e.Id));
        Assert.StartsWith("at least 5 rows of ", refused.Message, StringComparison.Ordinal);
        Assert.Empty(Directory.GetFiles(_folder.Path, "out.csv*"));
    }

    [Fact]
    public async Task Run_MalformedRecordAfterSeveralBlocks_FailsAtItsPlaceAndKeepsTheOldOutput()
    {
        var (scorer, schema) = Load();
        var input = Input(line => line == 10_000 ? WithTenure(line, "1\"2") : null);
        var output = _folder.Combine("out.csv");
        await File.WriteAllTextAsync(output, "the previous output\n", Ct);

        var error = await Assert.ThrowsAsync<StageInputException>(() => BatchPredictor.RunAsync(scorer, schema, Request(input, output), null, TimeProvider.System, Ct));

        Assert.StartsWith($"in.csv(10000,{TenureColumn(10_000) + 1}): error MLOPS0410: 'in.csv' is not well-formed CSV: a quote inside an unquoted field", error.Message, StringComparison.Ordinal);
        Assert.Equal("the previous output\n", await File.ReadAllTextAsync(output, Ct));
        Assert.Equal([output], Directory.GetFiles(_folder.Path, "out.csv*"));
    }

    [Fact]
    public async Task Run_CancelledAfterTheFirstBlock_StopsAndLeavesNoFile()
    {
        var (scorer, schema) = Load();
        var input = Input(_ => null);
        var output = _folder.Combine("out.csv");
        var errors = _folder.Combine("errors.csv");
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        var progress = new CancelOnReport(stop);

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() =>
            BatchPredictor.RunAsync(scorer, schema, Request(input, output) with { ErrorsPath = errors }, progress, TimeProvider.System, stop.Token));

        Assert.Equal(BatchPredictor.BlockRows, progress.First);
        Assert.Empty(Directory.GetFiles(_folder.Path, "out.csv*"));
        Assert.Empty(Directory.GetFiles(_folder.Path, "errors.csv*"));
    }

    [Fact]
    public async Task Run_ScoringFailsOnTheThirdBlock_ReportsThatFailureAndLeavesNoFile()
    {
        var (scorer, schema) = Load();
        var input = Input(_ => null);
        var output = _folder.Combine("out.csv");

        var error = await Assert.ThrowsAsync<InvalidOperationException>(() =>
            BatchPredictor.RunAsync(new FailingScorer(scorer, failOnCall: 3), schema, Request(input, output), null, TimeProvider.System, Ct));

        Assert.Equal("scoring failed on call 3", error.Message);
        Assert.Empty(Directory.GetFiles(_folder.Path, "out.csv*"));
    }

    private (IScorer Scorer, InputSchema Schema) Load() =>
        (ModelScorer.Load(churn.Training.ModelPath), InputSchema.For(churn.Request.FeatureSet.Value));

    private PredictRequest Request(string input, string output) => new(input, output, null, "in.csv");

    /// <summary>The example's rows repeated to <see cref="Rows"/> rows; <paramref name="replace"/> may give another text for a line.</summary>
    private string Input(Func<int, string?> replace)
    {
        var telco = Telco;
        var path = _folder.Combine("in.csv");
        using var writer = new StreamWriter(path);
        writer.Write(telco[0] + "\n");
        for (var i = 1; i <= Rows; i++)
        {
            writer.Write((replace(i + 1) ?? telco[((i - 1) % (telco.Length - 1)) + 1]) + "\n");
        }

        return path;
    }

    /// <summary>The data line that lands on <paramref name="line"/> of the input, with another tenure.</summary>
    private static string WithTenure(int line, string tenure)
    {
        var telco = Telco;
        var fields = telco[((line - 2) % (telco.Length - 1)) + 1].Split(',');
        fields[Tenure] = tenure;
        return string.Join(',', fields);
    }

    private static int TenureColumn(int line)
    {
        var telco = Telco;
        return telco[((line - 2) % (telco.Length - 1)) + 1].Split(',').Take(Tenure).Sum(f => f.Length + 1) + 1;
    }

    /// <summary>Each row of the example's data file scored alone (a batch of one), as its prediction columns.</summary>
    private static async Task<List<string>> ScoredAloneAsync(IScorer scorer, InputSchema schema)
    {
        var answers = new List<string>();
        TextBatchWriter? writer = null;
        using var reader = new StreamReader(RepositoryRoot.Combine("data", "telco-churn.csv"));
        await foreach (var row in CsvReader.ReadAsync(reader, Ct))
        {
            if (writer is null)
            {
                writer = new TextBatchWriter(schema, row.Fields, 1);
                continue;
            }

            Assert.True(writer.Write(row.Fields, null));
            var prediction = scorer.Score(writer.Flush())[0];
            answers.Add(string.Create(CultureInfo.InvariantCulture, $"{(prediction.IsPositive!.Value ? "true" : "false")},{prediction.Probability},{prediction.Score}"));
        }

        return answers;
    }

    /// <summary>Cancels the run at its first report of progress (after the first block), on the reporting thread.</summary>
    private sealed class CancelOnReport(CancellationTokenSource stop) : IProgress<long>
    {
        public long First { get; private set; }

        public void Report(long value)
        {
            if (First == 0)
            {
                First = value;
                stop.Cancel();
            }
        }
    }

    /// <summary>The real scorer, failing on one call as a model might on a block it cannot score.</summary>
    private sealed class FailingScorer(IScorer scorer, int failOnCall) : IScorer
    {
        private int _calls;

        public PredictionKind Kind => scorer.Kind;

        public IReadOnlyList<string> Classes => scorer.Classes;

        public BatchPredictions Score(FeatureBatch batch) => ++_calls == failOnCall
            ? throw new InvalidOperationException($"scoring failed on call {failOnCall}")
            : scorer.Score(batch);
    }
}
