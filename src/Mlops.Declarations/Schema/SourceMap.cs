using System.Collections.Generic;
using Mlops.Declarations.Diagnostics;

namespace Mlops.Declarations.Schema;

/// <summary>
/// Where each field of a declaration was written, keyed by field path (<c>data.digest</c>,
/// <c>features[2].name</c>), so later checks (cross-references, data, promotion) can point at the
/// exact token. The records themselves carry values only. A list index is the record's: when the
/// reader drops an item (a duplicate feature or pin, an entry that is not valid), the items after it
/// are renumbered, so <c>features[i]</c> is always <c>FeatureSet.Features[i]</c>.
/// </summary>
public sealed class SourceMap
{
    private readonly Dictionary<string, SourceLocation> _locations;

    internal SourceMap(string path, Dictionary<string, SourceLocation> locations)
    {
        Path = path;
        _locations = locations;
    }

    /// <summary>The file, relative to the repository root.</summary>
    public string Path { get; }

    /// <summary>
    /// The location of a field's value; if that field was not written, of its nearest written parent;
    /// at worst the start of the file.
    /// </summary>
    public SourceLocation this[string fieldPath]
    {
        get
        {
            var path = fieldPath;
            while (path.Length > 0)
            {
                if (_locations.TryGetValue(path, out var location))
                {
                    return location;
                }

                var cut = System.Math.Max(path.LastIndexOf('.'), path.LastIndexOf('['));
                path = cut > 0 ? path.Substring(0, cut) : string.Empty;
            }

            return SourceLocation.StartOf(Path);
        }
    }

    /// <summary>Whether the field was written in the file.</summary>
    public bool Contains(string fieldPath) => _locations.ContainsKey(fieldPath);
}
