namespace Mlops.Runtime.Scoring;

/// <summary>
/// Many rows of feature values held by column, the shape batch scoring wants (and the shape of the
/// Open Inference Protocol's tensors): one <see cref="float"/> array per number column (NaN when
/// missing) and one <see cref="string"/> array per text column (null when missing or empty). A
/// column that was not sent has no array: every row misses it. Request checking writes it
/// (<c>InputSchema.CheckColumns</c>); <see cref="IScorer.ScoreBatch(FeatureBatch)"/> reads it.
/// </summary>
/// <remarks>
/// A category column may be held as codes instead: the index of each value in the column's declared
/// categories (<see cref="Categories"/>), <see cref="MissingCode"/> or <see cref="UndeclaredCode"/>
/// (whose text is kept). Checking works the codes out anyway, and a scorer that has a term per
/// category then reads a table instead of looking each text up again; the texts of such a column are
/// made from the codes only when something asks for them (<see cref="Texts"/>).
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

    /// <summary>The columns.</summary>
    public IReadOnlyList<RowColumn> Columns { get; }

    /// <summary>How many rows.</summary>
    public int RowCount { get; }

    /// <summary>Per column, the declared categories that <see cref="Codes"/> index, or null when the batch has no codes.</summary>
    public IReadOnlyList<IReadOnlyList<string>?>? Categories { get; }

    /// <summary>Whether a column was sent.</summary>
    /// <param name="column">The column's index.</param>
    public bool IsSent(int column) => _numbers[column] is not null || _texts[column] is not null || _codes[column] is not null;

    /// <summary>A number column's values by row; empty when the column was not sent (every row misses it).</summary>
    /// <param name="column">The column's index.</param>
    public ReadOnlySpan<float> Numbers(int column) => _numbers[column];

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
                    var texts = _texts[column] ?? new string?[RowCount];
                    var declared = Categories![column]!;
                    for (var r = 0; r < texts.Length; r++)
                    {
                        texts[r] = codes[r] >= 0 ? declared[codes[r]] : texts[r];
                    }

                    _texts[column] = texts;
                    Volatile.Write(ref _textsMade[column], true);
                }
            }
        }

        return _texts[column];
    }

    /// <summary>One value of a text column (null when missing), without making the column's texts.</summary>
    /// <param name="column">The column's index.</param>
    /// <param name="row">The row.</param>
    public string? TextAt(int column, int row) =>
        _codes[column] is { } codes && codes[row] >= 0 ? Categories![column]![codes[row]]
        : _texts[column] is { } texts ? texts[row]
        : null;

    /// <summary>A category column's codes by row; empty when it was not sent or has no codes.</summary>
    /// <param name="column">The column's index.</param>
    public ReadOnlySpan<int> Codes(int column) => _codes[column];

    /// <summary>Marks a number column sent and returns its values to write, every row missing (NaN) to begin with.</summary>
    /// <param name="column">The column's index.</param>
    public Span<float> SendNumbers(int column)
    {
        if (_numbers[column] is null)
        {
            _numbers[column] = new float[RowCount];
            _numbers[column].AsSpan().Fill(float.NaN);
        }

        return _numbers[column];
    }

    /// <summary>Marks a text column sent and returns its values to write, every row missing (null) to begin with; write null rather than empty texts.</summary>
    /// <param name="column">The column's index.</param>
    public Span<string?> SendTexts(int column) => _texts[column] ??= new string?[RowCount];

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

        return _codes[column];
    }

    /// <summary>Every row of the batch as a <see cref="FeatureRow"/>, for scorers that take rows.</summary>
    public FeatureRow[] Rows()
    {
        var rows = new FeatureRow[RowCount];
        for (var i = 0; i < rows.Length; i++)
        {
            rows[i] = Row(i);
        }

        return rows;
    }

    /// <summary>One row of the batch as a <see cref="FeatureRow"/> (for logs, shadows and scorers without a batch path).</summary>
    /// <param name="index">The row, from 0.</param>
    public FeatureRow Row(int index)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(index);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(index, RowCount);
        var row = new FeatureRow(Columns, _indexOf);
        for (var c = 0; c < Columns.Count; c++)
        {
            if (_numbers[c] is { } numbers)
            {
                row.SetNumber(c, numbers[index]);
            }
            else if (IsSent(c))
            {
                row.SetText(c, TextAt(c, index));
            }
        }

        return row;
    }
}
