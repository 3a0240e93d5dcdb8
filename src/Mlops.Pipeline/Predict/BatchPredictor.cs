using Mlops.Runtime.Data;
using System.Collections.Concurrent;
using System.Runtime.CompilerServices;
using System.Runtime.ExceptionServices;
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
/// Three stages run side by side, so that both cores of a small machine work: one parses the file
/// into blocks of records (the text decoded on yet another thread meanwhile), one checks each record
/// with the value rules into a block of rows, and one scores, formats and writes each block. They
/// hand blocks over through queues of <see cref="BlocksInFlight"/> blocks, so memory stays flat
/// whatever the file's size, and each block's arrays are handed back for reuse. A stage's failure
/// (or a cancellation) stops the others before the files are removed: nothing half-written is
/// left. Rows are checked, refused and reported in file order, as a reading in one pass would.
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

        await using var csv = new CsvReader(reader);
        try
        {
            if (!await csv.ReadRecordAsync(cancellationToken).ConfigureAwait(false))
            {
                throw new Stages.StageInputException($"{request.DisplayPath}(1,1): error {DiagnosticIds.NoDataRows.Id}: '{request.DisplayPath}' is empty; it needs a header line naming the features, then one row per line.");
            }

            var header = csv.ToRow();
            var writer = Header(schema, header, request.DisplayPath, out var entity);
            output.Record([entity >= 0 ? schema.Entity : "line", .. PredictionColumns.Names(scorer.Kind, scorer.Classes)]);

            var rows = new RowReader(header.Fields.Length, entity, writer, errors, request.DisplayPath);
            var records = Channel.CreateBounded<CsvRecordBlock>(new BoundedChannelOptions(BlocksInFlight) { SingleReader = true, SingleWriter = true });
            var blocks = Channel.CreateBounded<Block>(new BoundedChannelOptions(BlocksInFlight) { SingleReader = true, SingleWriter = true });
            var free = new ConcurrentQueue<CsvRecordBlock>();
            using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            var read = Task.Run(() => ReadRecordsAsync(csv, records.Writer, free, rows, stop.Token), CancellationToken.None);
            var check = Task.Run(() => Stage(stop, () => CheckRecordsAsync(records.Reader, free, rows, blocks.Writer, progress, stop.Token)), CancellationToken.None);
            var written = Task.Run(() => Stage(stop, () => WriteBlocksAsync(blocks.Reader, scorer, writer, output, outputWriter, stop.Token)), CancellationToken.None);
            await Task.WhenAll(read, check, written).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);

            // A stage that fails stops the others, which then end cancelled: report what went wrong, not that.
            foreach (var stage in (Task[])[check, written])
            {
                if (stage.Exception?.InnerException is { } failure and not OperationCanceledException)
                {
                    ExceptionDispatchInfo.Throw(failure);
                }
            }

            cancellationToken.ThrowIfCancellationRequested();
            return new PredictCounts(rows.Rows, await written.ConfigureAwait(false), rows.Refused, TimeSpan.Zero);
        }
        catch (CsvFormatException e)
        {
            throw new Stages.StageInputException($"{request.DisplayPath}({e.Position.Line},{e.Position.Column}): error {DiagnosticIds.MalformedCsv.Id}: '{request.DisplayPath}' is not well-formed CSV: {e.Reason}. Nothing was written.");
        }
    }

    /// <summary>A stage's work; its failure stops the other stages.</summary>
    private static async Task<T> Stage<T>(CancellationTokenSource stop, Func<Task<T>> work)
    {
        try
        {
            return await work().ConfigureAwait(false);
        }
        catch
        {
            await stop.CancelAsync().ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>
    /// The first stage: parses the records after the header into blocks of copied records. A file
    /// that is not well-formed CSV ends the records where it breaks: the checking stage reports it
    /// after the rows before it, as a reading of the file in order would.
    /// </summary>
    private static async Task ReadRecordsAsync(CsvReader csv, ChannelWriter<CsvRecordBlock> records, ConcurrentQueue<CsvRecordBlock> free, RowReader rows, CancellationToken cancellationToken)
    {
        try
        {
            var block = Rent();
            while (await csv.ReadRecordAsync(cancellationToken).ConfigureAwait(false))
            {
                do
                {
                    csv.CopyTo(block);
                }
                while (!block.IsFull && csv.TryReadBufferedRecord());

                if (block.IsFull)
                {
                    await records.WriteAsync(block, cancellationToken).ConfigureAwait(false);
                    block = Rent();
                }
            }

            await records.WriteAsync(block, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            rows.ReadFailure = ExceptionDispatchInfo.Capture(e);
        }
        catch (OperationCanceledException)
        {
            // Stopped by another stage, which reports why.
        }
        finally
        {
            records.TryComplete();
        }

        CsvRecordBlock Rent()
        {
            if (free.TryDequeue(out var reused))
            {
                reused.Clear();
                return reused;
            }

            return new CsvRecordBlock(BlockRows);
        }
    }

    /// <summary>The second stage: checks the records with the value rules into blocks of rows, and queues them for the writer.</summary>
    private static async Task<long> CheckRecordsAsync(ChannelReader<CsvRecordBlock> records, ConcurrentQueue<CsvRecordBlock> free, RowReader rows, ChannelWriter<Block> blocks, IProgress<long>? progress, CancellationToken cancellationToken)
    {
        var writer = rows.Writer;
        await foreach (var block in records.ReadAllAsync(cancellationToken).ConfigureAwait(false))
        {
            for (var next = 0; next < block.Count;)
            {
                if (!rows.Read(block, ref next))
                {
                    throw rows.Refusal();
                }

                if (writer.IsFull)
                {
                    await SendAsync().ConfigureAwait(false);
                    progress?.Report(rows.Rows);
                }
            }

            if (free.Count < BlocksInFlight + 2)
            {
                free.Enqueue(block);
            }
        }

        rows.ReadFailure?.Throw();
        if (rows.Failed)
        {
            throw rows.Refusal();
        }

        await SendAsync().ConfigureAwait(false);
        blocks.Complete();
        progress?.Report(rows.Rows);
        return rows.Rows;

        async Task SendAsync()
        {
            var block = rows.TakeBlock();
            if (rows.Failed)
            {
                writer.Recycle(block.Rows); // the run fails at the end: nothing is scored
                return;
            }

            await blocks.WriteAsync(block, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// Checks records into the current block of rows in a plain loop, keeping each row's line and
    /// key, and the refusals: in the errors file, or the first few as diagnostics.
    /// </summary>
    private sealed class RowReader
    {
        private readonly int _width;
        private readonly int _entity;
        private readonly CsvWriter? _errors;
        private readonly string _displayPath;
        private readonly List<Diagnostic> _shown = [];
        private readonly Action<FeatureInput, int, ValueProblem> _problem;
        private CsvRecordBlock? _records;
        private int[] _lines = new int[BlockRows];
        private string[]? _keys;
        private bool _stoppedEarly;

        public RowReader(int width, int entity, TextBatchWriter writer, CsvWriter? errors, string displayPath)
        {
            _width = width;
            _entity = entity;
            Writer = writer;
            _errors = errors;
            _displayPath = displayPath;
            _keys = entity >= 0 ? new string[BlockRows] : null;
            _problem = (input, field, wrong) => Refuse(new RowError(_records!.Line, _records.PositionOf(field).Column, input.Name, wrong.Id, wrong.Message));
        }

        public TextBatchWriter Writer { get; }

        public long Rows { get; private set; }

        public long Refused { get; private set; }

        /// <summary>Whether rows were refused with no errors file: the run fails, and nothing needs scoring.</summary>
        public bool Failed => _errors is null && Refused > 0;

        /// <summary>Why the reading stage stopped before the end of the file, to report after the rows before it.</summary>
        public ExceptionDispatchInfo? ReadFailure { get; set; }

        /// <summary>Checks records of <paramref name="records"/> from <paramref name="next"/> on, until the block of rows is full or the records end; false when enough rows were refused to stop.</summary>
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        public bool Read(CsvRecordBlock records, ref int next)
        {
            _records = records;
            var writer = Writer;
            for (; next < records.Count && !writer.IsFull; next++)
            {
                records.MoveTo(next);
                Rows++;
                var fits = records.FieldCount == _width;
                if (!fits)
                {
                    Refuse(new RowError(records.Line, 1, "", DiagnosticIds.MalformedCsv.Id, $"the row has {records.FieldCount} fields, the header {_width}. Fix the quoting or the separators."));
                }
                else
                {
                    fits = writer.Write(records, _problem);
                }

                if (fits)
                {
                    _lines[writer.Count - 1] = records.Line;
                    _keys?[writer.Count - 1] = records.FieldText(_entity);
                }
                else
                {
                    Refused++;
                    if (_errors is null && _shown.Count >= ShownErrors)
                    {
                        _stoppedEarly = true; // enough to act on: the rest of the file is not read
                        return false;
                    }
                }
            }

            return true;
        }

        /// <summary>The rows written since the last block, with their lines and keys.</summary>
        public Block TakeBlock()
        {
            var block = new Block(Writer.Flush(), _lines, _keys);
            _lines = new int[BlockRows];
            _keys = _entity >= 0 ? new string[BlockRows] : null;
            return block;
        }

        public RowsRefusedException Refusal() => new(_shown,
            $"{(_stoppedEarly ? "at least " : "")}{Refused} row{(Refused == 1 ? "" : "s")} of '{_displayPath}' {(Refused == 1 && !_stoppedEarly ? "does" : "do")} not fit the model's schema ({(_stoppedEarly ? $"the first {_shown.Count}" : Refused == 1 ? "it is" : "they are")} above); nothing was written. Correct the data, or pass --errors FILE to score the other rows and write these beside.");

        private void Refuse(RowError error)
        {
            if (_errors is { } errors)
            {
                errors.Field(error.Line);
                errors.Field(error.Column);
                errors.Field(error.Feature);
                errors.Field(error.Id);
                errors.Field(error.Message);
                errors.EndRecord();
            }
            else if (_shown.Count < ShownErrors)
            {
                _shown.Add(new Diagnostic(error.Id, Severity.Error, new SourceLocation(_displayPath, error.Line, error.Column),
                    error.Feature.Length > 0 ? $"{error.Feature}: {error.Message}" : error.Message));
            }
        }
    }

    /// <summary>The writing side: scores each block, writes its rows, and hands its arrays back to the reader.</summary>
    private static async Task<long> WriteBlocksAsync(ChannelReader<Block> blocks, IScorer scorer, TextBatchWriter reader, CsvWriter output, StreamWriter file, CancellationToken cancellationToken)
    {
        long scored = 0;
        await foreach (var block in blocks.ReadAllAsync(cancellationToken).ConfigureAwait(false))
        {
            var rows = block.Rows;
            if (rows.RowCount > 0)
            {
                WriteRows(block, scorer.Kind, scorer.Score(rows), output);
                await file.FlushAsync(cancellationToken).ConfigureAwait(false);
                scored += rows.RowCount;
            }

            reader.Recycle(rows);
        }

        return scored;
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void WriteRows(Block block, PredictionKind kind, BatchPredictions predictions, CsvWriter output)
    {
        for (var r = 0; r < block.Rows.RowCount; r++)
        {
            if (block.Keys is { } keys)
            {
                output.Field(keys[r]);
            }
            else
            {
                output.Field(block.Lines[r]);
            }

            PredictionColumns.Write(output, kind, predictions, r);
            output.EndRecord();
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
