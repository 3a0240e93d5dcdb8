using Microsoft.ML;
using Mlops.Declarations.FeatureSets;
using Mlops.Runtime.Features;
using Mlops.Runtime.Scoring;

namespace Mlops.Runtime.Tests.Scoring;

public sealed class FeatureRowTypeTests
{
    private static readonly FeatureSet s_features = new("shop", 1, null, null,
    [
        Feature("visits", FeatureType.Int),
        Feature("spend", FeatureType.Float, nullable: true),
        Feature("member", FeatureType.Bool),
        Feature("country code", FeatureType.Category, values: ["DE", "FR"]),
        Feature("note", FeatureType.Text),
        Feature("computed", FeatureType.Float) with { Source = FeatureSource.Code },
    ]);

    [Fact]
    public void For_FeatureSet_NumbersAndBoolsAreFloatsCategoriesAndTextAreStrings()
    {
        var type = FeatureRowType.For(s_features);

        Assert.Equal(
            [("visits", RowColumnKind.Number), ("spend", RowColumnKind.Number), ("member", RowColumnKind.Number), ("country code", RowColumnKind.Text), ("note", RowColumnKind.Text)],
            type.Columns.Select(c => (c.Name, c.Kind)));
        Assert.Equal([typeof(float), typeof(float), typeof(float), typeof(string), typeof(string)], type.Type.GetFields().Select(f => f.FieldType));
    }

    [Fact]
    public void For_SameColumnsTwice_ReturnsTheSameType()
    {
        Assert.Same(FeatureRowType.For(s_features).Type, FeatureRowType.For(s_features).Type);
    }

    [Fact]
    public void FromSchema_OfADataViewOverLabelledRows_IsTheFeatureRowType()
    {
        var rowType = FeatureRowType.For(s_features);
        var labelled = rowType.WithLabel(typeof(bool));
        var row = labelled.NewRow();
        labelled.SetLabel(row, true);
        var view = labelled.ToDataView(new MLContext(1), [row]);

        Assert.Same(rowType, FeatureRowType.FromSchema(view.Schema));
        Assert.True(labelled.Type.IsSubclassOf(rowType.Type));
    }

    [Fact]
    public void Clear_SetsNumbersToNaNAndTextToNull()
    {
        var type = FeatureRowType.For(s_features);
        var row = type.NewRow();
        type.SetNumber(row, 0, 3);
        type.SetText(row, 3, "DE");

        type.Clear(row);

        Assert.True(float.IsNaN(type.GetNumber(row, 0)));
        Assert.Null(type.GetText(row, 3));
    }

    [Fact]
    public void For_ReservedColumnName_Throws()
    {
        var error = Assert.Throws<ArgumentException>(() => FeatureRowType.For([new RowColumn(ModelColumns.Label, RowColumnKind.Number)]));

        Assert.Contains("reserved", error.Message, StringComparison.Ordinal);
    }

    internal static Feature Feature(string name, FeatureType type, bool nullable = false, string[]? values = null) =>
        new(name, type, nullable, null, null, values ?? [], FillStrategy.None, UnknownCategoryPolicy.Reject, FeatureSource.Data, null);
}
