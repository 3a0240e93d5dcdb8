namespace Mlops.Runtime.Features;

/// <summary>
/// Rows of feature values held by column: the one shape a row takes on its way to a model, from a
/// data file (validation, training, evaluation, batch scoring) or a request (serving), and a single
/// row is a batch of one. One <see cref="float"/> array per number column (NaN when missing) and one
/// <see cref="string"/> array per text column (null when missing or empty); a column that was not
/// sent has no array, so every row misses it. <see cref="InputSchema"/> writes it, applying the
/// rules of <see cref="FeatureInput"/>; <see cref="Scoring.IScorer.Score(FeatureBatch)"/> reads it.
/// </summary>
/// <remarks>
/// A category column is held as codes: the index of each value in the column's declared categories
/// (<see cref="Categories"/>), <see cref="MissingCode"/> or <see cref="UndeclaredCode"/> (whose text is
/// kept). A scorer with a term per category then reads a table instead of looking each text up
/// again; the texts of such a column are made from the codes only when something asks for them
/// (<see cref="Texts"/>). Logs and shadows that want a row by name ask for it explicitly
/// (<see cref="ToDictionary"/>).
/// </remarks>
public sealed class FeatureBatch
{
    /// <summary>The code of a missing (null) category.</summary>
    public const int MissingCode = -1;

    /// <summary>The code of a category that is not among the declared ones.</summary>
    public const int UndeclaredCode = -2;

    private readonly float[]?[] _numbers;
    private readonly string?[]?[] _texts;
    private readonly int[]?[] _codes;
    private readonly bool[] _textsMade;
    private readonly Func<string, int> _indexOf;

    /// <summary>A batch of <paramref name="rowCount"/> rows with nothing sent yet.</summary>
    /// <param name="columns">The columns, shared by every batch of one schema (scorers recognise them by reference).</param>
    /// <param name="indexOf">The index of a column by name, or -1.</param>
    /// <param name="rowCount">How many rows.</param>
    /// <param name="categories">Per column, the declared categories that codes index (null for columns without codes); shared by every batch of one schema.</param>
    public FeatureBatch(IReadOnlyList<RowColumn> columns, Func<string, int> indexOf, int rowCount, IReadOnlyList<IReadOnlyList<string>?>? categories = null)
    {
        ArgumentNullException.ThrowIfNull(columns);
        ArgumentNullException.ThrowIfNull(indexOf);
        ArgumentOutOfRangeException.ThrowIfNegative(rowCount);
        if (categories is not null && categories.Count != columns.Count)
        {
            throw new ArgumentException($"categories has {categories.Count} entries for {columns.Count} columns; give one per column (null where there are none).", nameof(categories));
        }

        Columns = columns;
        RowCount = rowCount;
        Categories = categories;
        _indexOf = indexOf;
        _numbers = new float[]?[columns.Count];
        _texts = new string?[]?[columns.Count];
        _codes = new int[]?[columns.Count];
        _textsMade = new bool[columns.Count];
    }

    private FeatureBatch(FeatureBatch shape, int rowCount, float[]?[] numbers, string?[]?[] texts, int[]?[] codes)
    {
        Columns = shape.Columns;
        Categories = shape.Categories;
        _indexOf = shape._indexOf;
        RowCount = rowCount;
        _numbers = numbers;
        _texts = texts;
        _codes = codes;
        _textsMade = new bool[Columns.Count];
    }

    /// <summary>The columns.</summary>
    public IReadOnlyList<RowColumn> Columns { get; }

    /// <summary>How many rows.</summary>
    public int RowCount { get; }

    /// <summary>Per column, the declared categories that <see cref="Codes"/> index, or null when the batch has no codes.</summary>
    public IReadOnlyList<IReadOnlyList<string>?>? Categories { get; }

    /// <summary>The index of a column by name, or -1.</summary>
    /// <param name="name">The feature's name.</param>
    public int IndexOf(string name) => _indexOf(name);

    /// <summary>Whether a column was sent.</summary>
    /// <param name="column">The column's index.</param>
    public bool IsSent(int column) => _numbers[column] is not null || _texts[column] is not null || _codes[column] is not null;

    /// <summary>A number column's values by row; empty when the column was not sent (every row misses it).</summary>
    /// <param name="column">The column's index.</param>
    public ReadOnlySpan<float> Numbers(int column) => _numbers[column] is { } numbers ? numbers.AsSpan(0, RowCount) : default;

    /// <summary>A text column's values by row; empty when the column was not sent (every row misses it).</summary>
    /// <param name="column">The column's index.</param>
    /// <remarks>A column held as codes gets its texts made here, once; call it after the batch is written.</remarks>
    public ReadOnlySpan<string?> Texts(int column)
    {
        // Made at most once even when threads (a primary and its shadow) read the batch together.
        if (_codes[column] is { } codes && !Volatile.Read(ref _textsMade[column]))
        {
            lock (_textsMade)
            {
                if (!_textsMade[column])
                {
                    var texts = _texts[column] ?? new string?[codes.Length];
                    var declared = Categories![column]!;
                    for (var r = 0; r < RowCount; r++)
                    {
                        texts[r] = codes[r] >= 0 ? declared[codes[r]] : texts[r];
                    }

                    _texts[column] = texts;
                    Volatile.Write(ref _textsMade[column], true);
                }
            }
        }

        return _texts[column] is { } made ? made.AsSpan(0, RowCount) : default;
    }

    /// <summary>One value of a text column (null when missing), without making the column's texts.</summary>
    /// <param name="column">The column's index.</param>
    /// <param name="row">The row.</param>
    public string? TextAt(int column, int row) =>
        _codes[column] is { } codes && codes[row] >= 0 ? Categories![column]![codes[row]]
        : _texts[column] is { } texts ? texts[row]
        : null;

    /// <summary>One value of a number column (NaN when missing or not sent).</summary>
    /// <param name="column">The column's index.</param>
    /// <param name="row">The row.</param>
    public float NumberAt(int column, int row) => _numbers[column] is { } numbers ? numbers[row] : float.NaN;

    /// <summary>A category column's codes by row; empty when it was not sent or has no codes.</summary>
    /// <param name="column">The column's index.</param>
    public ReadOnlySpan<int> Codes(int column) => _codes[column] is { } codes ? codes.AsSpan(0, RowCount) : default;

    /// <summary>Marks a number column sent and returns its values to write, every row missing (NaN) to begin with.</summary>
    /// <param name="column">The column's index.</param>
    public Span<float> SendNumbers(int column)
    {
        if (_numbers[column] is null)
        {
            _numbers[column] = new float[RowCount];
            _numbers[column].AsSpan().Fill(float.NaN);
        }

        return _numbers[column].AsSpan(0, RowCount);
    }

    /// <summary>Marks a text column sent and returns its values to write, every row missing (null) to begin with; write null rather than empty texts.</summary>
    /// <param name="column">The column's index.</param>
    public Span<string?> SendTexts(int column) => (_texts[column] ??= new string?[RowCount]).AsSpan(0, RowCount);

    /// <summary>
    /// Marks a category column sent as codes and returns them to write, every row
    /// <see cref="MissingCode"/> to begin with. A row coded <see cref="UndeclaredCode"/> needs its text
    /// written too (<see cref="SendTexts"/>); other rows need none.
    /// </summary>
    /// <param name="column">The column's index.</param>
    /// <exception cref="InvalidOperationException">The column has no declared categories.</exception>
    public Span<int> SendCodes(int column)
    {
        if (Categories?[column] is null)
        {
            throw new InvalidOperationException($"Column '{Columns[column].Name}' takes codes only when it has declared categories.");
        }

        if (_codes[column] is null)
        {
            _codes[column] = new int[RowCount];
            _codes[column].AsSpan().Fill(MissingCode);
        }

        return _codes[column].AsSpan(0, RowCount);
    }

    /// <summary>Marks a column sent, every row missing, in the form its kind takes (numbers, codes or texts).</summary>
    /// <param name="column">The column's index.</param>
    public void Send(int column)
    {
        if (Columns[column].Kind == RowColumnKind.Number)
        {
            SendNumbers(column);
        }
        else if (Categories?[column] is not null)
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
        if (Columns[column].Kind == RowColumnKind.Number)
        {
            SendNumbers(column)[row] = value.Number;
        }
        else if (Categories?[column] is not null)
        {
            SendCodes(column)[row] = value.Code;
            if (value.Code == UndeclaredCode)
            {
                SendTexts(column)[row] = value.Text;
            }
            else if (_texts[column] is { } texts)
            {
                texts[row] = null; // a row written again (a writer reuses the row of a refused record) keeps no stale text
            }
        }
        else
        {
            SendTexts(column)[row] = value.Text;
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
            if (_numbers[c] is { } numbers)
            {
                values[Columns[c].Name] = float.IsNaN(numbers[row]) ? null : numbers[row];
            }
            else if (IsSent(c))
            {
                values[Columns[c].Name] = TextAt(c, row);
            }
        }

        return values;
    }

    /// <summary>The first <paramref name="rowCount"/> rows of this batch, sharing its arrays (for a writer that filled fewer rows than it made room for).</summary>
    /// <param name="rowCount">How many rows to keep.</param>
    public FeatureBatch Take(int rowCount)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(rowCount);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(rowCount, RowCount);
        return rowCount == RowCount ? this : new FeatureBatch(this, rowCount, _numbers, _texts, _codes);
    }

    /// <summary>Some rows of this batch, in the order given, as a new batch (a holdout, a sample).</summary>
    /// <param name="rows">Row indexes into this batch.</param>
    public FeatureBatch Select(IReadOnlyList<int> rows)
    {
        ArgumentNullException.ThrowIfNull(rows);
        var picked = new FeatureBatch(Columns, _indexOf, rows.Count, Categories);
        for (var c = 0; c < Columns.Count; c++)
        {
            if (!IsSent(c))
            {
                continue;
            }

            if (_numbers[c] is { } numbers)
            {
                var into = picked.SendNumbers(c);
                for (var i = 0; i < into.Length; i++)
                {
                    into[i] = numbers[rows[i]];
                }
            }
            else if (_codes[c] is { } codes)
            {
                var into = picked.SendCodes(c);
                for (var i = 0; i < into.Length; i++)
                {
                    into[i] = codes[rows[i]];
                    if (into[i] == UndeclaredCode)
                    {
                        picked.SendTexts(c)[i] = _texts[c]![rows[i]];
                    }
                }
            }
            else
            {
                var into = picked.SendTexts(c);
                var texts = _texts[c]!;
                for (var i = 0; i < into.Length; i++)
                {
                    into[i] = texts[rows[i]];
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

        var joined = new FeatureBatch(first.Columns, first._indexOf, total, first.Categories);
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

    private void CopyColumn(int column, FeatureBatch into, int at)
    {
        if (!IsSent(column))
        {
            return; // the joined column starts missing
        }

        if (Columns[column].Kind == RowColumnKind.Number)
        {
            Numbers(column).CopyTo(into.SendNumbers(column)[at..]);
        }
        else if (into._codes[column] is not null && _codes[column] is { } codes)
        {
            codes.AsSpan(0, RowCount).CopyTo(into.SendCodes(column)[at..]);
            for (var r = 0; r < RowCount; r++)
            {
                if (codes[r] == UndeclaredCode)
                {
                    into.SendTexts(column)[at + r] = _texts[column]![r];
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
