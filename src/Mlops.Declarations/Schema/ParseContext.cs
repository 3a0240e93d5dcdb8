using System.Collections.Generic;
using Mlops.Declarations.Diagnostics;

namespace Mlops.Declarations.Schema;

/// <summary>What one file's readers share: its path, its findings, and where each field was written.</summary>
internal sealed class ParseContext(string path, ICollection<Diagnostic> diagnostics, ISet<PropertySchema>? coverage = null)
{
    public string Path { get; } = path;

    public ICollection<Diagnostic> Diagnostics { get; } = diagnostics;

    public Dictionary<string, SourceLocation> Locations { get; } = new(System.StringComparer.Ordinal);

    /// <summary>When set, every schema property a reader asks for is added; tests use it to prove readers and schemas agree.</summary>
    public ISet<PropertySchema>? Coverage { get; } = coverage;

    public void Report(DiagnosticDescriptor descriptor, SourceLocation location, string message) =>
        Diagnostics.Add(descriptor.At(location, message));

    /// <summary>
    /// Re-keys the locations of the list at <paramref name="listPath"/> so that <c>list[j]</c> is the
    /// j-th item the record kept: a reader that drops an item (a duplicate, an invalid entry) would
    /// otherwise leave every later item's location one index too early.
    /// </summary>
    public void Renumber(string listPath, IReadOnlyList<ObjectReader> kept)
    {
        var prefix = listPath + "[";
        var items = new List<KeyValuePair<string, SourceLocation>>();
        foreach (var entry in Locations)
        {
            if (entry.Key.StartsWith(prefix, System.StringComparison.Ordinal))
            {
                items.Add(entry);
            }
        }

        foreach (var entry in items)
        {
            Locations.Remove(entry.Key);
        }

        for (var j = 0; j < kept.Count; j++)
        {
            var old = kept[j].FieldPath;
            var renamed = $"{listPath}[{j}]";
            foreach (var entry in items)
            {
                if (entry.Key == old)
                {
                    Locations[renamed] = entry.Value;
                }
                else if (entry.Key.Length > old.Length && entry.Key.StartsWith(old, System.StringComparison.Ordinal) && entry.Key[old.Length] is '.' or '[')
                {
                    Locations[renamed + entry.Key.Substring(old.Length)] = entry.Value;
                }
            }
        }
    }

    public SourceMap ToSourceMap() => new(Path, Locations);
}
