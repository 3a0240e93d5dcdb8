using System.Reflection;
using Microsoft.ML;

namespace Mlops.Runtime.Scoring;

/// <summary>
/// A training row: the feature row class of <see cref="Features"/> plus a label field
/// (<see cref="ModelColumns.Label"/>). Built by <see cref="FeatureRowType.WithLabel"/>.
/// </summary>
public sealed class LabelledRowType
{
    internal const string LabelFieldName = "Label";

    private readonly Func<object> _create;
    private readonly Delegate _setLabel;

    internal LabelledRowType(FeatureRowType features, Type type, Type labelType)
    {
        Features = features;
        Type = type;
        LabelType = labelType;
        _create = System.Linq.Expressions.Expression.Lambda<Func<object>>(System.Linq.Expressions.Expression.New(type)).Compile();
        var field = type.GetField(LabelFieldName)!;
        _setLabel = typeof(FeatureRowType).GetMethod(nameof(FeatureRowType.Setter), BindingFlags.NonPublic | BindingFlags.Static)!
            .MakeGenericMethod(labelType).Invoke(null, [type, field]) as Delegate ?? throw new InvalidOperationException("No label setter.");
    }

    /// <summary>The feature columns.</summary>
    public FeatureRowType Features { get; }

    /// <summary>The generated class, derived from <see cref="FeatureRowType.Type"/>.</summary>
    public Type Type { get; }

    /// <summary>The label's CLR type: <see cref="bool"/>, <see cref="float"/> or <see cref="string"/>.</summary>
    public Type LabelType { get; }

    /// <summary>A new row with default values.</summary>
    public object NewRow() => _create();

    /// <summary>Sets the label; <typeparamref name="T"/> must be <see cref="LabelType"/>.</summary>
    public void SetLabel<T>(object row, T value) => ((Action<object, T>)_setLabel)(row, value);

    /// <summary>An ML.NET view over rows of this type (no copy; the list must not change while the view is used).</summary>
    public IDataView ToDataView(MLContext context, IEnumerable<object> rows) => DataViews.Load(context, Type, rows);
}
