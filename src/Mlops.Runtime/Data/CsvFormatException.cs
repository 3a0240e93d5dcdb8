namespace Mlops.Runtime.Data;

/// <summary>The file is not well-formed CSV at <see cref="Position"/>.</summary>
public sealed class CsvFormatException(CsvPosition position, string reason)
    : Exception($"line {position.Line}, column {position.Column}: {reason}")
{
    /// <summary>Where the problem is.</summary>
    public CsvPosition Position { get; } = position;

    /// <summary>What is wrong, without the position.</summary>
    public string Reason { get; } = reason;
}
