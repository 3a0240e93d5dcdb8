using System.Text;
using Mlops.Declarations.FeatureSets;
using Mlops.Runtime.Bundles;
using Mlops.Runtime.Data;
using Mlops.Runtime.Features;

namespace Mlops.Runtime.Monitoring.Drift;

/// <summary>
/// The reference drift is measured against, kept in every bundle: a seeded sample of at most
/// <see cref="MaximumRows"/> training rows, their feature columns as CSV (<see cref="EntryName"/>),
/// read back with the same CSV reader and value rules as any drift file (docs/monitoring.md,
/// "The reference sample"). The rows and their order depend only on the data and the seed, so a
/// bundle stays byte-identical across runs.
/// </summary>
public static class ReferenceSample
{
    /// <summary>The bundle entry.</summary>
    public const string EntryName = "reference-sample.csv";

    /// <summary>The most rows a sample keeps.</summary>
    public const int MaximumRows = 10_000;

    /// <summary>
    /// Which rows to keep: all when there are at most <paramref name="size"/>, else
    /// <paramref name="size"/> of them drawn without replacement by a partial Fisher-Yates shuffle
    /// driven by SplitMix64 from <paramref name="seed"/> (a generator fixed here, not the runtime's, so
    /// the choice never changes with the .NET version); returned in ascending order.
    /// </summary>
    /// <param name="rows">How many rows there are.</param>
    /// <param name="seed">The seed (the model's split seed).</param>
    /// <param name="size">The most rows to keep.</param>
    public static int[] Choose(int rows, int seed, int size = MaximumRows)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(rows);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(size);
        var all = Enumerable.Range(0, rows).ToArray();
        if (rows <= size)
        {
            return all;
        }

        var state = unchecked((ulong)seed * 0x9E37_79B9_7F4A_7C15UL);
        for (var i = 0; i < size; i++)
        {
            var pick = i + (int)(SplitMix64.Next(ref state) % (ulong)(rows - i));
            (all[i], all[pick]) = (all[pick], all[i]);
        }

        var chosen = all[..size];
        Array.Sort(chosen);
        return chosen;
    }

    /// <summary>Writes the chosen rows' feature columns as CSV (UTF-8, LF): a header of the feature names, numbers in their shortest float text, bools as true/false, missing values empty; a feature marked <c>sensitive</c> is written empty.</summary>
    /// <param name="rows">The rows, by column (the training data's batch).</param>
    /// <param name="chosen">The rows to write, in order.</param>
    /// <param name="inputs">The features, in the bundle's order.</param>
    public static byte[] Write(FeatureBatch rows, IReadOnlyList<int> chosen, IReadOnlyList<BundleInput> inputs)
    {
        ArgumentNullException.ThrowIfNull(rows);
        ArgumentNullException.ThrowIfNull(chosen);
        ArgumentNullException.ThrowIfNull(inputs);
        var columns = inputs.Select(i => rows.IndexOf(i.Name)).ToArray();
        using var text = new StringWriter(System.Globalization.CultureInfo.InvariantCulture) { NewLine = "\n" };
        var csv = new CsvWriter(text);
        csv.Record(inputs.Select(i => i.Name));
        foreach (var row in chosen)
        {
            for (var i = 0; i < inputs.Count; i++)
            {
                // A sensitive feature's values stay out of the bundle (personal data, docs/monitoring.md): its column is empty.
                var column = inputs[i].Sensitive is null or FeatureSensitivity.None ? columns[i] : -1;
                switch (inputs[i].Type)
                {
                    case FeatureType.Float or FeatureType.Int:
                        csv.Field(column < 0 ? float.NaN : rows.NumberAt(column, row));
                        break;
                    case FeatureType.Bool:
                        var flag = column < 0 ? float.NaN : rows.NumberAt(column, row);
                        csv.Field(float.IsNaN(flag) ? null : flag == 1f ? "true" : "false");
                        break;
                    default:
                        csv.Field(column < 0 ? null : rows.TextAt(column, row));
                        break;
                }
            }

            csv.EndRecord();
        }

        return new UTF8Encoding(false).GetBytes(text.ToString());
    }

    /// <summary>Whether a bundle holds a reference sample (bundles packaged before it was added do not).</summary>
    /// <param name="bundle">The bundle.</param>
    public static bool IsIn(Bundle bundle)
    {
        ArgumentNullException.ThrowIfNull(bundle);
        return bundle.EntryNames.Contains(EntryName, StringComparer.Ordinal);
    }

    /// <summary>Reads a bundle's reference sample as drift summaries, one per input in the manifest's order.</summary>
    /// <param name="bundle">The bundle.</param>
    /// <param name="cancellationToken">Stops the reading.</param>
    /// <exception cref="DriftInputException">The bundle has no sample (packaged before samples were kept) or it cannot be read.</exception>
    public static async Task<IReadOnlyList<ColumnValues>> ReadAsync(Bundle bundle, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(bundle);
        if (!IsIn(bundle))
        {
            throw new DriftInputException($"the bundle of '{bundle.Manifest.Model}' has no {EntryName} (it was packaged before bundles kept a reference sample). Package the model again, or compare with --reference FILE.csv.");
        }

        using var text = new StreamReader(new MemoryStream(bundle.Entry(EntryName), writable: false), Encoding.UTF8);
        return await DriftCsv.ReadAsync(text, $"{bundle.Manifest.Model}:{EntryName}", DriftInputs.For(bundle.Manifest.Inputs), cancellationToken).ConfigureAwait(false);
    }
}
