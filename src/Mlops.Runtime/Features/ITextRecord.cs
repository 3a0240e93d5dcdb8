namespace Mlops.Runtime.Features;

/// <summary>
/// One record of text fields (a row of a data file) whose fields are read as spans, so a reader
/// need not make a string per field: <see cref="TextBatchWriter"/> reads values straight from it, and a
/// string is made only where a value needs one (a text feature, an undeclared category).
/// </summary>
public interface ITextRecord
{
    /// <summary>How many fields the record has.</summary>
    int FieldCount { get; }

    /// <summary>A field, unquoted.</summary>
    /// <param name="field">The field's index, from 0.</param>
    ReadOnlySpan<char> this[int field] { get; }
}
