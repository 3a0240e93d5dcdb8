using System.Collections.Frozen;

namespace Mlops.Runtime.Features;

/// <summary>
/// A feature's declared categories and the code (index) of each. Checking looks every category value
/// up, so the usual case is made cheap: categories are few and mostly differ in length, so a table by
/// length gives the one or two candidates to compare; long or many categories use a frozen dictionary.
/// </summary>
internal sealed class CategoryLookup
{
    private const int MaxTableLength = 64;
    private const int MaxCandidates = 4;

    private readonly int[]?[] _byLength;
    private readonly FrozenDictionary<string, int>? _dictionary;
    private readonly FrozenDictionary<string, int>.AlternateLookup<ReadOnlySpan<char>> _spans;

    /// <summary>Builds the lookup; a category declared twice keeps its first code.</summary>
    /// <param name="declared">The declared categories, in the declared order.</param>
    public CategoryLookup(IReadOnlyList<string> declared)
    {
        Declared = [.. declared];
        var codes = new Dictionary<string, int>(StringComparer.Ordinal);
        for (var i = 0; i < Declared.Length; i++)
        {
            codes.TryAdd(Declared[i], i);
        }

        var byLength = codes.GroupBy(c => c.Key.Length).ToList();
        if (byLength.Any(g => g.Key >= MaxTableLength || g.Count() > MaxCandidates))
        {
            _byLength = [];
            _dictionary = codes.ToFrozenDictionary(StringComparer.Ordinal);
            _spans = _dictionary.GetAlternateLookup<ReadOnlySpan<char>>();
            return;
        }

        _byLength = new int[]?[byLength.Count == 0 ? 0 : byLength.Max(g => g.Key) + 1];
        foreach (var group in byLength)
        {
            _byLength[group.Key] = [.. group.Select(c => c.Value).Order()];
        }
    }

    /// <summary>The declared categories, in the declared order: code <c>k</c> is <c>Declared[k]</c>.</summary>
    public string[] Declared { get; }

    /// <summary>The code of a declared category, or -1 when the text is not one.</summary>
    /// <param name="text">The value.</param>
    public int CodeOf(string text) => CodeOf(text.AsSpan());

    /// <summary>The code of a declared category, or -1 when the text is not one; the text may be a span of a reader's buffer.</summary>
    /// <param name="text">The value.</param>
    public int CodeOf(ReadOnlySpan<char> text)
    {
        if (_dictionary is not null)
        {
            return _spans.TryGetValue(text, out var code) ? code : -1;
        }

        if ((uint)text.Length < (uint)_byLength.Length && _byLength[text.Length] is { } candidates)
        {
            foreach (var candidate in candidates)
            {
                if (text.SequenceEqual(Declared[candidate]))
                {
                    return candidate;
                }
            }
        }

        return -1;
    }
}
