using System.Text;
using System.Threading.Channels;
using Mlops.Declarations.Diagnostics;
using Mlops.Pipeline.Data;
using Mlops.Runtime.Features;
using Mlops.Runtime.Scoring;

namespace Mlops.Pipeline.Predict;

/// <summary>What to score and where the answers go.</summary>
/// <param name="InputPath">The CSV file to score (a header line, then one row per line).</param>
/// <param name="OutputPath">The CSV file the predictions are written to; replaced only when scoring succeeds.</param>
/// <param name="ErrorsPath">Where rows that do not fit go (line, column, feature, id, message); null fails the command on the first such rows instead.</param>
/// <param name="DisplayPath">The input's name in messages (as the user wrote it).</param>
public sealed record PredictRequest(string InputPath, string OutputPath, string? ErrorsPath, string DisplayPath);

/// <summary>One row of the input that does not fit the model's schema.</summary>
/// <param name="Line">Its line in the input.</param>
/// <param name="Column">The column, in characters, where the bad value starts.</param>
/// <param name="Feature">The feature (empty for a row of the wrong width).</param>
/// <param name="Id">The diagnostic id, the one validation and serving give the same value.</param>
/// <param name="Message">What is wrong and what to send instead.</param>
public sealed record RowError(int Line, int Column, string Feature, string Id, string Message);

/// <summary>How a batch scoring went.</summary>
/// <param name="Rows">Data rows read.</param>
/// <param name="Scored">Rows scored and written.</param>
/// <param name="Refused">Rows that did not fit (written to the errors file, when one was asked for).</param>
/// <param name="Duration">Time spent reading, scoring and writing.</param>
public sealed record PredictCounts(long Rows, long Scored, long Refused, TimeSpan Duration);

/// <summary>The input has rows that do not fit the schema, and no errors file was asked for: nothing was written.</summary>
/// <param name="errors">The first rows that do not fit, as located diagnostics.</param>
/// <param name="message">What happened and what to do.</param>
public sealed class RowsRefusedException(IReadOnlyList<Diagnostic> errors, string message) : Exception(message)
{
    /// <summary>The first rows that do not fit.</summary>
    public IReadOnlyList<Diagnostic> Errors { get; } = errors;
}

/// <summary>
/// Scores a CSV file the way the server scores requests: every row is read with the runtime's
/// value rules into a <see cref="FeatureBatch"/> of the model's <see cref="InputSchema"/>, a block of rows
/// at a time, and each block is scored with one call of the same <see cref="IScorer"/>. The output keeps
/// the entity column when the feature set has one (else the input's line number) and adds the
/// prediction columns of <see cref="PredictionColumns"/>.
/// </summary>
/// <remarks>
/// Reading and writing run side by side on two threads: one reads, parses and checks blocks, the
/// other scores, formats and writes them. They hand blocks over through a queue of
/// <see cref="BlocksInFlight"/> blocks, so memory stays flat whatever the file's size, and the writer hands
/// each block's arrays back for reuse. Either side's failure (or a cancellation) stops the other
/// before the files are removed: nothing half-written is left.
/// </remarks>
public static class BatchPredictor
{
    /// <summary>Rows read, scored and written at a time.</summary>
    public const int BlockRows = 4096;

    /// <summary>Blocks read ahead of the writer at most.</summary>
    public const int BlocksInFlight = 2;

    private const int ShownErrors = 5;

    /// <summary>Scores the input.</summary>
    /// <param name="scorer">The bundle's scorer.</param>
    /// <param name="schema">The bundle's input schema.</param>
    /// <param name="request">The files.</param>
    /// <param name="progress">Receives the number of rows read so far, after each block.</param>
    /// <param name="time">The clock for <see cref="PredictCounts.Duration"/>.</param>
    /// <param name="cancellationToken">Stops between blocks; nothing half-written is left.</param>
    /// <exception cref="RowsRefusedException">Rows do not fit and no errors file was asked for.</exception>
    /// <exception cref="Stages.StageInputException">The input is missing, not CSV, or lacks a column the model needs.</exception>
    public static async Task<PredictCounts> RunAsync(IScorer scorer, InputSchema schema, PredictRequest request, IProgress<long>? progress, TimeProvider time, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(scorer);
        ArgumentNullException.ThrowIfNull(schema);
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(time);
        var started = time.GetTimestamp();
        if (!File.Exists(request.InputPath))
        {
            throw new Stages.StageInputException($"the input file '{request.DisplayPath}' does not exist. Pass an existing CSV file with --input.");
        }

        var output = request.OutputPath + ".tmp";
        var errorsTemporary = request.ErrorsPath is null ? null : request.ErrorsPath + ".tmp";
        try
        {
            var counts = await ScoreAsync(scorer, schema, request, output, errorsTemporary, progress, cancellationToken).ConfigureAwait(false);
            File.Move(output, request.OutputPath, overwrite: true);
            if (errorsTemporary is not null)
            {
                File.Move(errorsTemporary, request.ErrorsPath!, overwrite: true);
            }

            return counts with { Duration = time.GetElapsedTime(started) };
        }
        finally
        {
            File.Delete(output);
            if (errorsTemporary is not null)
            {
                File.Delete(errorsTemporary);
            }
        }
    }

    private static async Task<PredictCounts> ScoreAsync(IScorer scorer, InputSchema schema, PredictRequest request, string outputPath, string? errorsPath, IProgress<long>? progress, CancellationToken cancellationToken)
    {
        using var reader = new StreamReader(
            new FileStream(request.InputPath, FileMode.Open, FileAccess.Read, FileShare.Read, bufferSize: 1, FileOptions.Asynchronous | FileOptions.SequentialScan),
            Encoding.UTF8, detectEncodingFromByteOrderMarks: true, bufferSize: 1 << 16, leaveOpen: false);
        // Room for a block's output, so that the writer's file writes are the awaited flushes after each block.
        await using var outputWriter = new StreamWriter(outputPath, append: false, new UTF8Encoding(false), 1 << 18);
        await using var errorsWriter = errorsPath is null ? null : new StreamWriter(errorsPath, append: false, new UTF8Encoding(false));
        var output = new CsvWriter(outputWriter);
        var errors = errorsWriter is null ? null : new CsvWriter(errorsWriter);
        errors?.Record(["line", "column", "feature", "id", "message"]);

        var csv = new CsvReader(reader);
        try
        {
            if (!await csv.ReadRecordAsync(cancellationToken).ConfigureAwait(false))
            {
                throw new Stages.StageInputException($"{request.DisplayPath}(1,1): error {DiagnosticIds.NoDataRows.Id}: '{request.DisplayPath}' is empty; it needs a header line naming the features, then one row per line.");
            }

            var header = csv.ToRow();
            var writer = Header(schema, header, request.DisplayPath, out var entity);
            output.Record([entity >= 0 ? schema.Entity : "line", .. PredictionColumns.Names(scorer.Kind, scorer.Classes)]);

            var blocks = Channel.CreateBounded<Block>(new BoundedChannelOptions(BlocksInFlight) { SingleReader = true, SingleWriter = true });
            using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            var written = Task.Run(() => WriteBlocksAsync(blocks.Reader, scorer, writer, output, outputWriter, stop), CancellationToken.None);
            PredictCounts counts;
            try
            {
                counts = await ReadBlocksAsync(csv, header.Fields.Length, entity, writer, blocks.Writer, errors, request.DisplayPath, progress, stop.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (stop.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
            {
                // The writing side failed and stopped the reading: its failure is the one to report.
                await written.ConfigureAwait(false);
                throw;
            }
            catch
            {
                // Bad input or a cancellation: the writer stops before the files it writes are removed.
                await stop.CancelAsync().ConfigureAwait(false);
                await ((Task)written).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
                throw;
            }

            return counts with { Scored = await written.ConfigureAwait(false) };
        }
        catch (CsvFormatException e)
        {
            throw new Stages.StageInputException($"{request.DisplayPath}({e.Position.Line},{e.Position.Column}): error {DiagnosticIds.MalformedCsv.Id}: '{request.DisplayPath}' is not well-formed CSV: {e.Reason}. Nothing was written.");
        }
    }

    /// <summary>The reading side: parses and checks the rows after the header into blocks, and queues them for the writer.</summary>
    private static async Task<PredictCounts> ReadBlocksAsync(CsvReader csv, int width, int entity, TextBatchWriter writer, ChannelWriter<Block> blocks, CsvWriter? errors, string displayPath, IProgress<long>? progress, CancellationToken cancellationToken)
    {
        var refusedShown = new List<Diagnostic>();
        long rows = 0, refused = 0;
        var stoppedEarly = false;
        var lines = new int[BlockRows];
        var keys = entity >= 0 ? new string[BlockRows] : null;
        var problem = new Action<FeatureInput, int, ValueProblem>((input, field, wrong) =>
            Refuse(new RowError(csv.Line, csv.PositionOf(field).Column, input.Name, wrong.Id, wrong.Message)));
        while (await csv.ReadRecordAsync(cancellationToken).ConfigureAwait(false))
        {
            rows++;
            var fits = csv.FieldCount == width;
            if (!fits)
            {
                Refuse(new RowError(csv.Line, 1, "", DiagnosticIds.MalformedCsv.Id, $"the row has {csv.FieldCount} fields, the header {width}. Fix the quoting or the separators."));
            }
            else
            {
                fits = writer.Write(csv, problem);
            }

            if (fits)
            {
                lines[writer.Count - 1] = csv.Line;
                keys?[writer.Count - 1] = csv.FieldText(entity);
            }
            else
            {
                refused++;
                if (errors is null && refusedShown.Count >= ShownErrors)
                {
                    stoppedEarly = true; // enough to act on: the rest of the file is not read
                    break;
                }
            }

            if (writer.IsFull)
            {
                await SendAsync().ConfigureAwait(false);
                progress?.Report(rows);
            }
        }

        if (errors is null && refused > 0)
        {
            throw new RowsRefusedException(refusedShown,
                $"{(stoppedEarly ? "at least " : "")}{refused} row{(refused == 1 ? "" : "s")} of '{displayPath}' {(refused == 1 && !stoppedEarly ? "does" : "do")} not fit the model's schema ({(stoppedEarly ? $"the first {refusedShown.Count}" : refused == 1 ? "it is" : "they are")} above); nothing was written. Correct the data, or pass --errors FILE to score the other rows and write these beside.");
        }

        await SendAsync().ConfigureAwait(false);
        blocks.Complete();
        progress?.Report(rows);
        return new PredictCounts(rows, 0, refused, TimeSpan.Zero);

        async Task SendAsync()
        {
            var block = new Block(writer.Flush(), lines, keys);
            if (errors is null && refused > 0)
            {
                writer.Recycle(block.Rows); // the run fails at the end: nothing is scored
                return;
            }

            lines = new int[BlockRows];
            keys = entity >= 0 ? new string[BlockRows] : null;
            await blocks.WriteAsync(block, cancellationToken).ConfigureAwait(false);
        }

        void Refuse(RowError error)
        {
            if (errors is not null)
            {
                errors.Field(error.Line);
                errors.Field(error.Column);
                errors.Field(error.Feature);
                errors.Field(error.Id);
                errors.Field(error.Message);
                errors.EndRecord();
            }
            else if (refusedShown.Count < ShownErrors)
            {
                refusedShown.Add(new Diagnostic(error.Id, Severity.Error, new SourceLocation(displayPath, error.Line, error.Column),
                    error.Feature.Length > 0 ? $"{error.Feature}: {error.Message}" : error.Message));
            }
        }
    }

    /// <summary>The writing side: scores each block, writes its rows, and hands its arrays back to the reader.</summary>
    private static async Task<long> WriteBlocksAsync(ChannelReader<Block> blocks, IScorer scorer, TextBatchWriter reader, CsvWriter output, StreamWriter file, CancellationTokenSource stop)
    {
        try
        {
            long scored = 0;
            await foreach (var block in blocks.ReadAllAsync(stop.Token).ConfigureAwait(false))
            {
                var rows = block.Rows;
                if (rows.RowCount > 0)
                {
                    var predictions = scorer.Score(rows);
                    for (var r = 0; r < rows.RowCount; r++)
                    {
                        if (block.Keys is { } keys)
                        {
                            output.Field(keys[r]);
                        }
                        else
                        {
                            output.Field(block.Lines[r]);
                        }

                        PredictionColumns.Write(output, scorer.Kind, predictions, r);
                        output.EndRecord();
                    }

                    await file.FlushAsync(stop.Token).ConfigureAwait(false);
                    scored += rows.RowCount;
                }

                reader.Recycle(rows);
            }

            return scored;
        }
        catch
        {
            await stop.CancelAsync().ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>Maps the header; a non-nullable feature without a column refuses the file at once.</summary>
    private static TextBatchWriter Header(InputSchema schema, CsvRow header, string displayPath, out int entity)
    {
        var writer = new TextBatchWriter(schema, header.Fields, BlockRows);
        var missing = writer.MissingColumns.Where(i => !i.Nullable).Select(i => i.Name).ToList();
        if (missing.Count > 0)
        {
            throw new Stages.StageInputException(
                $"{displayPath}({header.Line},1): error {DiagnosticIds.MissingColumn.Id}: the header has no column for {string.Join(", ", missing.Select(m => $"'{m}'"))}, which the model needs. Add the column{(missing.Count == 1 ? "" : "s")}, or score a file of the model's features.");
        }

        entity = schema.Entity is { } key ? Array.IndexOf(header.Fields, key) : -1;
        return writer;
    }

    /// <summary>A block of checked rows with the line (and entity key, when there is one) of each.</summary>
    private sealed record Block(FeatureBatch Rows, int[] Lines, string[]? Keys);
}
