namespace Mlops.Runtime.Features;

/// <summary>
/// One feature's values for a batch checked by <see cref="InputSchema.CheckColumns(IEnumerable{KeyValuePair{string, FeatureColumn}}, List{string}, out string?)"/>:
/// an array with one value per row, or category values given as codes into a list of categories
/// (dictionary-encoded, the way Arrow, Parquet and ML.NET key columns hold them), which saves
/// looking each text up again. Any array converts to a column implicitly. A struct, so a request's
/// columns cost no allocation beyond their arrays; the default value holds no array.
/// </summary>
public readonly struct FeatureColumn : IEquatable<FeatureColumn>
{
    private FeatureColumn(Array values, IReadOnlyList<string?>? categories)
    {
        Values = values;
        Categories = categories;
    }

    /// <summary>The values, one per row; for a dictionary-encoded column, the codes (<see cref="int"/>s); null for the default value.</summary>
    public Array Values { get; }

    /// <summary>For a dictionary-encoded column, the categories its codes index (a null entry is a missing value); otherwise null.</summary>
    public IReadOnlyList<string?>? Categories { get; }

    /// <summary>How many rows (0 for the default value).</summary>
    public int Length => Values?.Length ?? 0;

    /// <summary>A column of plain values, one per row.</summary>
    /// <param name="values">The values: numbers, bools, strings, objects or <c>JsonElement</c>s.</param>
    public static implicit operator FeatureColumn(Array values) => Of(values);

    /// <summary>A column of plain values, one per row.</summary>
    /// <param name="values">The values: numbers, bools, strings, objects or <c>JsonElement</c>s.</param>
    public static FeatureColumn Of(Array values)
    {
        ArgumentNullException.ThrowIfNull(values);
        return new FeatureColumn(values, null);
    }

    /// <summary>A dictionary-encoded column: row <c>i</c> holds <c>categories[codes[i]]</c>.</summary>
    /// <param name="categories">The distinct values (null for missing).</param>
    /// <param name="codes">One index into <paramref name="categories"/> per row.</param>
    public static FeatureColumn Encoded(IReadOnlyList<string?> categories, int[] codes)
    {
        ArgumentNullException.ThrowIfNull(categories);
        ArgumentNullException.ThrowIfNull(codes);
        return new FeatureColumn(codes, categories);
    }

    /// <summary>Whether two columns hold the same arrays.</summary>
    public static bool operator ==(FeatureColumn left, FeatureColumn right) => left.Equals(right);

    /// <summary>Whether two columns hold different arrays.</summary>
    public static bool operator !=(FeatureColumn left, FeatureColumn right) => !left.Equals(right);

    /// <inheritdoc/>
    public bool Equals(FeatureColumn other) => ReferenceEquals(Values, other.Values) && ReferenceEquals(Categories, other.Categories);

    /// <inheritdoc/>
    public override bool Equals(object? obj) => obj is FeatureColumn other && Equals(other);

    /// <inheritdoc/>
    public override int GetHashCode() => HashCode.Combine(Values, Categories);
}
