using System.Collections.Concurrent;
using System.Globalization;
using System.Threading.Channels;
using Mlops.Declarations.Diagnostics;
using Mlops.Declarations.FeatureSets;
using Mlops.Runtime.Bundles;
using Mlops.Runtime.Data;
using Mlops.Runtime.Features;

namespace Mlops.Runtime.Monitoring.Drift;

/// <summary>A drift input cannot be read: the message is in the compiler's format (file, line, column, id), with what to do.</summary>
/// <param name="message">What is wrong, where, and what to do.</param>
public sealed class DriftInputException(string message) : Exception(message);

/// <summary>What inference found in a file: each column's kind, and its values when one pass could keep them.</summary>
/// <param name="Inputs">Each column as a feature: float or category, nullable, undeclared categories kept.</param>
/// <param name="Columns">The columns' values, or null when the file must be read again with <paramref name="Inputs"/>.</param>
public sealed record InferredFile(IReadOnlyList<BundleInput> Inputs, IReadOnlyList<ColumnValues>? Columns);

/// <summary>
/// Reads a CSV file's feature columns into drift summaries with the project's one CSV reader
/// (<see cref="CsvReader"/>) and value rules (<see cref="FeatureInput"/>), the way <c>mlops predict</c>
/// reads a file: one thread parses blocks of records (its text decoded ahead on another) while this
/// one reads their values, so both cores work. <c>mlops drift</c>, the bundle's reference sample and
/// the server all read drift data through here.
/// </summary>
public static class DriftCsv
{
    /// <summary>Records handed from the parsing thread to the reading one at a time.</summary>
    public const int BlockRecords = 4096;

    /// <summary>The most distinct text values inference declares per column; rarer ones are still counted.</summary>
    public const int InferredCategoryLimit = 10_000;

    private const int ShownErrors = 5;

    /// <summary>Reads the columns of <paramref name="inputs"/> from a CSV file.</summary>
    /// <param name="path">The file.</param>
    /// <param name="displayPath">Its name in messages.</param>
    /// <param name="inputs">The features to read (<see cref="DriftInputs.For"/>); other columns are ignored.</param>
    /// <param name="cancellationToken">Stops the reading.</param>
    /// <returns>One summary per feature, in the order of <paramref name="inputs"/>.</returns>
    /// <exception cref="DriftInputException">The file is missing, empty or malformed, lacks a feature's column, or holds a value the feature's type refuses.</exception>
    public static async Task<IReadOnlyList<ColumnValues>> ReadFileAsync(string path, string displayPath, IReadOnlyList<FeatureInput> inputs, CancellationToken cancellationToken)
    {
        using var reader = Open(path, displayPath);
        return await ReadAsync(reader, displayPath, inputs, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Reads the columns of <paramref name="inputs"/> from CSV text.</summary>
    /// <param name="text">The text: a header line, then one row per line.</param>
    /// <param name="displayPath">Its name in messages.</param>
    /// <param name="inputs">The features to read; other columns are ignored.</param>
    /// <param name="cancellationToken">Stops the reading.</param>
    /// <exception cref="DriftInputException">The text is empty or malformed, lacks a feature's column, or holds a value the feature's type refuses.</exception>
    public static async Task<IReadOnlyList<ColumnValues>> ReadAsync(TextReader text, string displayPath, IReadOnlyList<FeatureInput> inputs, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(text);
        ArgumentNullException.ThrowIfNull(inputs);
        await using var csv = new CsvReader(text);
        var header = await HeaderAsync(csv, displayPath, cancellationToken).ConfigureAwait(false);
        var columns = new int[inputs.Count];
        var absent = new List<string>();
        for (var i = 0; i < inputs.Count; i++)
        {
            columns[i] = Array.IndexOf(header.Fields, inputs[i].Name);
            if (columns[i] < 0)
            {
                absent.Add(inputs[i].Name);
            }
        }

        if (absent.Count > 0)
        {
            throw new DriftInputException(
                $"{displayPath}({header.Line},1): error {DiagnosticIds.MissingColumn.Id}: the header has no column for {string.Join(", ", absent.Select(a => $"'{a}'"))}, which the reference has. "
                + $"Add the column{(absent.Count == 1 ? "" : "s")} (empty fields for missing values), or compare files of the same features.");
        }

        // Two readers of values take blocks in turn, each with its own builders, merged at the end; each
        // keeps the first errors it meets, so the first five of the file are among them.
        var workers = Math.Clamp(Environment.ProcessorCount, 1, 2);
        var builders = Enumerable.Range(0, workers).Select(_ => inputs.Select(i => new DriftColumnBuilder(i)).ToArray()).ToArray();
        var errors = Enumerable.Range(0, workers).Select(_ => new List<(long Block, int Row, string Message)>()).ToArray();
        var width = header.Fields.Length;
        await ForEachBlockAsync(csv, displayPath, workers, (worker, sequence, block) =>
        {
            var mine = builders[worker];
            var found = errors[worker];
            for (var r = 0; r < block.Count && found.Count < ShownErrors; r++)
            {
                block.MoveTo(r);
                if (block.FieldCount != width)
                {
                    found.Add((sequence, r, $"{displayPath}({block.Line},1): error {DiagnosticIds.MalformedCsv.Id}: the row has {block.FieldCount} fields, the header {width}. Fix the quoting or the separators."));
                    continue;
                }

                for (var i = 0; i < mine.Length; i++)
                {
                    var builder = mine[i];
                    if (builder.Input.ReadText(block[columns[i]], out var value) is { } problem)
                    {
                        found.Add((sequence, r, $"{displayPath}({block.Line},{block.PositionOf(columns[i]).Column}): error {problem.Id}: {builder.Input.Name}: {problem.Message}"));
                    }
                    else
                    {
                        builder.Add(value);
                    }
                }
            }
        }, cancellationToken).ConfigureAwait(false);

        var shown = errors.SelectMany(e => e).OrderBy(e => e.Block).ThenBy(e => e.Row).Take(ShownErrors).Select(e => e.Message).ToList();
        if (shown.Count > 0)
        {
            throw new DriftInputException(string.Join("\n", shown) + (shown.Count >= ShownErrors ? $"\nmlops: '{displayPath}' has at least {ShownErrors} values that cannot be read (the first are above); correct them." : ""));
        }

        for (var w = 1; w < workers; w++)
        {
            for (var i = 0; i < inputs.Count; i++)
            {
                builders[0][i].AddFrom(builders[w][i]);
            }
        }

        var results = new ColumnValues[inputs.Count];
        Parallel.For(0, inputs.Count, new ParallelOptions { CancellationToken = cancellationToken }, i => results[i] = builders[0][i].Build());
        return results;
    }

    /// <summary>
    /// Infers each column's kind from a file: a number (<c>float</c>) when every present value reads as
    /// a float by the value rules, else a category whose declared values are its distinct texts (up to
    /// <see cref="InferredCategoryLimit"/>), in ordinal order. Empty fields are missing. The same pass
    /// keeps the values, so the file need not be read again, unless a column turned out a category
    /// after numbers (then <see cref="InferredFile.Columns"/> is null: read it with the inputs).
    /// </summary>
    /// <param name="path">The file.</param>
    /// <param name="displayPath">Its name in messages.</param>
    /// <param name="cancellationToken">Stops the reading.</param>
    /// <exception cref="DriftInputException">The file is missing, empty or malformed.</exception>
    public static async Task<InferredFile> InferFileAsync(string path, string displayPath, CancellationToken cancellationToken)
    {
        using var reader = Open(path, displayPath);
        await using var csv = new CsvReader(reader);
        var header = await HeaderAsync(csv, displayPath, cancellationToken).ConfigureAwait(false);
        var width = header.Fields.Length;
        var numeric = Enumerable.Repeat(true, width).ToArray();
        var flipped = new bool[width];
        var missing = new long[width];
        var numbers = header.Fields.Select((name, c) => new DriftColumnBuilder(new FeatureInput(name, c, FeatureType.Float, true, [], UnknownCategoryPolicy.Ignore, null, null))).ToArray();
        var counts = Enumerable.Range(0, width).Select(_ => new Dictionary<string, long>(StringComparer.Ordinal)).ToArray();
        var lookups = counts.Select(t => t.GetAlternateLookup<ReadOnlySpan<char>>()).ToArray();
        string? error = null;
        await ForEachBlockAsync(csv, displayPath, 1, (_, _, block) =>
        {
            for (var r = 0; r < block.Count && error is null; r++)
            {
                block.MoveTo(r);
                if (block.FieldCount != width)
                {
                    error = $"{displayPath}({block.Line},1): error {DiagnosticIds.MalformedCsv.Id}: the row has {block.FieldCount} fields, the header {width}. Fix the quoting or the separators.";
                    continue;
                }

                for (var c = 0; c < width; c++)
                {
                    var field = block[c];
                    if (field.IsEmpty)
                    {
                        missing[c]++;
                        continue;
                    }

                    if (numeric[c])
                    {
                        if (numbers[c].Input.ReadText(field, out var value) is null)
                        {
                            numbers[c].Add(value);
                            continue;
                        }

                        numeric[c] = false;
                        flipped[c] = numbers[c].Count > 0;
                    }

                    var lookup = lookups[c];
                    lookup[field] = lookup.TryGetValue(field, out var count) ? count + 1 : 1;
                }
            }
        }, cancellationToken).ConfigureAwait(false);

        if (error is not null)
        {
            throw new DriftInputException(error);
        }

        var inputs = header.Fields.Select((name, c) => numeric[c]
            ? new BundleInput(name, FeatureType.Float, true, [])
            : new BundleInput(name, FeatureType.Category, true, [.. counts[c].Keys.Order(StringComparer.Ordinal).Take(InferredCategoryLimit)])).ToList();
        if (flipped.Any(f => f))
        {
            return new InferredFile(inputs, null);
        }

        var columns = new ColumnValues[width];
        Parallel.For(0, width, new ParallelOptions { CancellationToken = cancellationToken }, c => columns[c] = numeric[c]
            ? numbers[c].Build() with { Missing = missing[c] }
            : new CategoryCounts(header.Fields[c], counts[c], missing[c]));
        return new InferredFile(inputs, columns);
    }

    private static StreamReader Open(string path, string displayPath)
    {
        try
        {
            return new StreamReader(
                new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, bufferSize: 1, FileOptions.Asynchronous | FileOptions.SequentialScan),
                System.Text.Encoding.UTF8, detectEncodingFromByteOrderMarks: true, bufferSize: 1 << 16, leaveOpen: false);
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            throw new DriftInputException($"the file '{displayPath}' does not exist. Pass an existing CSV file.");
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new DriftInputException($"the file '{displayPath}' cannot be read: {e.Message}");
        }
    }

    private static async Task<CsvRow> HeaderAsync(CsvReader csv, string displayPath, CancellationToken cancellationToken)
    {
        try
        {
            if (!await csv.ReadRecordAsync(cancellationToken).ConfigureAwait(false))
            {
                throw new DriftInputException($"{displayPath}(1,1): error {DiagnosticIds.NoDataRows.Id}: '{displayPath}' is empty; it needs a header line naming the features, then one row per line.");
            }
        }
        catch (CsvFormatException e)
        {
            throw Malformed(displayPath, e);
        }

        return csv.ToRow();
    }

    /// <summary>
    /// Parses the records after the header on another thread into blocks and hands them to
    /// <paramref name="workers"/> readers (<paramref name="read"/> with the reader's index and the block's
    /// sequence number); one reader sees its blocks in file order.
    /// </summary>
    private static async Task ForEachBlockAsync(CsvReader csv, string displayPath, int workers, Action<int, long, CsvRecordBlock> read, CancellationToken cancellationToken)
    {
        var blocks = Channel.CreateBounded<(long Sequence, CsvRecordBlock Block)>(new BoundedChannelOptions(2 * workers) { SingleReader = workers == 1, SingleWriter = true });
        var free = new ConcurrentQueue<CsvRecordBlock>();
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var parse = Task.Run(async () =>
        {
            try
            {
                long sequence = 0;
                var block = Rent();
                while (await csv.ReadRecordAsync(stop.Token).ConfigureAwait(false))
                {
                    do
                    {
                        csv.CopyTo(block);
                    }
                    while (!block.IsFull && csv.TryReadBufferedRecord());

                    if (block.IsFull)
                    {
                        await blocks.Writer.WriteAsync((sequence++, block), stop.Token).ConfigureAwait(false);
                        block = Rent();
                    }
                }

                await blocks.Writer.WriteAsync((sequence, block), stop.Token).ConfigureAwait(false);
                blocks.Writer.TryComplete();
            }
            catch (Exception e)
            {
                // A malformed record ends the blocks there; the readers report it once the rows before it are read.
                blocks.Writer.TryComplete(e);
            }
        }, CancellationToken.None);

        async Task ReadBlocksAsync(int worker)
        {
            await foreach (var (sequence, block) in blocks.Reader.ReadAllAsync(stop.Token).ConfigureAwait(false))
            {
                read(worker, sequence, block);
                free.Enqueue(block);
            }
        }

        try
        {
            var readers = Enumerable.Range(1, workers - 1).Select(w => Task.Run(() => ReadBlocksAsync(w), CancellationToken.None)).Prepend(ReadBlocksAsync(0)).ToArray();
            try
            {
                await Task.WhenAll(readers).ConfigureAwait(false);
            }
            catch
            {
                await stop.CancelAsync().ConfigureAwait(false);
                await Task.WhenAll(readers).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
                throw readers.Select(r => r.Exception?.InnerException).FirstOrDefault(e => e is not null and not OperationCanceledException) ?? new OperationCanceledException(cancellationToken);
            }
        }
        catch (ChannelClosedException e) when (e.InnerException is CsvFormatException format)
        {
            throw Malformed(displayPath, format);
        }
        catch (CsvFormatException format)
        {
            throw Malformed(displayPath, format);
        }
        finally
        {
            await stop.CancelAsync().ConfigureAwait(false);
            await parse.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        }

        CsvRecordBlock Rent()
        {
            if (free.TryDequeue(out var reused))
            {
                reused.Clear();
                return reused;
            }

            return new CsvRecordBlock(BlockRecords);
        }
    }

    private static DriftInputException Malformed(string displayPath, CsvFormatException e) => new(
        string.Create(CultureInfo.InvariantCulture, $"{displayPath}({e.Position.Line},{e.Position.Column}): error {DiagnosticIds.MalformedCsv.Id}: '{displayPath}' is not well-formed CSV: {e.Reason}."));
}
