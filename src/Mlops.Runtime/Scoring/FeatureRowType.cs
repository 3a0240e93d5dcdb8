using System.Collections.Concurrent;
using System.Linq.Expressions;
using System.Reflection;
using System.Reflection.Emit;
using System.Text;
using Microsoft.ML;
using Microsoft.ML.Data;
using Mlops.Declarations.FeatureSets;

using Mlops.Runtime.Features;

namespace Mlops.Runtime.Scoring;

/// <summary>
/// The CLR class of one feature row, built at run time from a feature set: one public field per
/// feature, named by <see cref="ColumnNameAttribute"/> after the feature (so any header works), of type
/// <see cref="float"/> for float, int and bool features and <see cref="string"/> for category and text
/// features. Training builds its <see cref="IDataView"/> from these rows and serving feeds the same
/// class to a <see cref="PredictionEngine{TSrc,TDst}"/>: the input schema is one definition, not two.
/// Types are cached by their columns, so asking twice for the same columns returns the same type.
/// </summary>
public sealed class FeatureRowType
{
    private static readonly ConcurrentDictionary<string, FeatureRowType> s_cache = new(StringComparer.Ordinal);
    private static readonly Lock s_emitLock = new();
    private static readonly ModuleBuilder s_module = AssemblyBuilder
        .DefineDynamicAssembly(new AssemblyName("Mlops.Runtime.Rows"), AssemblyBuilderAccess.Run)
        .DefineDynamicModule("Mlops.Runtime.Rows");

    private static readonly ConstructorInfo s_columnName = typeof(ColumnNameAttribute).GetConstructor([typeof(string)])!;
    private static int s_typeCounter;

    private readonly Dictionary<string, int> _indexes;
    private readonly Action<object, float>[] _numberSetters;
    private readonly Action<object, string?>[] _textSetters;
    private readonly Func<object, float>[] _numberGetters;
    private readonly Func<object, string?>[] _textGetters;
    private readonly Func<object> _create;
    private readonly ConcurrentDictionary<Type, LabelledRowType> _labelled = new();

    private FeatureRowType(Type type, IReadOnlyList<RowColumn> columns)
    {
        Type = type;
        Columns = columns;
        _indexes = columns.Select((c, i) => (c.Name, i)).ToDictionary(p => p.Name, p => p.i, StringComparer.Ordinal);
        var fields = columns.Select((_, i) => type.GetField(FieldName(i))!).ToArray();
        _numberSetters = fields.Select(f => f.FieldType == typeof(float) ? Setter<float>(type, f) : null!).ToArray();
        _textSetters = fields.Select(f => f.FieldType == typeof(string) ? Setter<string?>(type, f) : null!).ToArray();
        _numberGetters = fields.Select(f => f.FieldType == typeof(float) ? Getter<float>(type, f) : null!).ToArray();
        _textGetters = fields.Select(f => f.FieldType == typeof(string) ? Getter<string?>(type, f) : null!).ToArray();
        _create = Expression.Lambda<Func<object>>(Expression.New(type)).Compile();
    }

    /// <summary>The generated class: public, sealed-free (training derives a labelled class from it), with a parameterless constructor.</summary>
    public Type Type { get; }

    /// <summary>The columns in field order: the feature set's data features in declared order.</summary>
    public IReadOnlyList<RowColumn> Columns { get; }

    /// <summary>
    /// The row type of a feature set: every feature whose source is data, in declared order.
    /// Features computed by code are not part of the row.
    /// </summary>
    public static FeatureRowType For(FeatureSet featureSet)
    {
        ArgumentNullException.ThrowIfNull(featureSet);
        return For(featureSet.Features.Where(f => f.Source == FeatureSource.Data).Select(RowColumn.For));
    }

    /// <summary>The row type with these columns; the same columns always give the same type.</summary>
    /// <exception cref="ArgumentException">Two columns share a name, or a name is reserved (<see cref="ModelColumns"/>).</exception>
    public static FeatureRowType For(IEnumerable<RowColumn> columns)
    {
        ArgumentNullException.ThrowIfNull(columns);
        var list = columns.ToList();
        var names = new HashSet<string>(StringComparer.Ordinal);
        foreach (var column in list)
        {
            if (!names.Add(column.Name))
            {
                throw new ArgumentException($"Column '{column.Name}' appears twice; every feature needs its own name.", nameof(columns));
            }

            if (column.Name is ModelColumns.Label or ModelColumns.Features)
            {
                throw new ArgumentException($"Column name '{column.Name}' is reserved by the framework; rename the feature.", nameof(columns));
            }
        }

        var key = Signature(list);
        return s_cache.GetOrAdd(key, _ => new FeatureRowType(Emit(list, parent: null, extra: null), list));
    }

    /// <summary>
    /// The row type a saved model expects: the columns of its input schema, less the label. A model
    /// trained on <see cref="For(FeatureSet)"/> rows gives back the same type.
    /// </summary>
    /// <exception cref="NotSupportedException">An input column is neither a float nor text.</exception>
    public static FeatureRowType FromSchema(DataViewSchema inputSchema)
    {
        ArgumentNullException.ThrowIfNull(inputSchema);
        var columns = new List<RowColumn>();
        foreach (var column in inputSchema.Where(c => !c.IsHidden && c.Name != ModelColumns.Label))
        {
            var kind = column.Type == NumberDataViewType.Single ? RowColumnKind.Number
                : column.Type == TextDataViewType.Instance ? RowColumnKind.Text
                : throw new NotSupportedException($"Model input column '{column.Name}' has type {column.Type}; models of this framework take float and text columns only.");
            columns.Add(new RowColumn(column.Name, kind));
        }

        return For(columns);
    }

    /// <summary>The index of a column, or -1.</summary>
    public int IndexOf(string name) => _indexes.TryGetValue(name, out var index) ? index : -1;

    /// <summary>A new row with every field at its CLR default (0 and null); see <see cref="Clear"/>.</summary>
    public object NewRow() => _create();

    /// <summary>Sets every field to missing: NaN for numbers, null for text.</summary>
    public void Clear(object row)
    {
        for (var i = 0; i < Columns.Count; i++)
        {
            if (Columns[i].Kind == RowColumnKind.Number)
            {
                _numberSetters[i](row, float.NaN);
            }
            else
            {
                _textSetters[i](row, null);
            }
        }
    }

    /// <summary>Sets a number column.</summary>
    public void SetNumber(object row, int column, float value) => _numberSetters[column](row, value);

    /// <summary>Sets a text column.</summary>
    public void SetText(object row, int column, string? value) => _textSetters[column](row, value);

    /// <summary>Reads a number column.</summary>
    public float GetNumber(object row, int column) => _numberGetters[column](row);

    /// <summary>Reads a text column.</summary>
    public string? GetText(object row, int column) => _textGetters[column](row);

    /// <summary>
    /// The training row: this class plus a label field named <see cref="ModelColumns.Label"/> of
    /// <paramref name="labelType"/> (<see cref="bool"/>, <see cref="float"/> or <see cref="string"/>).
    /// It derives from <see cref="Type"/>, so its features are the very fields serving fills.
    /// </summary>
    public LabelledRowType WithLabel(Type labelType)
    {
        ArgumentNullException.ThrowIfNull(labelType);
        if (labelType != typeof(bool) && labelType != typeof(float) && labelType != typeof(string))
        {
            throw new ArgumentException($"A label is bool, float or string, not {labelType.Name}.", nameof(labelType));
        }

        return _labelled.GetOrAdd(labelType, t => new LabelledRowType(this, Emit([], Type, t), t));
    }

    /// <summary>An ML.NET view over feature rows without a label, as serving sees them (no copy; the rows must not change while the view is used).</summary>
    public IDataView ToDataView(MLContext context, IEnumerable<object> rows) => DataViews.Load(context, Type, rows);

    internal static string FieldName(int index) => "F" + index.ToString(System.Globalization.CultureInfo.InvariantCulture);

    private static string Signature(IReadOnlyList<RowColumn> columns)
    {
        var builder = new StringBuilder();
        foreach (var column in columns)
        {
            builder.Append(column.Kind == RowColumnKind.Number ? 'n' : 't').Append(column.Name.Length).Append(':').Append(column.Name);
        }

        return builder.ToString();
    }

    private static Type Emit(IReadOnlyList<RowColumn> columns, Type? parent, Type? extra)
    {
        lock (s_emitLock)
        {
            var number = Interlocked.Increment(ref s_typeCounter);
            var builder = s_module.DefineType(
                (parent is null ? "FeatureRow" : "LabelledRow") + number.ToString(System.Globalization.CultureInfo.InvariantCulture),
                TypeAttributes.Public | TypeAttributes.Class | (parent is null ? 0 : TypeAttributes.Sealed),
                parent ?? typeof(object));
            for (var i = 0; i < columns.Count; i++)
            {
                var field = builder.DefineField(FieldName(i), columns[i].ClrType, FieldAttributes.Public);
                field.SetCustomAttribute(new CustomAttributeBuilder(s_columnName, [columns[i].Name]));
            }

            if (extra is not null)
            {
                var label = builder.DefineField(LabelledRowType.LabelFieldName, extra, FieldAttributes.Public);
                label.SetCustomAttribute(new CustomAttributeBuilder(s_columnName, [ModelColumns.Label]));
            }

            builder.DefineDefaultConstructor(MethodAttributes.Public);
            return builder.CreateType();
        }
    }

    internal static Action<object, T> Setter<T>(Type type, FieldInfo field)
    {
        var row = Expression.Parameter(typeof(object), "row");
        var value = Expression.Parameter(typeof(T), "value");
        return Expression.Lambda<Action<object, T>>(
            Expression.Assign(Expression.Field(Expression.Convert(row, type), field), value), row, value).Compile();
    }

    private static Func<object, T> Getter<T>(Type type, FieldInfo field)
    {
        var row = Expression.Parameter(typeof(object), "row");
        return Expression.Lambda<Func<object, T>>(Expression.Field(Expression.Convert(row, type), field), row).Compile();
    }
}
