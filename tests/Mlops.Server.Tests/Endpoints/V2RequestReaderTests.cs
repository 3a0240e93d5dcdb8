using System.Text;
using System.Text.Json;
using Mlops.Declarations.FeatureSets;
using Mlops.Server.Endpoints;

namespace Mlops.Server.Tests.Endpoints;

/// <summary>Reading infer bodies in one pass: the parts serving needs, typed values where they share a kind, and nothing invalid let through.</summary>
public sealed class V2RequestReaderTests
{
    private static V2Request? Read(string json) => V2RequestReader.Read(Encoding.UTF8.GetBytes(json));

    private static object?[] Values(string data, FeatureType? type)
    {
        var request = Read($$"""{"inputs": [{"name": "x", "shape": [1], "datatype": "FP32", "data": {{data}}}]}""")!;
        var column = request.Inputs![0].Data!.Column(type);
        return [.. column.Values.Cast<object?>()];
    }

    [Fact]
    public void Read_FullBody_TakesIdAndTensorsAndSkipsTheRest()
    {
        var request = Read("""
            {"id": "r-1", "parameters": {"a": [1, {"b": 2}]}, "outputs": [{"name": "score"}],
             "inputs": [{"name": "tenure", "shape": [2, 1], "datatype": "FP32", "parameters": {}, "data": [[3], [4.5]]},
                        {"data": ["One year", "Two year"], "datatype": "BYTES", "shape": [2], "name": "contract"}]}
            """)!;

        var inputs = request.Inputs!;
        Assert.Equal("r-1", request.Id);
        Assert.Equal(["tenure", "contract"], inputs.Select(t => t.Name));
        Assert.Equal([2L, 1L], inputs[0].Shape!);
        Assert.Equal("BYTES", inputs[1].Datatype);
        Assert.Equal(new double?[] { 3, 4.5 }, inputs[0].Data!.Column(FeatureType.Float).Values);
        Assert.Equal(new[] { "One year", "Two year" }, inputs[1].Data!.Column(FeatureType.Category).Values);
    }

    [Theory]
    [InlineData("""[{"inputs": []}]""")]
    [InlineData("3")]
    public void Read_NotAnObject_IsNull(string json) => Assert.Null(Read(json));

    [Theory]
    [InlineData("""{"inputs": [}""")]
    [InlineData("""{"inputs": []} {"inputs": []}""")]
    [InlineData("""{"inputs": []} x""")]
    [InlineData("")]
    public void Read_InvalidJson_Throws(string json) => Assert.ThrowsAny<JsonException>(() => Read(json));

    [Fact]
    public void Read_PartsOfTheWrongKind_AreLeftOut()
    {
        var request = Read("""{"id": 7, "inputs": [{"name": 3, "shape": "1", "datatype": ["FP32"], "data": 5}, 4]}""")!;

        Assert.Null(request.Id);
        Assert.Equal(2, request.Inputs!.Count);
        Assert.All(request.Inputs, t => Assert.Equal(new V2Tensor(null, null, null, null), t));
        Assert.Null(Read("""{"inputs": {"name": "x"}}""")!.Inputs);
    }

    [Theory]
    [InlineData("[1, null, 2]", FeatureType.Float, typeof(double?[]))]
    [InlineData("[null, \"a\"]", FeatureType.Category, typeof(string[]))]
    [InlineData("[true, false]", FeatureType.Bool, typeof(bool[]))]
    [InlineData("[null, true]", FeatureType.Bool, typeof(object[]))]
    [InlineData("[true, 1]", FeatureType.Bool, typeof(object[]))]
    [InlineData("[1, \"a\"]", FeatureType.Float, typeof(object[]))]
    [InlineData("[1, 2]", FeatureType.Category, typeof(object[]))]
    [InlineData("[null, null]", FeatureType.Float, typeof(object[]))]
    public void Column_ValuesOfOneKind_AreTypedAndMixedOnesObjects(string data, FeatureType type, Type expected)
    {
        var request = Read($$"""{"inputs": [{"name": "x", "shape": [2], "datatype": "FP32", "data": {{data}}}]}""")!;

        Assert.IsType(expected, request.Inputs![0].Data!.Column(type).Values);
    }

    [Fact]
    public void Column_MixedValues_KeepEachValueAndItsKind()
    {
        var values = Values("""[1.5, null, "a", true, [2], {"b": 1}]""", FeatureType.Float);

        Assert.Equal(6, values.Length);
        Assert.Equal([1.5, null, "a", true, 2.0], values.Take(5));
        Assert.Equal(JsonValueKind.Object, Assert.IsType<JsonElement>(values[5]).ValueKind);
    }
}
