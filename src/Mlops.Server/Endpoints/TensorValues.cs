using System.Text.Json;
using Mlops.Declarations.FeatureSets;
using Mlops.Runtime.Serving;

namespace Mlops.Server.Endpoints;

/// <summary>
/// An input tensor's values as a column for <see cref="InputSchema.CheckColumns(IEnumerable{KeyValuePair{string, FeatureColumn}}, List{string}, out string?)"/>:
/// a typed array (numbers, bools or strings, nulls kept) when every value has the JSON kind its
/// feature takes, so checking reads it without boxing; the JSON values themselves otherwise, so that
/// checking names each one that does not fit in the words a single row gets.
/// </summary>
internal static class TensorValues
{
    /// <summary>The column of a tensor's values for a feature of <paramref name="type"/> (null: not a feature).</summary>
    public static FeatureColumn Column(JsonElement[] data, FeatureType? type) => type switch
    {
        FeatureType.Float or FeatureType.Int => Numbers(data) ?? FeatureColumn.Of(data),
        FeatureType.Bool => Bools(data) ?? FeatureColumn.Of(data),
        FeatureType.Category or FeatureType.Text => Texts(data) ?? FeatureColumn.Of(data),
        _ => FeatureColumn.Of(data),
    };

    private static double?[]? Numbers(JsonElement[] data)
    {
        var values = new double?[data.Length];
        for (var i = 0; i < data.Length; i++)
        {
            switch (data[i].ValueKind)
            {
                case JsonValueKind.Null:
                    break;
                case JsonValueKind.Number when data[i].TryGetDouble(out var number):
                    values[i] = number;
                    break;
                default:
                    return null;
            }
        }

        return values;
    }

    private static bool[]? Bools(JsonElement[] data)
    {
        var values = new bool[data.Length];
        for (var i = 0; i < data.Length; i++)
        {
            switch (data[i].ValueKind)
            {
                case JsonValueKind.True:
                    values[i] = true;
                    break;
                case JsonValueKind.False:
                    break;
                default:
                    return null;
            }
        }

        return values;
    }

    private static string?[]? Texts(JsonElement[] data)
    {
        var values = new string?[data.Length];
        for (var i = 0; i < data.Length; i++)
        {
            switch (data[i].ValueKind)
            {
                case JsonValueKind.Null:
                    break;
                case JsonValueKind.String:
                    values[i] = data[i].GetString();
                    break;
                default:
                    return null;
            }
        }

        return values;
    }
}
