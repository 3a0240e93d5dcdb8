namespace Mlops.Runtime.Data;

/// <summary>Where a CSV field starts: 1-based line and column.</summary>
/// <param name="Line">1-based line.</param>
/// <param name="Column">1-based column, in characters.</param>
public readonly record struct CsvPosition(int Line, int Column);

/// <summary>One record of a CSV file with the position of each field.</summary>
/// <param name="Line">The line the record starts on.</param>
/// <param name="Fields">The field values, unquoted.</param>
/// <param name="Positions">Where each field starts.</param>
public sealed record CsvRow(int Line, string[] Fields, CsvPosition[] Positions);
