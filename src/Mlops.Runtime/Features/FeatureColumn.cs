namespace Mlops.Runtime.Features;

/// <summary>
/// One feature's values for a batch checked by <see cref="InputSchema.CheckColumns(IEnumerable{KeyValuePair{string, FeatureColumn}}, List{string}, out string?)"/>:
/// an array with one value per row, or category values given as codes into a list of categories
/// (dictionary-encoded, the way Arrow, Parquet and ML.NET key columns hold them), which saves
/// looking each text up again. Any array converts to a column implicitly.
/// </summary>
public sealed class FeatureColumn
{
    private FeatureColumn(Array values, IReadOnlyList<string?>? categories)
    {
        Values = values;
        Categories = categories;
    }

    /// <summary>The values, one per row; for a dictionary-encoded column, the codes (<see cref="int"/>s).</summary>
    public Array Values { get; }

    /// <summary>For a dictionary-encoded column, the categories its codes index (a null entry is a missing value); otherwise null.</summary>
    public IReadOnlyList<string?>? Categories { get; }

    /// <summary>How many rows.</summary>
    public int Length => Values.Length;

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
}
