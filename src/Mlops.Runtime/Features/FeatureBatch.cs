namespace Mlops.Runtime.Features;

/// <summary>
/// Rows of feature values held by column: the one shape a row takes on its way to a model, from a
/// data file (validation, training, evaluation, batch scoring) or a request (serving), and a single
/// row is a batch of one. Number columns hold <see cref="float"/>s (NaN when missing), text columns
/// <see cref="string"/>s (null when missing or empty); a column that was not sent is missing in every
/// row. <see cref="InputSchema"/> writes it, applying the rules of <see cref="FeatureInput"/>;
/// <see cref="Scoring.IScorer.Score(FeatureBatch)"/> reads it.
/// </summary>
/// <remarks>
/// A category column is held as codes: the index of each value in the column's declared categories
/// (<see cref="Categories"/>), <see cref="MissingCode"/> or <see cref="UndeclaredCode"/> (whose text is
/// kept). A scorer with a term per category then reads a table instead of looking each text up
/// again; the texts of such a column are made from the codes only when something asks for them
/// (<see cref="Texts"/>). All number columns share one array and all code columns another, so a
/// batch costs a handful of allocations whatever its number of columns (a single row is the usual
/// request). Logs and shadows that want a row by name ask for it explicitly (<see cref="ToDictionary"/>).
/// </remarks>
public sealed class FeatureBatch
{
    /// <summary>The code of a missing (null) category.</summary>
    public const int MissingCode = -1;

    /// <summary>The code of a category that is not among the declared ones.</summary>
    public const int UndeclaredCode = -2;

    private readonly BatchShape _shape;
    private readonly int _stride;
    private readonly bool[] _sent;
    private string?[]?[]? _texts;
    private bool[]? _textsMade;
    private float[]? _numbers;
    private int[]? _codes;

    /// <summary>A batch of <paramref name="rowCount"/> rows with nothing sent yet.</summary>
    /// <param name="columns">The columns, shared by every batch of one schema (scorers recognise them by reference).</param>
    /// <param name="indexOf">The index of a column by name, or -1.</param>
    /// <param name="rowCount">How many rows.</param>
    /// <param name="categories">Per column, the declared categories that codes index (null for columns without codes); shared by every batch of one schema.</param>
    public FeatureBatch(IReadOnlyList<RowColumn> columns, Func<string, int> indexOf, int rowCount, IReadOnlyList<IReadOnlyList<string>?>? categories = null)
        : this(new BatchShape(columns, indexOf, categories), rowCount)
    {
    }

    internal FeatureBatch(BatchShape shape, int rowCount)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(rowCount);
        _shape = shape;
        _stride = rowCount;
        RowCount = rowCount;
        _sent = new bool[shape.Columns.Count];
    }

    private FeatureBatch(FeatureBatch of, int rowCount)
    {
        _shape = of._shape;
        _stride = of._stride;
        RowCount = rowCount;
        _sent = of._sent;
        _texts = of._texts;
        _numbers = of._numbers;
        _codes = of._codes;
    }

    /// <summary>The columns.</summary>
    public IReadOnlyList<RowColumn> Columns => _shape.Columns;

    /// <summary>How many rows.</summary>
    public int RowCount { get; }

    /// <summary>Per column, the declared categories that <see cref="Codes"/> index, or null when the batch has no codes.</summary>
    public IReadOnlyList<IReadOnlyList<string>?>? Categories => _shape.Categories;

    /// <summary>The index of a column by name, or -1.</summary>
    /// <param name="name">The feature's name.</param>
    public int IndexOf(string name) => _shape.IndexOf(name);

    /// <summary>Whether a column was sent.</summary>
    /// <param name="column">The column's index.</param>
    public bool IsSent(int column) => _sent[column];

    /// <summary>A number column's values by row; empty when the column was not sent (every row misses it).</summary>
    /// <param name="column">The column's index.</param>
    public ReadOnlySpan<float> Numbers(int column) =>
        _sent[column] && _shape.NumberSlot[column] is var slot and >= 0 ? _numbers.AsSpan(slot * _stride, RowCount) : default;

    /// <summary>A text column's values by row; empty when the column was not sent (every row misses it).</summary>
    /// <param name="column">The column's index.</param>
    /// <remarks>A column held as codes gets its texts made here, once; call it after the batch is written.</remarks>
    public ReadOnlySpan<string?> Texts(int column)
    {
        if (!_sent[column])
        {
            return default;
        }

        // Made at most once even when threads (a primary and its shadow) read the batch together.
        if (_shape.CodeSlot[column] >= 0 && (Volatile.Read(ref _textsMade) is not { } made || !Volatile.Read(ref made[column])))
        {
            lock (_sent)
            {
                _textsMade ??= new bool[_shape.Columns.Count];
                if (!_textsMade[column])
                {
                    var all = TextArrays();
                    var texts = all[column] ?? new string?[_stride];
                    var declared = _shape.Categories![column]!;
                    var codes = Codes(column);
                    for (var r = 0; r < RowCount; r++)
                    {
                        texts[r] = codes[r] >= 0 ? declared[codes[r]] : codes[r] == UndeclaredCode ? texts[r] : null;
                    }

                    all[column] = texts;
                    Volatile.Write(ref _textsMade[column], true);
                }
            }
        }

        return _texts?[column] is { } textsOf ? textsOf.AsSpan(0, RowCount) : default;
    }

    /// <summary>One value of a text column (null when missing), without making the column's texts.</summary>
    /// <param name="column">The column's index.</param>
    /// <param name="row">The row.</param>
    public string? TextAt(int column, int row)
    {
        if (!_sent[column])
        {
            return null;
        }

        if (_shape.CodeSlot[column] is var slot and >= 0)
        {
            var code = _codes![(slot * _stride) + row];
            return code >= 0 ? _shape.Categories![column]![code] : code == UndeclaredCode ? _texts?[column]?[row] : null;
        }

        return _texts?[column]?[row];
    }

    /// <summary>One value of a number column (NaN when missing or not sent).</summary>
    /// <param name="column">The column's index.</param>
    /// <param name="row">The row.</param>
    public float NumberAt(int column, int row) =>
        _sent[column] && _shape.NumberSlot[column] is var slot and >= 0 ? _numbers![(slot * _stride) + row] : float.NaN;

    /// <summary>A category column's codes by row; empty when it was not sent or has no codes.</summary>
    /// <param name="column">The column's index.</param>
    public ReadOnlySpan<int> Codes(int column) =>
        _sent[column] && _shape.CodeSlot[column] is var slot and >= 0 ? _codes.AsSpan(slot * _stride, RowCount) : default;

    /// <summary>Marks a number column sent and returns its values to write, every row missing (NaN) to begin with.</summary>
    /// <param name="column">The column's index.</param>
    /// <exception cref="InvalidOperationException">The column holds text.</exception>
    public Span<float> SendNumbers(int column)
    {
        var slot = _shape.NumberSlot[column];
        if (slot < 0)
        {
            throw new InvalidOperationException($"Column '{Columns[column].Name}' holds text, not numbers.");
        }

        if (_numbers is null)
        {
            _numbers = new float[_shape.NumberColumns * _stride];
            _numbers.AsSpan().Fill(float.NaN);
        }

        _sent[column] = true;
        return _numbers.AsSpan(slot * _stride, RowCount);
    }

    /// <summary>Marks a text column sent and returns its values to write, every row missing (null) to begin with; write null rather than empty texts.</summary>
    /// <param name="column">The column's index.</param>
    public Span<string?> SendTexts(int column)
    {
        _sent[column] = true;
        var texts = TextArrays();
        return (texts[column] ??= new string?[_stride]).AsSpan(0, RowCount);
    }

    /// <summary>
    /// Marks a category column sent as codes and returns them to write, every row
    /// <see cref="MissingCode"/> to begin with. A row coded <see cref="UndeclaredCode"/> needs its text
    /// written too (<see cref="SendTexts"/>); other rows need none.
    /// </summary>
    /// <param name="column">The column's index.</param>
    /// <exception cref="InvalidOperationException">The column has no declared categories.</exception>
    public Span<int> SendCodes(int column)
    {
        var slot = _shape.CodeSlot[column];
        if (slot < 0)
        {
            throw new InvalidOperationException($"Column '{Columns[column].Name}' takes codes only when it has declared categories.");
        }

        if (_codes is null)
        {
            _codes = new int[_shape.CodeColumns * _stride];
            _codes.AsSpan().Fill(MissingCode);
        }

        _sent[column] = true;
        return _codes.AsSpan(slot * _stride, RowCount);
    }

    /// <summary>Marks a column sent, every row missing, in the form its kind takes (numbers, codes or texts).</summary>
    /// <param name="column">The column's index.</param>
    public void Send(int column)
    {
        if (_shape.NumberSlot[column] >= 0)
        {
            SendNumbers(column);
        }
        else if (_shape.CodeSlot[column] >= 0)
        {
            SendCodes(column);
        }
        else
        {
            SendTexts(column);
        }
    }

    /// <summary>Writes one checked value (from <see cref="FeatureInput"/>) into a column, marking the column sent.</summary>
    /// <param name="column">The column's index.</param>
    /// <param name="row">The row.</param>
    /// <param name="value">The value.</param>
    public void Set(int column, int row, in FeatureValue value)
    {
        if (_shape.NumberSlot[column] >= 0)
        {
            SendNumbers(column)[row] = value.Number;
        }
        else if (_shape.CodeSlot[column] >= 0)
        {
            SendCodes(column)[row] = value.Code;
            if (value.Code == UndeclaredCode)
            {
                SendTexts(column)[row] = value.Text;
            }
            else if (_texts?[column] is { } texts)
            {
                texts[row] = null; // a row written again (a writer reuses the row of a refused record) keeps no stale text
            }
        }
        else
        {
            SendTexts(column)[row] = value.Text;
        }
    }

    /// <summary>All number columns' values (column at <see cref="NumberOffset"/>, then by row), for a writer that fills a block; null before a number column is sent.</summary>
    internal float[]? NumberStore => _numbers;

    /// <summary>All code columns' values (column at <see cref="CodeOffset"/>, then by row); null before a code column is sent.</summary>
    internal int[]? CodeStore => _codes;

    /// <summary>Where a number column's rows start in <see cref="NumberStore"/>, or -1 when it holds no numbers.</summary>
    internal int NumberOffset(int column) => _shape.NumberSlot[column] is var slot and >= 0 ? slot * _stride : -1;

    /// <summary>Where a code column's rows start in <see cref="CodeStore"/>, or -1 when it holds no codes.</summary>
    internal int CodeOffset(int column) => _shape.CodeSlot[column] is var slot and >= 0 ? slot * _stride : -1;

    /// <summary>Whether a column holds any texts (a text column, or a code column with an undeclared value or made texts).</summary>
    internal bool HasTexts(int column) => _texts?[column] is not null;

    /// <summary>Whether this batch has another's shape and room for rows (the arrays a writer can reuse): it is not a <see cref="Take"/> of fewer rows.</summary>
    internal bool IsFullBlockOf(FeatureBatch other) => ReferenceEquals(_shape, other._shape) && _stride == RowCount;

    /// <summary>Forgets the texts made from codes (<see cref="Texts"/>), for a block whose rows are all written again.</summary>
    internal void ForgetMadeTexts()
    {
        if (_textsMade is { } made)
        {
            Array.Clear(made);
        }
    }

    /// <summary>
    /// One row by feature name, for logs and shadows: every sent feature's value (a float, a string,
    /// or null when missing). This is a conversion, made on request; scoring never uses it.
    /// </summary>
    /// <param name="row">The row, from 0.</param>
    public Dictionary<string, object?> ToDictionary(int row)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(row);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(row, RowCount);
        var values = new Dictionary<string, object?>(Columns.Count, StringComparer.Ordinal);
        for (var c = 0; c < Columns.Count; c++)
        {
            if (!_sent[c])
            {
                continue;
            }

            if (_shape.NumberSlot[c] >= 0)
            {
                var number = NumberAt(c, row);
                values[Columns[c].Name] = float.IsNaN(number) ? null : number;
            }
            else
            {
                values[Columns[c].Name] = TextAt(c, row);
            }
        }

        return values;
    }

    /// <summary>
    /// An independent copy of this batch's rows, for something that keeps them after the request
    /// (the prediction log): a block writer may reuse this batch's arrays (<see cref="TextBatchWriter.Recycle"/>).
    /// It copies arrays and shares the (immutable) texts, so a single row costs a few small allocations.
    /// </summary>
    public FeatureBatch Copy()
    {
        var copy = new FeatureBatch(_shape, RowCount);
        if (_stride == RowCount)
        {
            // The usual case (not a Take of fewer rows): the stores have the copy's layout, so they are copied whole.
            Array.Copy(_sent, copy._sent, _sent.Length);
            copy._numbers = _numbers is null ? null : (float[])_numbers.Clone();
            copy._codes = _codes is null ? null : (int[])_codes.Clone();
            if (_texts is { } texts)
            {
                copy._texts = new string?[]?[texts.Length];
                for (var c = 0; c < texts.Length; c++)
                {
                    // Texts made from codes are left out: the copy makes them again from its own codes.
                    copy._texts[c] = texts[c] is { } column && (_shape.CodeSlot[c] < 0 || HasUndeclared(c)) ? (string?[])column.Clone() : null;
                }
            }

            return copy;
        }

        for (var c = 0; c < Columns.Count; c++)
        {
            if (_sent[c])
            {
                copy.Send(c);
                CopyColumn(c, copy, 0);
            }
        }

        return copy;
    }

    /// <summary>The first <paramref name="rowCount"/> rows of this batch, sharing its arrays (for a writer that filled fewer rows than it made room for).</summary>
    /// <param name="rowCount">How many rows to keep.</param>
    public FeatureBatch Take(int rowCount)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(rowCount);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(rowCount, RowCount);
        return rowCount == RowCount ? this : new FeatureBatch(this, rowCount);
    }

    /// <summary>Some rows of this batch, in the order given, as a new batch (a holdout, a sample).</summary>
    /// <param name="rows">Row indexes into this batch.</param>
    public FeatureBatch Select(IReadOnlyList<int> rows)
    {
        ArgumentNullException.ThrowIfNull(rows);
        var picked = new FeatureBatch(_shape, rows.Count);
        for (var c = 0; c < Columns.Count; c++)
        {
            if (!_sent[c])
            {
                continue;
            }

            if (_shape.NumberSlot[c] >= 0)
            {
                var from = Numbers(c);
                var into = picked.SendNumbers(c);
                for (var i = 0; i < into.Length; i++)
                {
                    into[i] = from[rows[i]];
                }
            }
            else if (_shape.CodeSlot[c] >= 0)
            {
                var from = Codes(c);
                var into = picked.SendCodes(c);
                for (var i = 0; i < into.Length; i++)
                {
                    into[i] = from[rows[i]];
                    if (into[i] == UndeclaredCode)
                    {
                        picked.SendTexts(c)[i] = _texts![c]![rows[i]];
                    }
                }
            }
            else
            {
                var into = picked.SendTexts(c);
                for (var i = 0; i < into.Length; i++)
                {
                    into[i] = TextAt(c, rows[i]);
                }
            }
        }

        return picked;
    }

    /// <summary>
    /// The rows of several batches of one schema, in order, as one batch (dynamic batching joins
    /// single rows; a file read in blocks is joined for training).
    /// </summary>
    /// <param name="batches">Batches with the same columns (the same schema).</param>
    /// <exception cref="ArgumentException">The batches have different columns.</exception>
    public static FeatureBatch Concat(IReadOnlyList<FeatureBatch> batches)
    {
        ArgumentNullException.ThrowIfNull(batches);
        if (batches.Count == 0)
        {
            throw new ArgumentException("There are no batches to join; pass at least one.", nameof(batches));
        }

        var first = batches[0];
        if (batches.Count == 1)
        {
            return first;
        }

        var total = 0;
        foreach (var batch in batches)
        {
            if (!ReferenceEquals(batch.Columns, first.Columns) && !batch.Columns.SequenceEqual(first.Columns))
            {
                throw new ArgumentException("The batches were checked against different input schemas; join only batches of one schema.", nameof(batches));
            }

            total += batch.RowCount;
        }

        var joined = new FeatureBatch(first._shape, total);
        for (var c = 0; c < first.Columns.Count; c++)
        {
            if (!batches.Any(b => b.IsSent(c)))
            {
                continue;
            }

            joined.Send(c);
            var at = 0;
            foreach (var batch in batches)
            {
                batch.CopyColumn(c, joined, at);
                at += batch.RowCount;
            }
        }

        return joined;
    }

    private bool HasUndeclared(int column) => Codes(column).Contains(UndeclaredCode);

    /// <summary>The per-column text arrays, made on first need (most batches hold numbers and codes only).</summary>
    private string?[]?[] TextArrays() => _texts ??= new string?[]?[_shape.Columns.Count];

    private void CopyColumn(int column, FeatureBatch into, int at)
    {
        if (!_sent[column])
        {
            return; // the joined column starts missing
        }

        if (_shape.NumberSlot[column] >= 0)
        {
            Numbers(column).CopyTo(into.SendNumbers(column)[at..]);
        }
        else if (_shape.CodeSlot[column] >= 0)
        {
            var codes = Codes(column);
            codes.CopyTo(into.SendCodes(column)[at..]);
            for (var r = 0; r < RowCount; r++)
            {
                if (codes[r] == UndeclaredCode)
                {
                    into.SendTexts(column)[at + r] = _texts![column]![r];
                }
            }
        }
        else
        {
            var texts = into.SendTexts(column);
            for (var r = 0; r < RowCount; r++)
            {
                texts[at + r] = TextAt(column, r);
            }
        }
    }
}

/// <summary>
/// What every batch of one schema shares: the columns, the lookup by name, the declared categories,
/// and where each column lives in the number and code arrays (-1 where it does not).
/// </summary>
internal sealed class BatchShape
{
    public BatchShape(IReadOnlyList<RowColumn> columns, Func<string, int> indexOf, IReadOnlyList<IReadOnlyList<string>?>? categories)
    {
        ArgumentNullException.ThrowIfNull(columns);
        ArgumentNullException.ThrowIfNull(indexOf);
        if (categories is not null && categories.Count != columns.Count)
        {
            throw new ArgumentException($"categories has {categories.Count} entries for {columns.Count} columns; give one per column (null where there are none).", nameof(categories));
        }

        Columns = columns;
        IndexOf = indexOf;
        Categories = categories;
        NumberSlot = new int[columns.Count];
        CodeSlot = new int[columns.Count];
        for (var c = 0; c < columns.Count; c++)
        {
            NumberSlot[c] = columns[c].Kind == RowColumnKind.Number ? NumberColumns++ : -1;
            CodeSlot[c] = columns[c].Kind == RowColumnKind.Text && categories?[c] is not null ? CodeColumns++ : -1;
        }
    }

    public IReadOnlyList<RowColumn> Columns { get; }

    public Func<string, int> IndexOf { get; }

    public IReadOnlyList<IReadOnlyList<string>?>? Categories { get; }

    public int[] NumberSlot { get; }

    public int[] CodeSlot { get; }

    public int NumberColumns { get; }

    public int CodeColumns { get; }
}
