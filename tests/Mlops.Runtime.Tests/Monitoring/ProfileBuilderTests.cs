using System.Text.Json;
using Mlops.Runtime.Monitoring;

namespace Mlops.Runtime.Tests.Monitoring;

public sealed class ProfileBuilderTests
{
    [Fact]
    public void Numeric_CountsMissingValuesAndSummarisesTheRest()
    {
        var values = Enumerable.Range(1, 100).Select(i => (double)i).Concat([double.NaN, double.NaN]).ToList();

        var profile = ProfileBuilder.Numeric("x", values);

        Assert.Equal(102, profile.Count);
        Assert.Equal(2, profile.Missing);
        Assert.Equal(2 / 102.0, profile.NullRate);
        Assert.Equal(1, profile.Numeric!.Min);
        Assert.Equal(100, profile.Numeric.Max);
        Assert.Equal(50.5, profile.Numeric.Mean);
        Assert.Equal(11, profile.Numeric.Quantiles.Count);
        Assert.Equal(50.5, profile.Numeric.Quantiles[5]);
    }

    [Fact]
    public void Numeric_HistogramCutsAtInnerDecilesAndCountsEveryPresentValue()
    {
        var profile = ProfileBuilder.Numeric("x", Enumerable.Range(1, 100).Select(i => (double)i));
        var histogram = profile.Numeric!.Histogram;

        Assert.Equal(9, histogram.Edges.Count);
        Assert.Equal(10, histogram.Counts.Count);
        Assert.Equal(100, histogram.Counts.Sum());
        Assert.All(histogram.Counts, c => Assert.Equal(10, c));
    }

    [Theory]
    [InlineData(-1000, 0)]
    [InlineData(10.9, 0)]
    [InlineData(11, 1)]
    [InlineData(1000, 9)]
    public void BinOf_ValueOutsideOrInsideTheReferenceRange_LandsInAnOpenOrInnerBin(double value, int bin)
    {
        var histogram = ProfileBuilder.Numeric("x", Enumerable.Range(1, 100).Select(i => (double)i)).Numeric!.Histogram;

        Assert.Equal(bin, histogram.BinOf(value));
    }

    [Fact]
    public void Categorical_Declared_ListsEveryDeclaredValueInOrderAndCountsOthers()
    {
        var profile = ProfileBuilder.Categorical("c", ["b", "b", null, "z", ""], ["a", "b"]);

        Assert.Equal(2, profile.Missing);
        Assert.Equal([("a", 0L), ("b", 2L)], profile.Categorical!.Values.Select(v => (v.Value, v.Count)));
        Assert.Equal(1, profile.Categorical.OtherCount);
        Assert.Equal(2 / 3.0, profile.Categorical.Values[1].Frequency);
    }

    [Fact]
    public void ReferenceProfile_SerialisesAsCamelCaseJson()
    {
        var profile = new ReferenceProfile(3, [ProfileBuilder.Numeric("x", [1, 2, double.NaN])], []);

        var json = JsonSerializer.Serialize(profile, new JsonSerializerOptions(JsonSerializerDefaults.Web));

        Assert.Contains("\"nullRate\":0.3333333333333333", json, StringComparison.Ordinal);
        Assert.Contains("\"histogram\":{\"edges\":", json, StringComparison.Ordinal);
        Assert.Equal(profile.Features[0].Numeric!.Quantiles, JsonSerializer.Deserialize<ReferenceProfile>(json, new JsonSerializerOptions(JsonSerializerDefaults.Web))!.Features[0].Numeric!.Quantiles);
    }
}
