using System.Text;
using Mlops.Declarations.FeatureSets;
using Mlops.Runtime.Bundles;
using Mlops.Runtime.Features;
using Mlops.Runtime.Monitoring.Drift;

namespace Mlops.Runtime.Tests.Monitoring.Drift;

public sealed class ReferenceSampleTests
{
    private static readonly BundleInput[] s_inputs =
    [
        new("tenure", FeatureType.Float, false, []),
        new("partner", FeatureType.Bool, false, []),
        new("contract", FeatureType.Category, true, ["Month-to-month", "One year"]) { OnUnknown = UnknownCategoryPolicy.Ignore },
    ];

    [Fact]
    public void Choose_SameRowsAndSeed_SameRowsInAscendingOrder()
    {
        var first = ReferenceSample.Choose(50_000, seed: 42);

        Assert.Equal(first, ReferenceSample.Choose(50_000, seed: 42));
        Assert.Equal(ReferenceSample.MaximumRows, first.Length);
        Assert.Equal(first.Order(), first);
        Assert.Equal(first.Length, first.Distinct().Count());
        Assert.NotEqual(first, ReferenceSample.Choose(50_000, seed: 43));
    }

    [Fact]
    public void Choose_FewerRowsThanTheSize_KeepsThemAll()
    {
        Assert.Equal(Enumerable.Range(0, 7), ReferenceSample.Choose(7, seed: 1));
    }

    [Fact]
    public async Task Write_ThenRead_GivesTheValuesBackThroughTheValueRules()
    {
        var schema = new InputSchema(s_inputs);
        var rows = schema.NewBatch(3);
        var inputs = schema.Inputs;
        string[][] text = [["12.5", "1", "One year"], ["0", "0", ""], ["3", "1", "Weekly"]];
        for (var r = 0; r < 3; r++)
        {
            for (var c = 0; c < 3; c++)
            {
                Assert.Null(inputs[c].ReadText(text[r][c], out var value));
                rows.Set(c, r, value);
            }
        }

        var csv = ReferenceSample.Write(rows, [0, 2], s_inputs);

        Assert.Equal("tenure,partner,contract\n12.5,true,One year\n3,true,Weekly\n", Encoding.UTF8.GetString(csv));
        using var reader = new StringReader(Encoding.UTF8.GetString(csv));
        var columns = await DriftCsv.ReadAsync(reader, "sample.csv", DriftInputs.For(s_inputs), TestContext.Current.CancellationToken);
        Assert.Equal([3, 12.5], ((NumberValues)columns[0]).Sorted);
        Assert.Equal(2, ((CategoryCounts)columns[1]).Counts["true"]);
        Assert.Equal(1, ((CategoryCounts)columns[2]).Counts["Weekly"]); // an undeclared category is kept: drift measures it
    }

    [Theory]
    [InlineData(FeatureSensitivity.Drop)]
    [InlineData(FeatureSensitivity.Hash)]
    public void Write_SensitiveFeature_KeepsNoneOfItsValuesInTheBundle(FeatureSensitivity sensitivity)
    {
        BundleInput[] inputs = [s_inputs[0] with { Sensitive = sensitivity }, s_inputs[1], s_inputs[2]];
        var schema = new InputSchema(inputs);
        var rows = schema.NewBatch(2);
        for (var r = 0; r < 2; r++)
        {
            Assert.Null(schema.Inputs[0].ReadText("42.5", out var tenure));
            Assert.Null(schema.Inputs[1].ReadText("1", out var partner));
            Assert.Null(schema.Inputs[2].ReadText("One year", out var contract));
            rows.Set(0, r, tenure);
            rows.Set(1, r, partner);
            rows.Set(2, r, contract);
        }

        var csv = Encoding.UTF8.GetString(ReferenceSample.Write(rows, [0, 1], inputs));

        Assert.Equal("tenure,partner,contract\n,true,One year\n,true,One year\n", csv);
    }
}
