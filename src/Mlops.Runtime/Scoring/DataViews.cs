using System.Reflection;
using Microsoft.ML;
using Microsoft.ML.Data;

namespace Mlops.Runtime.Scoring;

/// <summary>Calls ML.NET's generic <c>LoadFromEnumerable&lt;T&gt;</c> for a row class known only at run time.</summary>
internal static class DataViews
{
    private static readonly MethodInfo s_loadFromEnumerable = typeof(DataOperationsCatalog).GetMethods()
        .Single(m => m.Name == nameof(DataOperationsCatalog.LoadFromEnumerable)
            && m.GetParameters() is [_, { ParameterType: var second }] && second == typeof(SchemaDefinition));

    private static readonly MethodInfo s_cast = typeof(Enumerable).GetMethod(nameof(Enumerable.Cast))!;

    public static IDataView Load(MLContext context, Type rowType, IEnumerable<object> rows)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(rows);
        var typed = s_cast.MakeGenericMethod(rowType).Invoke(null, [rows]);
        return (IDataView)s_loadFromEnumerable.MakeGenericMethod(rowType).Invoke(context.Data, [typed, null])!;
    }
}
